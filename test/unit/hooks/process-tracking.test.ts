import { type CanonicalEvent, SYSMON_CHANNEL } from '../../../src/events/canonical-event.js';
import {
  createEnrichmentContext,
  loadState,
  persistingHooks,
  persistPending,
  runHooks,
  runPicks,
} from '../../../src/hooks/index.js';
import { createProcessTrackingHook, processStateSchema } from '../../../src/hooks/process-tracking.js';
import { MemoryStateStore } from '../../../src/state/memory-state-store.js';
import { dnsClient3008, HOST, T0 } from './event-factories.js';

const EXPLORER = '{39e4a257-1111-5f91-0000-000000000100}';
const CMD = '{39e4a257-2222-5f91-0000-000000000200}';
const PS = '{39e4a257-3333-5f91-0000-000000000300}';
const LSASS = '{39e4a257-4444-5f91-0000-000000000400}';

function sysmon(eventId: number, time: number, data: Record<string, string>, host = HOST): CanonicalEvent {
  return { host, channel: SYSMON_CHANNEL, provider: 'Microsoft-Windows-Sysmon', eventId, time, format: 'nxlog', data };
}

function create(time: number, guid: string, pid: string, image: string, parent: [string, string], user: string) {
  return sysmon(1, time, {
    ProcessGuid: guid,
    ProcessId: pid,
    Image: image,
    CommandLine: image,
    User: user,
    IntegrityLevel: user.includes('SYSTEM') ? 'System' : 'Medium',
    ParentProcessGuid: parent[0],
    ParentImage: parent[1],
    ParentCommandLine: `${parent[1]} /p`,
    CurrentDirectory: 'C:\\',
    Hashes: 'SHA1=00',
  });
}

const explorer = () =>
  create(T0, EXPLORER, '4000', 'C:\\Windows\\explorer.exe', ['{p}', 'C:\\Windows\\System32\\userinit.exe'], 'W\\bob');
const cmd = () =>
  create(T0 + 1000, CMD, '5000', 'C:\\Windows\\System32\\cmd.exe', [EXPLORER, 'C:\\Windows\\explorer.exe'], 'W\\bob');
const ps = () =>
  create(T0 + 2000, PS, '6000', 'C:\\ps.exe', [CMD, 'C:\\Windows\\System32\\cmd.exe'], 'NT AUTHORITY\\SYSTEM');

function run(events: CanonicalEvent[]) {
  const context = createEnrichmentContext();
  runHooks(events, [createProcessTrackingHook()], context);
  return context.counters['process-tracking'] ?? {};
}

