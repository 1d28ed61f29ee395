import middy from '@middy/core';

// Guards the ESM test set-up: middy is ESM-only, so this import fails if jest runs in CommonJS mode.
describe('middy under jest', () => {
  it('wraps and awaits a handler', async () => {
    const handler = middy(async (event: { n: number }) => event.n * 2);
    await expect(handler({ n: 21 }, {} as never)).resolves.toBe(42);
  });
});
