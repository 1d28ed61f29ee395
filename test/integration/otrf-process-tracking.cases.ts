/**
 * The suite of otrf-process-tracking.test.ts (two recordings, npm test) and otrf-process-tracking.heavy.test.ts
 * (every recording): the process-tracking hook over OTRF recordings in ../shared (each file one batch, sorted by
 * event time), checked against a ground truth computed independently (test/helpers/process-ground-truth.ts); a
 * mirrored copy of one recording on another host with the same ProcessGuids; and the share of connections named
 * from the same process's answer (dns-process) with and without the hook, whose pick gives DNS-Client 3008
 * answers their ProcessGuid.
 */
import type { CanonicalEvent } from '../../src/events/canonical-event.js';
import { createDnsAnswersHook } from '../../src/hooks/dns-answers.js';
import { type AnyHook, createEnrichmentContext, runHooks } from '../../src/hooks/index.js';
import { createNetconnHostnameHook } from '../../src/hooks/netconn-hostname.js';
import { createProcessTrackingHook } from '../../src/hooks/process-tracking.js';
import { OTRF_DIR, otrfFiles, readOtrfEvents } from '../helpers/otrf.js';
import {
  CONTEXT_FIELDS,
  type ProcessGroundTruth,
  type ProcessTruth,
  processGroundTruth,
} from '../helpers/process-ground-truth.js';
import { describeUnless, itUnless, missing } from '../helpers/skip.js';

interface Run {
  file: string;
  events: CanonicalEvent[];
  /** Each event's EventData before the hooks ran. */
  before: Map<CanonicalEvent, Record<string, string>>;
  truth: ProcessGroundTruth;
  counters: Record<string, Record<string, number>>;
}

/** The mirrored host of {@link mirror}. */
const MIRROR_SUFFIX = '-MIRROR';

/**
 * A copy of `events` on another host (name + suffix) whose images and users differ (`M:` prefix), with the same
 * ProcessGuids: a hook that ignored the host would poke one host's context into the other's events.
 */
function mirror(events: readonly CanonicalEvent[]): CanonicalEvent[] {
  const changed = /^(Image|ParentImage|SourceImage|TargetImage|User|ParentCommandLine|ParentUser)$/;
  return events.map((event) => {
    const data: Record<string, string> = {};
    for (const [key, value] of Object.entries(event.data)) data[key] = changed.test(key) ? `M:${value}` : value;
    return { ...event, host: `${event.host}${MIRROR_SUFFIX}`, data };
  });
}

function runOn(file: string, events: CanonicalEvent[], hooks: AnyHook[]): Run {
  const before = new Map(events.map((event) => [event, { ...event.data }]));
  const truth = processGroundTruth(events);
  const context = createEnrichmentContext();
  runHooks(events, hooks, context);
  return { file, events, before, truth, counters: context.counters };
}

/** How the dns-process connections of a run were proven: a Sysmon 22 of their ProcessGuid, a 3008 of it, a PID only. */
interface Evidence {
  sysmon22: number;
  dnsClientGuid: number;
  pidOnly: number;
}

function dnsProcessEvidence(events: readonly CanonicalEvent[]): Evidence {
  const evidence: Evidence = { sysmon22: 0, dnsClientGuid: 0, pidOnly: 0 };
  const asked = (event: CanonicalEvent) =>
    `${event.host}|${event.data.ProcessGuid?.toLowerCase()}|${(event.data.QueryName ?? '').toLowerCase()}`;
  const bySysmon = new Set(events.filter((e) => e.eventId === 22 && e.channel.includes('Sysmon')).map(asked));
  const byClient = new Set(events.filter((e) => e.eventId === 3008 && e.data.ProcessGuid !== undefined).map(asked));
  for (const event of events) {
    if (event.eventId !== 3 || event.data.DestinationHostnameSource !== 'dns-process') continue;
    const key = `${event.host}|${event.data.ProcessGuid?.toLowerCase()}|${event.data.DestinationHostname}`;
    if (bySysmon.has(key)) evidence.sysmon22++;
    else if (byClient.has(key)) evidence.dnsClientGuid++;
    else evidence.pidOnly++;
  }
  return evidence;
}

/**
 * Brute force, no hook code: the ProcessGuid each DNS-Client 3008 should get: the process of the latest Sysmon event
 * at or before it on its host naming its PID (as ProcessId, SourceProcessId or TargetProcessId with the GUID beside
 * it), unless that process's Sysmon 5 came more than 10 s before the 3008. Undefined: no such process.
 */
