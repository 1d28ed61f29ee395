/**
 * The progress bar follows events: its text says how many and at what rate, per pass; reading shows the input.
 */
import { PassThrough } from 'node:stream';
import { createProgressBar, formatRate, progressDetail } from '../../../../cli/replay/progress-bar.js';

describe('replay progress bar', () => {
  it('says events and events per second, and for reading the input (its end when long)', () => {
    expect(progressDetail({ phase: 'write', events: 12_345, total: 20_000 }, 2)).toBe('12,345 events, 6,173 events/s');
    const long = `/data/${'x'.repeat(80)}/Security.json`;
    const detail = progressDetail({ phase: 'read', events: 10, bytes: 1, totalBytes: 2, source: long }, 1);
    expect(detail).toBe(`10 events, 10 events/s | ...${long.slice(-47)}`);
    expect(formatRate(5, 0)).toBe('-');
  });

  it('draws on the stream it is given, the rate of each pass from its own start, and stops once', () => {
    const stream = Object.assign(new PassThrough(), {
      isTTY: true,
      columns: 120,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    let text = '';
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    let clock = 0;
    const bar = createProgressBar(stream, () => clock);
    bar.update({ phase: 'read', events: 100, bytes: 50, totalBytes: 100, source: 'a.json' });
    clock = 1000;
    bar.update({ phase: 'write', events: 300, total: 600 });
    clock = 2000;
    bar.update({ phase: 'write', events: 600, total: 600 });
    bar.stop();
    bar.stop();
    // cli-progress redraws at most a few times a second: the last state is what is drawn for sure.
    expect(text).toContain('writing');
    expect(text).toContain('100%');
    // The write pass's rate counts from its own start: 600 events in 1 s.
    expect(text).toContain('600 events, 600 events/s');
  });
});
