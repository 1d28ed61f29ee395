import {
  type BaseMatch,
  type CorrelationAlert,
  correlate,
  MemoryCorrelationStore,
} from '../../../../src/detection/correlation/index.js';
import { compileRules, type RuleSet } from '../../../../src/detection/index.js';
import type { CanonicalEvent } from '../../../../src/events/canonical-event.js';

const T0 = Date.UTC(2026, 0, 1, 10);
const MIN = 60_000;

/** A Security event at T0 + `minutes`. */
function security(eventId: number, minutes: number, data: Record<string, string>): CanonicalEvent {
  return {
    host: 'DC01.corp.example',
    channel: 'Security',
    provider: 'Microsoft-Windows-Security-Auditing',
    eventId,
    time: T0 + Math.round(minutes * MIN),
    format: 'evtx-json',
    data,
  };
}

function compile(text: string): RuleSet {
  const result = compileRules([{ file: 'mr_test.yml', text }]);
  if (result.rejected.length > 0) throw new Error(JSON.stringify(result.rejected));
  return result.ruleSet;
}

function matchesOf(ruleSet: RuleSet, events: readonly CanonicalEvent[], first = 0): BaseMatch<number>[] {
  return events.flatMap((event, i) =>
    ruleSet.matchAll(event).map((m) => ({ rule: m.rule, event, id: `test.json#${first + i}`, ref: first + i })),
  );
}

/** Runs the events through the correlations in one call; returns the alerts that are output. */
async function run(ruleSet: RuleSet, events: readonly CanonicalEvent[], flush = true) {
  const set = ruleSet.correlations;
  if (!set) throw new Error('no correlations');
  const { alerts } = await correlate(set, matchesOf(ruleSet, events), {
    store: new MemoryCorrelationStore(),
    toleranceMs: 0,
    now: 0,
    flush,
  });
  return alerts.filter((a) => a.correlation.alerts);
}

const titles = (alerts: readonly CorrelationAlert<number>[]) => alerts.map((a) => a.correlation.info.title);

// The specification's own example, "Failed Logins Followed by Successful Login", as written there.
const FAILED_THEN_SUCCESS = `title: Correlation - Multiple Failed Logins Followed by Successful Login
id: b180ead8-d58f-40b2-ae54-c8940995b9b6
status: experimental
correlation:
    type: temporal_ordered
    rules:
        - multiple_failed_login
        - successful_login
    group-by:
        - User
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
        - User
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
        EventID:
            - 529
            - 4625
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
        EventID:
            - 528
            - 4624
    condition: selection
`;

const failures = (n: number, user: string, from = 0, step = 0.5) =>
  Array.from({ length: n }, (_, i) => security(4625, from + i * step, { User: user }));

