import {
  mergePidHolders,
  mergeProcessRecords,
  mergeProcessState,
  type ProcessRecord,
  type ProcessState,
  type ProcessStateView,
  ProcessTracker,
  type ProcessTrackerOptions,
  pidOf,
  processGuidOf,
  processStateExpiresAt,
} from '../../../src/hooks/process-tracking-table.js';

/** A view over a Map that merges puts with the state's merge, as the hook's state view does. */
class MapView implements ProcessStateView {
  readonly values = new Map<string, ProcessState>();
  readonly puts: [string, ProcessState][] = [];
  get(key: string) {
    return this.values.get(key);
  }
  put(key: string, value: ProcessState) {
    this.puts.push([key, value]);
    this.values.set(key, mergeProcessState(this.values.get(key), value));
  }
}

function tracker(options: ProcessTrackerOptions = {}): ProcessTracker {
  return new ProcessTracker(new MapView(), options);
}

const HOST = 'WORKSTATION5';
const T = Date.parse('2020-10-22T05:54:00.000Z');
const EXPLORER = '{39e4a257-0001-5f91-0000-000000000100}';
const CMD = '{39E4A257-0002-5F91-0000-000000000200}';
const PS = '{39e4a257-0003-5f91-0000-000000000300}';

function creation(guid: string, image: string, parent: { guid: string; image: string }, pid: string) {
  return {
    ProcessGuid: guid,
    ProcessId: pid,
    Image: image,
    CommandLine: `"${image}"`,
    User: `WORKSTATION5\\${image.includes('cmd') ? 'alice' : 'bob'}`,
    IntegrityLevel: image.includes('cmd') ? 'High' : 'Medium',
    ParentProcessGuid: parent.guid,
    ParentImage: parent.image,
    ParentCommandLine: `"${parent.image}" /x`,
    CurrentDirectory: 'C:\\Users\\alice\\',
    Hashes: 'SHA1=00',
  };
}

const explorer = creation(
  EXPLORER,
  'C:\\Windows\\explorer.exe',
  { guid: '{39e4a257-0000-5f91-0000-000000000000}', image: 'C:\\Windows\\System32\\userinit.exe' },
  '4000',
);
const cmd = creation(
  CMD,
  'C:\\Windows\\System32\\cmd.exe',
  { guid: EXPLORER, image: 'C:\\Windows\\explorer.exe' },
  '5000',
);
const ps = creation(PS, 'C:\\Windows\\powershell.exe', { guid: CMD, image: 'C:\\Windows\\System32\\cmd.exe' }, '6000');