function dnsClientGuidTruth(events: readonly CanonicalEvent[]): Map<CanonicalEvent, string | undefined> {
  const truth = new Map<CanonicalEvent, string | undefined>();
  const pairs = (event: CanonicalEvent): [string, string][] => {
    const d = event.data;
    const list: [string | undefined, string | undefined][] = [
      [d.ProcessGuid, d.ProcessId],
      [d.SourceProcessGuid ?? d.SourceProcessGUID, d.SourceProcessId],
      [d.TargetProcessGuid ?? d.TargetProcessGUID, d.TargetProcessId],
    ];
    return list.filter((p): p is [string, string] => p[0] !== undefined && p[1] !== undefined && p[0] !== '-');
  };
  for (const answer of events) {
    if (answer.eventId !== 3008 || answer.processId === undefined) continue;
    let latest: { time: number; guid: string } | undefined;
    for (const event of events) {
      if (!event.channel.includes('Sysmon') || event.host !== answer.host || event.time > answer.time) continue;
      for (const [guid, pid] of pairs(event)) {
        if (Number(pid) === answer.processId && (latest === undefined || event.time >= latest.time)) {
          latest = { time: event.time, guid: guid.toLowerCase() };
        }
      }
    }
    const ended =
      latest !== undefined &&
      events.some(
        (e) =>
          e.eventId === 5 &&
          e.host === answer.host &&
          e.data.ProcessGuid?.toLowerCase() === latest.guid &&
          e.time < answer.time - 10_000,
      );
    truth.set(answer, ended ? undefined : latest?.guid);
  }
  return truth;
}

const allHooks = (): AnyHook[] => [createProcessTrackingHook(), createDnsAnswersHook(), createNetconnHostnameHook()];

/** What the hook left in a field of a tracked side: `kept` (the event had it), or the value it wrote / undefined. */
function written(run: Run, truth: ProcessTruth, field: string): { kept: boolean; value: string | undefined } {
  const name = `${truth.side}${field}`;
  const original = run.before.get(truth.event)?.[name];
  return original !== undefined ? { kept: true, value: original } : { kept: false, value: truth.event.data[name] };
}

/** A tracked side carries the right ParentImage and Ancestors (a field the event had must be unchanged). */
function right(run: Run, truth: ProcessTruth): boolean {
  for (const field of ['ParentImage', 'Ancestors'] as const) {
    const { kept, value } = written(run, truth, field);
    if (kept) {
      if (truth.event.data[`${truth.side}${field}`] !== value) return false;
    } else if (value !== truth.expected[field]) return false;
  }
  return true;
}

/** Every context field the hook wrote that the ground truth does not give (another process's or host's context). */
function wrongFields(run: Run): string[] {
  const wrong: string[] = [];
  const describe = (event: CanonicalEvent, name: string) =>
    `${run.file} ${event.host} ${event.eventId} ${event.data.UtcTime} ${name}=${event.data[name]}`;
  for (const truth of run.truth.tracked) {
    for (const field of CONTEXT_FIELDS) {
      const { kept, value } = written(run, truth, field);
      if (kept) {
        if (truth.event.data[`${truth.side}${field}`] !== value) wrong.push(describe(truth.event, truth.side + field));
        continue;
      }
      if (value === undefined) continue;
      const expected = truth.expected[field];
      // GUIDs are written lower-case.
      const same = field === 'ParentProcessGuid' ? value === expected?.toLowerCase() : value === expected;
      if (!same) wrong.push(describe(truth.event, truth.side + field));
    }
  }
  for (const { event, side } of run.truth.untracked) {
    for (const field of CONTEXT_FIELDS) {
      const name = `${side}${field}`;
      if (run.before.get(event)?.[name] === undefined && event.data[name] !== undefined)
        wrong.push(describe(event, name));
    }
  }
  return wrong;
}

/** What a suite runs on. */
export interface SuiteOptions {
  title: string;
  /** Recordings (file names in OTRF_DIR); all of them when undefined. */
  files?: readonly string[];
  /** The recording also run with its mirror. */
  mirrorFile: string;
  /** Least number of recordings with tracked events (a check that the data is what the figures assume). */
  minTrackedFiles: number;
  /** Whether the recordings hold DNS-Client 3008 answers (only empire_mimikatz_opth does). */
  dnsClientAnswers: boolean;
}

