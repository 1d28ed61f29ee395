import { hostKey } from '../../../src/events/canonical-event.js';

describe('hostKey', () => {
  it.each([
    ['WORKSTATION5', 'workstation5'],
    [' Desktop-5SUA567 ', 'desktop-5sua567'],
    ['host.example.COM', 'host.example.com'],
  ])('%j -> %j', (input, expected) => {
    expect(hostKey(input)).toBe(expected);
  });
});