describe('ProcessTracker', () => {
  it('builds Ancestors as WHIDS does: the parent chain then the parent image, oldest first', () => {
    // Prepare
    const table = tracker();
    // Act
    table.create(HOST, T, explorer);
    table.create(HOST, T + 1000, cmd);
    table.create(HOST, T + 2000, ps);
    // Assess
    expect(table.record(HOST, processGuidOf(EXPLORER)!)?.ancestors).toEqual(['C:\\Windows\\System32\\userinit.exe']);
    expect(table.processAt('workstation5', processGuidOf(PS)!, T + 3000)).toMatchObject({
      ancestors: ['C:\\Windows\\System32\\userinit.exe', 'C:\\Windows\\explorer.exe', 'C:\\Windows\\System32\\cmd.exe'],
      parentImage: 'C:\\Windows\\System32\\cmd.exe',
      parentCommandLine: '"C:\\Windows\\System32\\cmd.exe" /x',
      parentUser: 'WORKSTATION5\\alice',
      parentIntegrityLevel: 'High',
      user: 'WORKSTATION5\\bob',
      pid: 6000,
      parentGuid: processGuidOf(CMD),
    });
  });

  it('gives no context before the Sysmon 1, nor more than the grace after the Sysmon 5', () => {
    // Prepare
    const table = tracker({ terminationGraceMs: 500 });
    const guid = processGuidOf(CMD)!;
    // Act
    table.create(HOST, T, cmd);
    table.terminate(HOST, guid, T + 1000, 5000);
    // Assess
    expect(table.processAt(HOST, guid, T - 1)).toBeUndefined();
    expect(table.processAt(HOST, guid, T)).toBeDefined();
    expect(table.processAt(HOST, guid, T + 1500)).toBeDefined();
    expect(table.processAt(HOST, guid, T + 1501)).toBeUndefined();
  });

  it("never gives another host's process, even with the same ProcessGuid", () => {
    // Prepare
    const table = tracker();
    // Act
    table.create(HOST, T, cmd);
    // Assess
    expect(table.processAt('WORKSTATION6', processGuidOf(CMD)!, T + 10)).toBeUndefined();
    expect(table.processAt(' workstation5 ', processGuidOf(CMD)!, T + 10)).toBeDefined();
  });

  it('uses the parent only if it is known at the creation time; else Ancestors is the ParentImage alone', () => {
    // Prepare
    const table = tracker({ terminationGraceMs: 0 });
    // Act: cmd created first, its parent's Sysmon 1 only later (out of order), then the parent ends before ps starts
    table.create(HOST, T + 1000, cmd);
    table.create(HOST, T + 2000, explorer);
    table.terminate(HOST, processGuidOf(CMD)!, T + 1500);
    table.create(HOST, T + 3000, ps);
    // Assess
    expect(table.record(HOST, processGuidOf(CMD)!)).toMatchObject({ ancestors: ['C:\\Windows\\explorer.exe'] });
    expect(table.record(HOST, processGuidOf(CMD)!)?.parentUser).toBeUndefined();
    expect(table.record(HOST, processGuidOf(PS)!)?.ancestors).toEqual(['C:\\Windows\\System32\\cmd.exe']);
  });

  it('caps Ancestors to the nearest maxAncestors images', () => {
    // Prepare
    const table = tracker({ maxAncestors: 2 });
    // Act
    table.create(HOST, T, explorer);
    table.create(HOST, T + 1, cmd);
    table.create(HOST, T + 2, ps);
    // Assess
    expect(table.record(HOST, processGuidOf(PS)!)?.ancestors).toEqual([
      'C:\\Windows\\explorer.exe',
      'C:\\Windows\\System32\\cmd.exe',
    ]);
  });

  it('reports invalid and duplicate creations and keeps the first', () => {
    // Prepare
    const table = tracker();
    // Act
    const outcomes = [
      table.create(HOST, T, cmd),
      table.create(HOST, T + 5, { ...cmd, Image: 'other.exe' }),
      table.create(HOST, T, { ...cmd, ProcessGuid: '-' }),
      table.create(HOST, Number.NaN, ps),
    ];
    // Assess
    expect(outcomes).toEqual(['created', 'duplicate', 'invalid', 'invalid']);
    expect(table.record(HOST, processGuidOf(CMD)!)?.image).toBe('C:\\Windows\\System32\\cmd.exe');
  });

  describe('guidForPid', () => {
    it('gives the process holding the PID at that time, across PID reuse', () => {
      // Prepare
      const table = tracker({ terminationGraceMs: 0 });
      const first = processGuidOf(CMD)!;
      const second = processGuidOf(PS)!;
      // Act: PID 5000 held by cmd from T to T+10 s, then by powershell from T+20 s
      table.create(HOST, T, cmd);
      table.terminate(HOST, first, T + 10_000);
      table.create(HOST, T + 20_000, { ...ps, ProcessId: '5000' });
      // Assess
      expect(table.guidForPid(HOST, 5000, T - 1)).toBeUndefined();
      expect(table.guidForPid(HOST, 5000, T + 5000)).toBe(first);
      expect(table.guidForPid(HOST, 5000, T + 15_000)).toBeUndefined();
      expect(table.guidForPid(HOST, 5000, T + 25_000)).toBe(second);
      expect(table.guidForPid('WORKSTATION6', 5000, T + 5000)).toBeUndefined();
      expect(table.guidForPid(HOST, 5001, T + 5000)).toBeUndefined();
    });

    it('learns holders from any event naming both ProcessGuid and ProcessId, from the first such event on', () => {
      // Prepare
      const table = tracker();
      const guid = processGuidOf(EXPLORER)!;
      // Act
      table.sight(HOST, guid, 4000, T + 100);
      table.sight(HOST, guid, 4000, T + 50);
      table.sight(HOST, guid, 4000, T + 900);
      // Assess
      expect(table.guidForPid(HOST, 4000, T + 49)).toBeUndefined();
      expect(table.guidForPid(HOST, 4000, T + 60)).toBe(guid);
      expect(table.pidRecord(HOST, 4000)?.holders).toEqual([{ guid, from: T + 50 }]);
    });

    it('gives nothing when a later holder of the PID has already ended before that time', () => {
      // Prepare
      const table = tracker({ terminationGraceMs: 0 });
      const old = processGuidOf(EXPLORER)!;
      const later = processGuidOf(CMD)!;
      // Act: `old` seen at T; `later` held the PID from T+10 to T+20 (so `old` no longer held it)
      table.sight(HOST, old, 7, T);
      table.sight(HOST, later, 7, T + 10);
      table.terminate(HOST, later, T + 20, 7);
      // Assess
      expect(table.guidForPid(HOST, 7, T + 5)).toBe(old);
      expect(table.guidForPid(HOST, 7, T + 15)).toBe(later);
      expect(table.guidForPid(HOST, 7, T + 30)).toBeUndefined();
    });
  });

  it('gives the same state whatever order its puts are merged in', () => {
    // Prepare
    const view = new MapView();
    const table = new ProcessTracker(view);
    table.create(HOST, T, explorer);
    table.create(HOST, T + 1, cmd);
    table.sight(HOST, processGuidOf(PS)!, 5000, T + 2);
    table.terminate(HOST, processGuidOf(CMD)!, T + 3, 5000);
    table.terminate(HOST, processGuidOf(PS)!, T + 4);
    // Act
    const reversed = new MapView();
    for (const [key, value] of [...view.puts].reverse()) reversed.put(key, value);
    // Assess
    expect(view.puts.length).toBeGreaterThan(5);
    expect(Object.fromEntries(reversed.values)).toEqual(Object.fromEntries(view.values));
  });

  it('puts nothing for a PID holder already known from an earlier time', () => {
    const view = new MapView();
    const table = new ProcessTracker(view);
    expect(table.sight(HOST, '{g}', 1, T)).toBe(true);
    expect(table.sight(HOST, '{g}', 1, T + 5)).toBe(false);
    expect(view.puts).toHaveLength(1);
  });
});