describe('process-tracking', () => {
  it("pokes the process's parent, user and WHIDS Ancestors into its later events, never replacing a field", () => {
    // Prepare
    const file = sysmon(11, T0 + 3000, { ProcessGuid: PS, ProcessId: '6000', TargetFilename: 'C:\\x', User: 'kept' });
    const events = [explorer(), cmd(), ps(), file];
    // Act
    const counters = run(events);
    // Assess
    expect(file.data).toEqual({
      ProcessGuid: PS,
      ProcessId: '6000',
      TargetFilename: 'C:\\x',
      User: 'kept',
      IntegrityLevel: 'System',
      ParentProcessGuid: CMD.toLowerCase(),
      ParentImage: 'C:\\Windows\\System32\\cmd.exe',
      ParentCommandLine: 'C:\\Windows\\System32\\cmd.exe /p',
      ParentUser: 'W\\bob',
      ParentIntegrityLevel: 'Medium',
      Ancestors: 'C:\\Windows\\System32\\userinit.exe|C:\\Windows\\explorer.exe|C:\\Windows\\System32\\cmd.exe',
    });
    // The Sysmon 1 itself gains what it lacks: Ancestors and the parent's user and integrity level.
    expect(events[2]?.data).toMatchObject({
      ParentImage: 'C:\\Windows\\System32\\cmd.exe',
      Ancestors: 'C:\\Windows\\System32\\userinit.exe|C:\\Windows\\explorer.exe|C:\\Windows\\System32\\cmd.exe',
      ParentUser: 'W\\bob',
    });
    expect(events[0]?.data.Ancestors).toBe('C:\\Windows\\System32\\userinit.exe');
    expect(events[0]?.data.ParentUser).toBeUndefined();
    expect(counters).toMatchObject({ created: 3, poked: 4, untracked: 0 });
  });

  it('pokes the source and target of Sysmon 10 under Source / Target names', () => {
    // Prepare
    const access = sysmon(10, T0 + 5000, {
      SourceProcessGUID: PS,
      SourceProcessId: '6000',
      SourceImage: 'C:\\ps.exe',
      TargetProcessGUID: LSASS,
      TargetProcessId: '700',
      TargetImage: 'C:\\Windows\\System32\\lsass.exe',
    });
    // Act
    const counters = run([explorer(), cmd(), ps(), access]);
    // Assess
    expect(access.data).toMatchObject({
      SourceParentImage: 'C:\\Windows\\System32\\cmd.exe',
      SourceAncestors: 'C:\\Windows\\System32\\userinit.exe|C:\\Windows\\explorer.exe|C:\\Windows\\System32\\cmd.exe',
      SourceUser: 'NT AUTHORITY\\SYSTEM',
    });
    expect(access.data.ParentImage).toBeUndefined();
    expect(access.data.TargetParentImage).toBeUndefined();
    expect(counters).toMatchObject({ poked: 4, untracked: 1 });
  });

  it("never pokes an event before its process's Sysmon 1, another host's process, or after its Sysmon 5 + 10 s", () => {
    // Prepare
    const early = sysmon(3, T0 + 999, { ProcessGuid: CMD, ProcessId: '5000' });
    const otherHost = sysmon(3, T0 + 1500, { ProcessGuid: CMD, ProcessId: '5000' }, 'WORKSTATION6');
    const end = sysmon(5, T0 + 2000, { ProcessGuid: CMD, ProcessId: '5000' });
    const justAfter = sysmon(3, T0 + 12_000, { ProcessGuid: CMD, ProcessId: '5000' });
    const late = sysmon(3, T0 + 12_001, { ProcessGuid: CMD, ProcessId: '5000' });
    // Act
    const counters = run([explorer(), early, cmd(), otherHost, end, justAfter, late]);
    // Assess
    expect(early.data.ParentImage).toBeUndefined();
    expect(otherHost.data.ParentImage).toBeUndefined();
    expect(end.data.ParentImage).toBe('C:\\Windows\\explorer.exe');
    expect(justAfter.data.ParentImage).toBe('C:\\Windows\\explorer.exe');
    expect(late.data.ParentImage).toBeUndefined();
    expect(counters).toMatchObject({ terminated: 1, untracked: 3 });
  });

  it('gives a DNS-Client 3008 the ProcessGuid of the process holding its PID at that time (PIDs are reused)', () => {
    // Prepare: PID 5000 is cmd's until its Sysmon 5, then powershell's
    const before = dnsClient3008({ time: T0 + 500, processId: 5000 });
    const during = dnsClient3008({ time: T0 + 1500, processId: 5000 });
    const gap = dnsClient3008({ time: T0 + 20_000, processId: 5000 });
    const reused = dnsClient3008({ time: T0 + 40_000, processId: 5000 });
    const events = [
      explorer(),
      before,
      cmd(),
      during,
      sysmon(5, T0 + 5000, { ProcessGuid: CMD, ProcessId: '5000' }),
      gap,
      { ...ps(), time: T0 + 30_000, data: { ...ps().data, ProcessId: '5000' } },
      reused,
    ];
    // Act
    const counters = run(events);
    // Assess
    expect(before.data.ProcessGuid).toBeUndefined();
    expect(during.data.ProcessGuid).toBe(CMD.toLowerCase());
    expect(during.data.ParentImage).toBe('C:\\Windows\\explorer.exe');
    expect(gap.data.ProcessGuid).toBeUndefined();
    expect(reused.data.ProcessGuid).toBe(PS.toLowerCase());
    expect(counters).toMatchObject({ dnsGuidGiven: 2, dnsGuidUnknown: 2 });
  });

  it('learns a PID holder from any event naming ProcessGuid and ProcessId', () => {
    const seen = sysmon(22, T0, { ProcessGuid: LSASS, ProcessId: '700', QueryName: 'x' });
    const answer = dnsClient3008({ time: T0 + 100, processId: 700 });
    const counters = run([seen, answer]);
    expect(answer.data.ProcessGuid).toBe(LSASS.toLowerCase());
    // Both events name lsass, which has no Sysmon 1: nothing to poke into either.
    expect(counters).toMatchObject({ pidSightings: 1, dnsGuidGiven: 1, untracked: 2, poked: 0 });
  });

  it('works across batches through the state store: what one batch picked pokes the next', async () => {
    // Prepare: batch 1 holds the creations, batch 2 the process's events
    const store = new MemoryStateStore();
    const hooks = [createProcessTrackingHook()];
    const first = [explorer(), cmd(), ps()];
    const picking = createEnrichmentContext({}, { collect: true });
    runPicks(first, persistingHooks(hooks), picking);
    await persistPending(picking, store);
    const file = sysmon(11, T0 + 9000, { ProcessGuid: PS, ProcessId: '6000' });
    const answer = dnsClient3008({ time: T0 + 9000, processId: 6000 });
    const child = create(T0 + 9500, LSASS, '800', 'C:\\child.exe', [PS, 'C:\\ps.exe'], 'W\\eve');
    const second = [file, answer, child];
    // Act
    const context = createEnrichmentContext();
    await loadState(second, hooks, context, store);
    runHooks(second, hooks, context);
    // Assess
    expect(file.data.Ancestors).toBe(
      'C:\\Windows\\System32\\userinit.exe|C:\\Windows\\explorer.exe|C:\\Windows\\System32\\cmd.exe',
    );
    expect(answer.data.ProcessGuid).toBe(PS.toLowerCase());
    expect(child.data.Ancestors).toBe(
      'C:\\Windows\\System32\\userinit.exe|C:\\Windows\\explorer.exe|C:\\Windows\\System32\\cmd.exe|C:\\ps.exe',
    );
    expect(child.data.ParentUser).toBe('NT AUTHORITY\\SYSTEM');
  });

  it('a batch without the Sysmon 1 (another shard, or not yet in the store) leaves the events untouched', async () => {
    const file = sysmon(11, T0 + 9000, { ProcessGuid: PS, ProcessId: '6000' });
    const context = createEnrichmentContext();
    const hooks = [createProcessTrackingHook()];
    await loadState([file], hooks, context, new MemoryStateStore());
    runHooks([file], hooks, context);
    expect(file.data).toEqual({ ProcessGuid: PS, ProcessId: '6000' });
    expect(context.counters['process-tracking']).toMatchObject({ untracked: 1, poked: 0 });
  });

  it('schema: decodes only process-state values and merges in any order', () => {
    const schema = processStateSchema();
    expect(schema.decode({ kind: 'process', host: 'h', guid: 'g' })).toBeDefined();
    expect(schema.decode({ kind: 'pid', host: 'h', pid: 1, holders: [{ guid: 'g', from: 1 }] })).toBeDefined();
    expect(schema.decode({ kind: 'pid', host: 'h', pid: 1, holders: [{ guid: 'g' }] })).toBeUndefined();
    expect(schema.decode({ host: 'h' })).toBeUndefined();
    expect(schema.decode('x')).toBeUndefined();
    const a = { kind: 'process' as const, host: 'h', guid: 'g', start: 1, image: 'a' };
    const b = { kind: 'process' as const, host: 'h', guid: 'g', end: 9 };
    expect(schema.equals(schema.merge(a, b), schema.merge(b, a))).toBe(true);
    expect(schema.equals(schema.merge(schema.merge(undefined, a), a), a)).toBe(true);
  });
});