/** Defines the suite (skipped, visibly, without ../shared). */
export function processTrackingSuite({
  title,
  files,
  mirrorFile,
  minTrackedFiles,
  dnsClientAnswers,
}: SuiteOptions): void {
  describeUnless(missing(OTRF_DIR))(title, () => {
    const runs: Run[] = [];
    let mirrored: Run;
    const share: {
      file: string;
      before: Record<string, number>;
      after: Record<string, number>;
      evidenceBefore: Evidence;
      evidenceAfter: Evidence;
    }[] = [];

    beforeAll(() => {
      for (const file of files ?? otrfFiles()) {
        runs.push(runOn(file, readOtrfEvents(file), allHooks()));
        const without = createEnrichmentContext();
        const bare = readOtrfEvents(file);
        runHooks(bare, [createDnsAnswersHook(), createNetconnHostnameHook()], without);
        share.push({
          evidenceBefore: dnsProcessEvidence(bare),
          evidenceAfter: dnsProcessEvidence(runs.at(-1)?.events ?? []),
          file,
          before: without.counters['netconn-hostname'] ?? {},
          after: runs.at(-1)?.counters['netconn-hostname'] ?? {},
        });
      }
      const original = readOtrfEvents(mirrorFile);
      const events = [...original, ...mirror(original)].sort((a, b) => a.time - b.time);
      mirrored = runOn(`${mirrorFile} + mirror`, events, allHooks());

      const rows = [...runs, mirrored].map((run) => {
        const tracked = run.truth.tracked;
        const c = run.counters['process-tracking'] ?? {};
        return [
          run.file.padEnd(62),
          run.events.length,
          tracked.length,
          tracked.filter((truth) => right(run, truth)).length,
          run.truth.untracked.length,
          wrongFields(run).length,
          c.created,
          c.terminated,
          c.poked,
          c.untracked,
          c.dnsGuidGiven,
          c.dnsGuidUnknown,
        ].join('\t');
      });
      console.log(
        `${'file'.padEnd(62)}\tevents\ttracked-sides\tright-parent+ancestors\tuntracked-sides\twrong-fields\tcreated\tterminated\tpoked\tuntracked\t3008-guid-given\t3008-guid-unknown\n${rows.join('\n')}`,
      );
      const shareRows = share.map(({ file, before, after }) =>
        [file.padEnd(62), before.enrichedProcess, before.enrichedHost, after.enrichedProcess, after.enrichedHost].join(
          '\t',
        ),
      );
      const sum = (pick: (s: (typeof share)[number]) => number | undefined) =>
        share.reduce((total, s) => total + (pick(s) ?? 0), 0);
      const beforeProcess = sum((s) => s.before.enrichedProcess);
      const beforeEnriched = beforeProcess + sum((s) => s.before.enrichedHost);
      const afterProcess = sum((s) => s.after.enrichedProcess);
      const afterEnriched = afterProcess + sum((s) => s.after.enrichedHost);
      const evidence = (which: 'evidenceBefore' | 'evidenceAfter') =>
        (['sysmon22', 'dnsClientGuid', 'pidOnly'] as const)
          .map((key) => `${key} ${sum((s) => s[which][key])}`)
          .join(', ');
      console.log(
        `${'file'.padEnd(62)}\tbefore dns-process\tbefore dns-host\tafter dns-process\tafter dns-host\n${shareRows.join('\n')}\n` +
          `dns-process share of enriched connections: before ${beforeProcess}/${beforeEnriched}, after ${afterProcess}/${afterEnriched}\n` +
          `dns-process connections by evidence: before ${evidence('evidenceBefore')}; after ${evidence('evidenceAfter')}`,
      );
    });

    const tracked = () => runs.flatMap((run) => run.truth.tracked.map((truth) => ({ run, truth })));

    it('has events whose process has an earlier Sysmon 1, in several recordings', () => {
      expect(runs.length).toBe(files?.length ?? otrfFiles().length);
      expect(runs.filter((run) => run.truth.tracked.length > 0).length).toBeGreaterThanOrEqual(minTrackedFiles);
      expect(tracked().filter(({ truth }) => (truth.expected.Ancestors ?? '').includes('|')).length).toBeGreaterThan(
        50,
      );
    });

    it('gives >= 99.5% of them the right ParentImage and Ancestors', () => {
      const all = tracked();
      const correct = all.filter(({ run, truth }) => right(run, truth));
      expect(correct.length / all.length).toBeGreaterThanOrEqual(0.995);
    });

    it("never writes another process's context, nor any into a process without an earlier Sysmon 1", () => {
      expect(runs.flatMap(wrongFields)).toEqual([]);
    });

    itUnless(dnsClientAnswers ? undefined : 'no DNS-Client 3008 in these recordings')(
      'gives each DNS-Client 3008 the ProcessGuid of the process last seen with its PID, and no other',
      () => {
        const answers = runs.flatMap((run) => [...dnsClientGuidTruth(run.events)]);
        const given = answers.filter(([answer]) => answer.data.ProcessGuid !== undefined);
        console.log(
          `DNS-Client 3008: ${answers.length}, with a known PID holder ${answers.filter(([, guid]) => guid).length}, given a ProcessGuid ${given.length}`,
        );
        expect(given.length).toBeGreaterThan(0);
        expect(answers.filter(([answer, guid]) => answer.data.ProcessGuid !== guid)).toEqual([]);
      },
    );

    it("never writes another host's context: a mirrored host with the same ProcessGuids keeps its own", () => {
      const mirrorSides = mirrored.truth.tracked.filter(({ event }) => event.host.endsWith(MIRROR_SUFFIX));
      expect(mirrorSides.length).toBeGreaterThan(50);
      expect(mirrorSides.every(({ expected }) => expected.ParentImage?.startsWith('M:'))).toBe(true);
      expect(mirrored.truth.tracked.filter((truth) => right(mirrored, truth)).length).toBe(
        mirrored.truth.tracked.length,
      );
      expect(wrongFields(mirrored)).toEqual([]);
    });
  });
}
