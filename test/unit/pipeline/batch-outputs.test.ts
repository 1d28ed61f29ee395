/**
 * batchOutputs files events and alerts by event hour, except, when asked (the functions), an event dated more
 * than the tolerance after its arrival: under its arrival's hour, where Athena's projection (start date to NOW)
 * finds it; its time is kept.
 */
import type { RuleInfo } from '../../../src/detection/types.js';
import type { CanonicalEvent } from '../../../src/events/canonical-event.js';
import type { Detection } from '../../../src/pipeline/alert-record.js';
import { batchOutputs } from '../../../src/pipeline/batch-outputs.js';
import type { SourcedEvent } from '../../../src/pipeline/decode-batch.js';
import { FUTURE_TOLERANCE_MS, filedTime } from '../../../src/pipeline/partition.js';
import { emptySummary } from '../../../src/pipeline/summary.js';

const RULE = { id: 'rule-1', title: 'Rule', level: 'high', tags: [], file: 'r.yml' } as unknown as RuleInfo;
const ARRIVAL = Date.UTC(2026, 11, 4, 18, 30);
const HOUR = 3_600_000;

function sourced(n: number, time: number): SourcedEvent {
  const event = {
    host: 'WS-1',
    channel: 'Microsoft-Windows-Sysmon/Operational',
    provider: 'Microsoft-Windows-Sysmon',
    eventId: 1,
    time,
    format: 'xml',
    data: { Image: `C:\\p${n}.exe` },
  } as CanonicalEvent;
  return { event, origin: 'shardId-1/5', arrival: ARRIVAL, id: `shardId-1/5#${n}` };
}

function outputs(times: number[], options?: { futureToleranceMs?: number }) {
  const events = times.map((time, n) => sourced(n, time));
  const detections: Detection[] = events.map((e) => ({ event: e.event, rule: RULE, origin: e.origin, id: e.id }));
  const { objects } = batchOutputs({ events, detections, rejected: [], summary: emptySummary() }, 'b', [], options);
  return objects.map((object) => object.key).sort();
}

describe('filedTime', () => {
  it('keeps a time up to the tolerance after the arrival, and files a later one at the arrival', () => {
    expect(filedTime(ARRIVAL - 10 * HOUR, ARRIVAL)).toBe(ARRIVAL - 10 * HOUR);
    expect(filedTime(ARRIVAL + FUTURE_TOLERANCE_MS, ARRIVAL)).toBe(ARRIVAL + FUTURE_TOLERANCE_MS);
    expect(filedTime(ARRIVAL + FUTURE_TOLERANCE_MS + 1, ARRIVAL)).toBe(ARRIVAL);
    expect(filedTime(Date.UTC(2099, 0, 1), ARRIVAL)).toBe(ARRIVAL);
  });
});

describe('batchOutputs', () => {
  const times = [Date.UTC(2020, 9, 22, 5), ARRIVAL + 2 * HOUR, Date.UTC(2099, 0, 1, 3)];

  it('files an event dated in the future, and its alert, under the arrival hour when the functions ask', () => {
    expect(outputs(times, { futureToleranceMs: FUTURE_TOLERANCE_MS })).toEqual([
      'alerts/dt=2020-10-22/hour=05/b.json.gz',
      'alerts/dt=2026-12-04/hour=18/b.json.gz',
      'alerts/dt=2026-12-04/hour=20/b.json.gz',
      'events/dt=2020-10-22/hour=05/b.json.gz',
      'events/dt=2026-12-04/hour=18/b.json.gz',
      'events/dt=2026-12-04/hour=20/b.json.gz',
    ]);
  });

  it('files every event under its own hour otherwise (replay)', () => {
    expect(outputs(times)).toContain('events/dt=2099-01-01/hour=03/b.json.gz');
    expect(outputs(times)).toContain('alerts/dt=2099-01-01/hour=03/b.json.gz');
  });
});