describe('the specification example: failed logins followed by a successful login', () => {
  const ruleSet = compile(FAILED_THEN_SUCCESS);

  it('loads two correlations and two base rules, and the base rules do not alert on their own', () => {
    expect(ruleSet.size).toBe(4);
    expect(ruleSet.match(security(4625, 0, { User: 'bob' }))).toEqual([]);
    expect(ruleSet.match(security(4624, 0, { User: 'bob' }))).toEqual([]);
    expect(ruleSet.matchAll(security(4624, 0, { User: 'bob' })).map((m) => m.rule.title)).toEqual(['Successful login']);
  });

  // [case, events, expected output alert titles]
  it.each<[string, CanonicalEvent[], string[]]>([
    [
      '10 failures, then a success',
      [...failures(10, 'bob'), security(4624, 6, { User: 'bob' })],
      ['Correlation - Multiple Failed Logins Followed by Successful Login'],
    ],
    ['9 failures, then a success', [...failures(9, 'bob'), security(4624, 6, { User: 'bob' })], []],
    ['10 failures of another user', [...failures(10, 'alice'), security(4624, 6, { User: 'bob' })], []],
    ['the success first', [security(4624, 0, { User: 'bob' }), ...failures(10, 'bob', 1)], []],
    [
      'the success 11 minutes after the 10th failure',
      [...failures(10, 'bob'), security(4624, 15.5, { User: 'bob' })],
      [],
    ],
    [
      '30 failures and 3 successes: one alert (one per window)',
      [...failures(30, 'bob', 0, 0.1), ...[4, 5, 6].map((m) => security(4624, m, { User: 'bob' }))],
      ['Correlation - Multiple Failed Logins Followed by Successful Login'],
    ],
    ['failures without a User field do not count', [...failures(10, ''), security(4624, 6, { User: '' })], []],
  ])('%s', async (_name, events, expected) => {
    expect(titles(await run(ruleSet, events))).toEqual(expected);
  });

  it('says which events made the alert, and the group', async () => {
    const events = [...failures(12, 'bob'), security(4624, 7, { User: 'bob' })];
    const [alert] = await run(ruleSet, events);
    expect(alert?.group).toEqual({ User: 'bob' });
    expect(alert?.correlation.info.level).toBe('high');
    // The outer alert counts the inner alert (the 10th failure) and the success; the trigger is the success.
    expect(alert?.count).toBe(2);
    expect(alert?.trigger.ref).toBe(12);
    expect(alert?.end).toBe(events[12]?.time);
    expect(alert?.ids[0]).toMatch(/^test\.json#9\|a8418a5a/);
    expect(alert?.ids[1]).toBe('test.json#12@1');
  });
});

const base = (name: string, eventId: number) => `---
title: ${name}
name: ${name}
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: ${eventId}
    condition: selection
`;

const correlation = (body: string, extra = '') => `title: The correlation
id: 0e95725d-7320-415d-80f7-004da920fc11
level: medium
${extra}correlation:
${body
  .trim()
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
`;

describe('event_count', () => {
  // The specification's simple example: >= 100 failed logins to a destination host in an hour.
  const ruleSet = compile(
    correlation(`type: event_count
rules:
    - failed_logon
group-by:
    - ComputerName
timespan: 1h
condition:
    gte: 100`) + base('failed_logon', 4625),
  );
  const logons = (n: number, span: number, host = 'DC01') =>
    Array.from({ length: n }, (_, i) => security(4625, (i * span) / n, { ComputerName: host }));

  it.each<[string, CanonicalEvent[], number]>([
    ['100 in an hour', logons(100, 59), 1],
    ['99 in an hour', logons(99, 59), 0],
    ['100 over two hours', logons(100, 130), 0],
    ['200 in an hour: one alert per window', logons(200, 59), 1],
    ['200 in two hours, evenly: one per hour of them', logons(400, 125), 2],
    ['100 split over two hosts', [...logons(50, 30, 'DC01'), ...logons(50, 30, 'DC02')], 0],
  ])('%s', async (_name, events, expected) => {
    expect(await run(ruleSet, events)).toHaveLength(expected);
  });

  it('counts each event once, and a second run of the same matches (a retry) gives the same alert, same id', async () => {
    const set = ruleSet.correlations!;
    const store = new MemoryCorrelationStore();
    const options = { store, toleranceMs: 0, now: 0, flush: false };
    const matches = matchesOf(ruleSet, logons(100, 59));
    const first = await correlate(set, matches, options);
    const again = await correlate(set, matches, options);
    expect(first.alerts).toHaveLength(1);
    expect(again.alerts.map((a) => a.occurrenceId)).toEqual(first.alerts.map((a) => a.occurrenceId));
    // The trigger gives its alert again; the others are inside the alerted window: nothing is counted again.
    expect(again.counts).toMatchObject({ added: 0, duplicates: 1, consumed: 99 });
    // 99 once and the same 99 again is still 99.
    const fresh = { ...options, store: new MemoryCorrelationStore() };
    const ninetyNine = matchesOf(ruleSet, logons(99, 59));
    await correlate(set, ninetyNine, fresh);
    expect((await correlate(set, ninetyNine, fresh)).alerts).toEqual([]);
  });
});

describe('value_count', () => {
  // The specification's example: failed logons with >= 100 different users per source and destination in a day.
  const ruleSet = compile(
    correlation(`type: value_count
rules:
    - failed_logon
group-by:
    - ComputerName
    - WorkstationName
timespan: 1d
condition:
    field: User
    gte: 100`) + base('failed_logon', 4625),
  );
  const logons = (users: number, n = users) =>
    Array.from({ length: n }, (_, i) =>
      security(4625, i, { ComputerName: 'DC01', WorkstationName: 'WS7', User: `user${i % users}` }),
    );

  it.each<[string, CanonicalEvent[], number]>([
    ['100 users', logons(100), 1],
    ['99 users in 300 logons', logons(99, 300), 0],
    [
      '100 users from two workstations',
      logons(100).map((e, i) => ({ ...e, data: { ...e.data, WorkstationName: `WS${i % 2}` } })),
      0,
    ],
  ])('%s', async (_name, events, expected) => {
    expect(await run(ruleSet, events)).toHaveLength(expected);
  });

  it('the alert says how many distinct values', async () => {
    const [alert] = await run(ruleSet, logons(100, 150));
    expect(alert?.value).toBe(100);
    expect(alert?.count).toBe(100);
    expect(alert?.ids).toHaveLength(20);
  });
});

describe('temporal', () => {
  // The specification's example: three reconnaissance commands in any order within 5 minutes, same system and user.
  const ruleSet = compile(
    correlation(`type: temporal
rules:
    - recon_cmd_a
    - recon_cmd_b
    - recon_cmd_c
group-by:
    - ComputerName
    - User
timespan: 5m`) +
      base('recon_cmd_a', 1) +
      base('recon_cmd_b', 2) +
      base('recon_cmd_c', 3),
  );
  const cmd = (id: number, minutes: number, user = 'bob') => security(id, minutes, { ComputerName: 'WS1', User: user });

  it.each<[string, CanonicalEvent[], number]>([
    ['a, b, c', [cmd(1, 0), cmd(2, 1), cmd(3, 2)], 1],
    ['c, a, b (any order)', [cmd(3, 0), cmd(1, 1), cmd(2, 2)], 1],
    ['a and b only', [cmd(1, 0), cmd(2, 1), cmd(2, 2)], 0],
    ['over 6 minutes', [cmd(1, 0), cmd(2, 3), cmd(3, 6)], 0],
    ['two users', [cmd(1, 0), cmd(2, 1), cmd(3, 2, 'alice')], 0],
  ])('%s', async (_name, events, expected) => {
    expect(await run(ruleSet, events)).toHaveLength(expected);
  });
});

describe('temporal_ordered', () => {
  const ruleSet = compile(
    correlation(`type: temporal_ordered
rules:
    - recon_cmd_a
    - recon_cmd_b
group-by:
    - User
timespan: 5m`) +
      base('recon_cmd_a', 1) +
      base('recon_cmd_b', 2),
  );
  const cmd = (id: number, minutes: number) => security(id, minutes, { User: 'bob' });

  it.each<[string, CanonicalEvent[], number]>([
    ['a then b', [cmd(1, 0), cmd(2, 1)], 1],
    ['b then a', [cmd(2, 0), cmd(1, 1)], 0],
    ['b, a, b', [cmd(2, 0), cmd(1, 1), cmd(2, 2)], 1],
    ['a then b 6 minutes later', [cmd(1, 0), cmd(2, 6)], 0],
  ])('%s', async (_name, events, expected) => {
    expect(await run(ruleSet, events)).toHaveLength(expected);
  });
});

describe('field aliases', () => {
  // The specification's aliases example, on Windows-like events.
  const ruleSet = compile(
    correlation(`type: temporal
rules:
    - internal_error
    - new_network_connection
group-by:
    - internal_ip
    - remote_ip
timespan: 10s
aliases:
    internal_ip:
        internal_error: destination.ip
        new_network_connection: source.ip
    remote_ip:
        internal_error: source.ip
        new_network_connection: destination.ip`) +
      base('internal_error', 500) +
      base('new_network_connection', 3),
  );
  const error = (s: number, src: string, dst: string) =>
    security(500, s / 60, { 'source.ip': src, 'destination.ip': dst });
  const connection = (s: number, src: string, dst: string) =>
    security(3, s / 60, { 'source.ip': src, 'destination.ip': dst });

  it.each<[string, CanonicalEvent[], number]>([
    [
      'error 10.0.0.1 <- 1.2.3.4, then connection 10.0.0.1 -> 1.2.3.4',
      [error(0, '1.2.3.4', '10.0.0.1'), connection(5, '10.0.0.1', '1.2.3.4')],
      1,
    ],
    ['the same addresses, not swapped', [error(0, '1.2.3.4', '10.0.0.1'), connection(5, '1.2.3.4', '10.0.0.1')], 0],
    ['swapped, 11 s apart', [error(0, '1.2.3.4', '10.0.0.1'), connection(11, '10.0.0.1', '1.2.3.4')], 0],
  ])('%s', async (_name, events, expected) => {
    expect(await run(ruleSet, events)).toHaveLength(expected);
  });

  it('names the group by the aliases', async () => {
    const [alert] = await run(ruleSet, [error(0, '1.2.3.4', '10.0.0.1'), connection(5, '10.0.0.1', '1.2.3.4')]);
    expect(alert?.group).toEqual({ internal_ip: '10.0.0.1', remote_ip: '1.2.3.4' });
  });
});

describe('conditions with an upper bound are decided when the window closes', () => {
  const rules = (condition: string) =>
    compile(
      correlation(`type: event_count
rules:
    - failed_logon
group-by:
    - User
timespan: 10m
condition:
${condition}`) + base('failed_logon', 4625),
    );
  const n = (count: number, user = 'bob') => failures(count, user, 0, 0.02);

  // [condition, events, alerts after a flush, alerts without a flush]
  it.each<[string, CanonicalEvent[], number, number]>([
    ['    gt: 100\n    lte: 200', n(150), 1, 0],
    ['    gt: 100\n    lte: 200', n(201), 0, 0],
    ['    gt: 100\n    lte: 200', n(100), 0, 0],
    ['    lt: 3', n(2), 1, 0],
    ['    lt: 3', n(3), 0, 0],
    ['    eq: 5', n(5), 1, 0],
    ['    neq: 5', n(5), 0, 0],
    // A later event past the window (and the tolerance) closes it without a flush; the flush closes its own window.
    ['    lt: 3', [...n(2), security(4625, 20, { User: 'bob' })], 2, 1],
  ])('%s', async (condition, events, flushed, open) => {
    const ruleSet = rules(condition);
    expect(await run(ruleSet, events, true)).toHaveLength(flushed);
    expect(await run(ruleSet, events, false)).toHaveLength(open);
  });
});

describe('value_sum and value_avg', () => {
  const rules = (type: string, condition: string) =>
    compile(
      correlation(`type: ${type}
rules:
    - upload
group-by:
    - User
timespan: 1h
condition:
    field: Bytes
${condition}`) + base('upload', 5156),
    );
  const uploads = (sizes: number[]) => sizes.map((b, i) => security(5156, i, { User: 'bob', Bytes: String(b) }));

  it.each<[string, string, number[], number]>([
    ['value_sum', '    gt: 1000000', [600_000, 500_000], 1],
    ['value_sum', '    gt: 1000000', [600_000, 400_000], 0],
    ['value_avg', '    gt: 500', [400, 700], 1],
    ['value_avg', '    gt: 500', [400, 500], 0],
  ])('%s %s over %j', async (type, condition, sizes, expected) => {
    expect(await run(rules(type, condition), uploads(sizes))).toHaveLength(expected);
  });
});

describe('order and lateness', () => {
  const ruleSet = compile(
    correlation(`type: event_count
rules:
    - failed_logon
group-by:
    - User
timespan: 10m
condition:
    gte: 5`) + base('failed_logon', 4625),
  );

  it('events arriving out of order in separate calls, within the tolerance, count as if in order', async () => {
    const events = failures(5, 'bob', 0, 1);
    const matches = matchesOf(ruleSet, events);
    const store = new MemoryCorrelationStore();
    const options = { store, toleranceMs: 15 * MIN, now: 0, flush: false };
    const alerts = [];
    for (const i of [4, 0, 3, 1, 2])
      alerts.push(...(await correlate(ruleSet.correlations!, [matches[i]!], options)).alerts);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.count).toBe(5);
  });

  it('an event later than the tolerance is not counted', async () => {
    const events = [...failures(4, 'bob', 20, 1), security(4625, 10, { User: 'bob' })];
    const store = new MemoryCorrelationStore();
    const options = { store, toleranceMs: 5 * MIN, now: 0, flush: false };
    const matches = matchesOf(ruleSet, events);
    await correlate(ruleSet.correlations!, matches.slice(0, 4), options);
    const late = await correlate(ruleSet.correlations!, matches.slice(4), options);
    expect(late.counts.late).toBe(1);
    expect(late.alerts).toEqual([]);
  });

  it('a chain of "once a minute" and "5 such minutes" gives the same alert whatever order the events come in', async () => {
    const chain = compile(
      correlation(`type: event_count
rules:
    - each_minute
group-by:
    - User
timespan: 10m
condition:
    gte: 5`) +
        `---
title: Each minute
name: each_minute
correlation:
    type: event_count
    rules:
        - failed_logon
    group-by:
        - User
    timespan: 1m
    condition:
        gte: 1
` +
        base('failed_logon', 4625),
    );
    const events = failures(9, 'bob', 0, 1);
    const matches = matchesOf(chain, events);
    // [order of arrival, one event per call]
    for (const arrival of [
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
      [8, 7, 6, 5, 4, 3, 2, 1, 0],
      [4, 8, 0, 6, 2, 7, 1, 5, 3],
    ]) {
      const options = { store: new MemoryCorrelationStore(), toleranceMs: 15 * MIN, now: 0, flush: false };
      const raised = [];
      for (const i of arrival) raised.push(...(await correlate(chain.correlations!, [matches[i]!], options)).alerts);
      expect(raised.filter((a) => a.correlation.alerts).map((a) => a.count)).toEqual([5]);
      expect(raised.filter((a) => !a.correlation.alerts)).toHaveLength(9);
    }
  });
});
