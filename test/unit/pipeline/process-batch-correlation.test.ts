import { MemoryCorrelationStore } from '../../../src/detection/correlation/index.js';
import { compileRules } from '../../../src/detection/index.js';
import { createEnrichmentContext } from '../../../src/hooks/index.js';
import { toAlertRecord, toNotification } from '../../../src/pipeline/alert-record.js';
import { processBatch } from '../../../src/pipeline/process-batch.js';
import { ndjson } from '../events/factories.js';

/** The specification's example, "Failed Logins Followed by Successful Login" (group-by TargetUserName here). */
const RULES = `title: Multiple Failed Logins Followed by Successful Login
id: b180ead8-d58f-40b2-ae54-c8940995b9b6
correlation:
    type: temporal_ordered
    rules:
        - multiple_failed_login
        - successful_login
    group-by:
        - TargetUserName
    timespan: 10m
level: high
---
title: Multiple failed logons
id: a8418a5a-5fc4-46b5-b23b-6c73beb19d41
name: multiple_failed_login
correlation:
    type: event_count
    rules:
        - failed_login
    group-by:
        - TargetUserName
    timespan: 10m
    condition:
        gte: 10
---
title: Single failed login
id: 53ba33fd-3a50-4468-a5ef-c583635cfa92
name: failed_login
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: 4625
    condition: selection
---
title: Successful login
id: 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8
name: successful_login
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: 4624
    condition: selection
`;

const T0 = Date.UTC(2026, 0, 1, 10);

/** A flat NXLog Security event. */
function logon(eventId: number, seconds: number, user: string) {
  return {
    Hostname: 'DC01.corp.example',
    Channel: 'Security',
    SourceName: 'Microsoft-Windows-Security-Auditing',
    EventID: eventId,
    TimeCreated: new Date(T0 + seconds * 1000).toISOString(),
    TargetUserName: user,
    IpAddress: '10.0.0.9',
  };
}

const attack = [
  ...Array.from({ length: 12 }, (_, i) => logon(4625, i * 20, 'bob')),
  logon(4625, 30, 'alice'),
  logon(4624, 300, 'alice'),
  logon(4624, 310, 'bob'),
];

describe('processBatch with correlation rules', () => {
  it('raises the correlation alert once, at its level, and no alert for the base rules', async () => {
    // Prepare
    const { ruleSet, rejected } = compileRules([{ file: 'mr_failed_then_success.yml', text: RULES }]);
    expect(rejected).toEqual([]);
    // Act
    const batch = await processBatch([{ origin: 'logons.json', data: ndjson(...attack), arrival: 0 }], {
      context: createEnrichmentContext(),
      rules: ruleSet,
    });
    // Assess
    expect(batch.detections.map((d) => d.rule.title)).toEqual(['Multiple Failed Logins Followed by Successful Login']);
    expect(batch.summary.alerts).toMatchObject({
      total: 1,
      byLevel: { high: 1 },
      byRule: { 'Multiple Failed Logins Followed by Successful Login (b180ead8-d58f-40b2-ae54-c8940995b9b6)': 1 },
    });
    const detection = batch.detections[0]!;
    const record = toAlertRecord(detection, ['host', 'destination']);
    expect(record).toMatchObject({
      rule_id: 'b180ead8-d58f-40b2-ae54-c8940995b9b6',
      level: 'high',
      time: new Date(T0 + 310_000).toISOString(),
      event: { TargetUserName: 'bob', event_id: 4624 },
      correlation: {
        type: 'temporal_ordered',
        group: { TargetUserName: 'bob' },
        value: 2,
        event_count: 2,
        window_start: new Date(T0 + 180_000).toISOString(),
        window_end: new Date(T0 + 310_000).toISOString(),
      },
    });
    // The inner alert (the 10th failure) and the success, by their stable ids.
    expect(record.correlation?.event_ids).toEqual([
      expect.stringMatching(/^logons\.json#9\|a8418a5a-5fc4-46b5-b23b-6c73beb19d41\|/),
      'logons.json#14@1',
    ]);
    const notification = toNotification(detection, record);
    expect(notification.subject).toBe(
      '[high] Multiple Failed Logins Followed by Successful Login (TargetUserName=bob) on DC01.corp.example',
    );
    expect(notification.message).toContain('Correlation: temporal_ordered = 2 over 2 events');
    expect(notification.occurrenceId).toMatch(/^logons\.json#14\|b180ead8/);
  });

  it('keeps state across batches in the store given, and a batch given twice does not alert twice', async () => {
    const { ruleSet } = compileRules([{ file: 'mr.yml', text: RULES }]);
    const correlation = { store: new MemoryCorrelationStore(), toleranceMs: 60_000, now: 0, flush: false };
    const options = { context: createEnrichmentContext(), rules: ruleSet, correlation };
    const first = { origin: 'shard-1/1', data: ndjson(...attack.slice(0, 8)), arrival: 0 };
    const second = { origin: 'shard-1/2', data: ndjson(...attack.slice(8)), arrival: 0 };
    expect((await processBatch([first], options)).detections).toEqual([]);
    const raised = (await processBatch([second], options)).detections;
    expect(raised).toHaveLength(1);
    // The same second batch again (a retry): the same alert, same occurrence id, nothing counted twice.
    const again = (await processBatch([second], options)).detections;
    expect(again.map((d) => d.correlation?.occurrenceId)).toEqual(raised.map((d) => d.correlation?.occurrenceId));
  });

  it('with generate: true the base rules alert too', async () => {
    const text = RULES.replace('level: high\n', 'level: high\ngenerate: true\n');
    const { ruleSet } = compileRules([{ file: 'mr.yml', text }]);
    const batch = await processBatch([{ origin: 'l.json', data: ndjson(...attack), arrival: 0 }], {
      context: createEnrichmentContext(),
      rules: ruleSet,
    });
    // What the outer references alerts on its own: the inner correlation (once) and both successes; the failures
    // feed the inner one, which has no generate: true, so they stay silent.
    const titles = batch.detections.map((d) => d.rule.title).sort();
    expect(titles).toEqual([
      'Multiple Failed Logins Followed by Successful Login',
      'Multiple failed logons',
      'Successful login',
      'Successful login',
    ]);
    expect(batch.summary.alerts.byLevel).toEqual({ high: 1, informational: 3 });
  });
});
