/** LineBatch: lines encoded as Buffer.from of the joined lines encodes them, and the room check before each. */
import { LineBatch } from '../../../../cli/replay/line-batch.js';

describe('LineBatch', () => {
  it('gives the bytes of the joined lines, lone surrogates as U+FFFD, then starts again empty', () => {
    // Prepare
    const lines = ['plain', 'é中😀', 'lone \ud800 high', 'lone \udc00 low', ''];
    const batch = new LineBatch(1024);

    // Act
    const added = lines.map((line) => batch.add(line));
    const bytes = batch.take();

    // Assess
    expect(added).toEqual([true, true, true, true, true]);
    expect(bytes).toEqual(Buffer.from(`${lines.join('\n')}\n`));
    expect(batch.take()).toBeUndefined();
  });

  it('refuses a line that may not fit, adds it once taken, and refuses one longer than a whole batch', () => {
    // Prepare: 3 bytes of room per code unit and one for the line feed: 10 units need 31 bytes.
    const batch = new LineBatch(40);
    const ten = 'abcdefghij';

    // Act, Assess
    expect(batch.add(ten)).toBe(true); // 11 bytes used
    expect(batch.add(ten)).toBe(false); // 11 + 31 > 40
    expect(batch.take()).toEqual(Buffer.from(`${ten}\n`));
    expect(batch.add(ten)).toBe(true);
    expect(batch.take()).toEqual(Buffer.from(`${ten}\n`));
    expect(batch.add('x'.repeat(14))).toBe(false); // 43 > 40 even when empty
    expect(batch.take()).toBeUndefined();
  });
});
