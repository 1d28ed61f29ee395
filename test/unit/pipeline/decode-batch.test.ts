import { LIMITS } from '../../../src/limits.js';
import { decodeBatch, type InputRecord } from '../../../src/pipeline/decode-batch.js';
import { emptySummary } from '../../../src/pipeline/summary.js';
import {
  cloudWatchEnvelope,
  evtxDocument,
  expectedSysmon3,
  joinLines,
  mixedLines,
  record,
} from '../events/factories.js';

function input(data: Uint8Array, origin = 'test'): InputRecord {
  return { origin, data, arrival: 0 };
}

describe('decodeBatch counts', () => {
  it('counts every document of partly bad input once: read = events + rejected + filtered', () => {
    // Prepare
    const lines = mixedLines();
    const records = [
      input(joinLines(lines), 'mixed'),
      input(record(cloudWatchEnvelope(['CWL CONTROL MESSAGE'], 'CONTROL_MESSAGE')), 'control'),
    ];
    const summary = emptySummary();
    // Act
    const { events, rejected } = decodeBatch(records, summary);
    // Assess
    const good = lines.filter((line) => line.expected.startsWith('event')).length;
    expect(events).toHaveLength(good);
    expect(rejected).toHaveLength(lines.length - good);
    expect(summary).toMatchObject({ read: lines.length + 1, rejected: lines.length - good, filtered: 1 });
    expect(summary.read).toBe(events.length + summary.rejected + summary.filtered);
    expect(summary.trimmed.invalidUtf8).toBe(lines.filter((line) => line.expected.endsWith('+invalid')).length);
    expect(summary.rejectedByReason).toEqual({
      'truncated JSON': 4,
      'not JSON or XML': 2,
      'host name too long': 1,
    });
  });

  it.each<[string, Record<string, string>, number]>([
    ['no value over the field limit', {}, 0],
    ['one value over it', { CommandLine: 'c'.repeat(LIMITS.fieldChars + 1) }, 1],
    [
      'two values over it',
      { CommandLine: 'c'.repeat(LIMITS.fieldChars + 1), ParentCommandLine: 'p'.repeat(2 * LIMITS.fieldChars) },
      2,
    ],
  ])('counts the EventData values cut: %s', (_name, extra, expected) => {
    // Prepare
    const data = record(evtxDocument({ eventData: { ...expectedSysmon3().data, ...extra } }));
    const summary = emptySummary();
    // Act
    const { events } = decodeBatch([input(data), input(data)], summary);
    // Assess
    expect(events).toHaveLength(2);
    expect(summary.trimmed.truncatedFields).toBe(2 * expected);
    expect(summary.trimmed.invalidUtf8).toBe(0);
  });
});