describe('processStateExpiresAt', () => {
  it('expires a process the ended retention after its Sysmon 5, else the retention after its Sysmon 1', () => {
    const record: ProcessRecord = { kind: 'process', host: 'h', guid: 'g', start: 100 };
    expect(processStateExpiresAt(record, 1000, 10)).toBe(1100);
    expect(processStateExpiresAt({ ...record, end: 500 }, 1000, 10)).toBe(510);
    expect(
      processStateExpiresAt(
        {
          kind: 'pid',
          host: 'h',
          pid: 1,
          holders: [
            { guid: 'a', from: 100 },
            { guid: 'b', from: 2000, until: 2050 },
          ],
        },
        1000,
        10,
      ),
    ).toBe(2060);
  });
});

describe('mergeProcessRecords', () => {
  const created: ProcessRecord = { kind: 'process', host: 'h', guid: 'g', start: 10, image: 'a.exe', pid: 1 };
  const ended: ProcessRecord = { kind: 'process', host: 'h', guid: 'g', end: 50 };
  const recreated: ProcessRecord = { kind: 'process', host: 'h', guid: 'g', start: 20, image: 'b.exe' };

  it.each([
    [
      'creation + end',
      created,
      ended,
      { kind: 'process', host: 'h', guid: 'g', start: 10, image: 'a.exe', pid: 1, end: 50 },
    ],
    [
      'end + creation',
      ended,
      created,
      { kind: 'process', host: 'h', guid: 'g', start: 10, image: 'a.exe', pid: 1, end: 50 },
    ],
    ['earlier creation wins', recreated, created, created],
    ['same twice', created, created, created],
  ])('%s', (_title, a, b, expected) => {
    expect(mergeProcessRecords(a, b)).toEqual(expected);
    expect(mergeProcessRecords(b, a)).toEqual(expected);
  });

  it('keeps the earlier of two ends', () => {
    expect(mergeProcessRecords({ ...created, end: 70 }, ended).end).toBe(50);
  });
});

describe('mergePidHolders', () => {
  it('keeps one holder per guid with the earliest times, newest first, bounded', () => {
    const merged = mergePidHolders(
      [
        { guid: 'a', from: 10 },
        { guid: 'b', from: 30, until: 40 },
      ],
      [
        { guid: 'a', from: 5, until: 20 },
        { guid: 'c', from: 50 },
        { guid: 'b', from: 35, until: 38 },
      ],
      2,
    );
    expect(merged).toEqual([
      { guid: 'c', from: 50 },
      { guid: 'b', from: 30, until: 38 },
    ]);
  });
});

describe('processGuidOf / pidOf', () => {
  it.each([
    ['{ABC}', '{abc}'],
    [' {abc} ', '{abc}'],
    ['-', undefined],
    ['', undefined],
    ['{00000000-0000-0000-0000-000000000000}', undefined],
    [undefined, undefined],
  ])('processGuidOf(%p) = %p', (text, expected) => {
    expect(processGuidOf(text)).toBe(expected);
  });

  it.each([
    ['5196', 5196],
    [5196, 5196],
    ['-', undefined],
    ['', undefined],
    ['-1', undefined],
    ['1.5', undefined],
    [undefined, undefined],
  ])('pidOf(%p) = %p', (text, expected) => {
    expect(pidOf(text)).toBe(expected);
  });
});
