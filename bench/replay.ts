/**
 * What users run: the whole `replay` command (the built CLI, dist/hookstream.js, in a fresh process) on the OTRF
 * recordings with the whole SigmaHQ Windows folder, beside the same run's ceiling: the cheapest JSON-in/JSON-out
 * program over the same lines (read and unpack the same files, JSON.parse and JSON.stringify each line, join them
 * and gzip once). Also: where replay's CPU goes (a CPU profile of the same command from the sources, by phase),
 * its peak RSS, and (with `scales`) the peak RSS of 3x and 10x the folder.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { formatMs, formatRss, PROJECT_ROOT, runNode } from './child-process.js';
import { type Figure, formatRate } from './measure.js';

interface ReplaySummary {
  read: number;
  written: number;
  alerts?: number;
}

/** The lines of a .zip or .tar.gz recording (every member, split at newlines, blank lines dropped). */
function recordingLines(file: string): string[] {
  const bytes = readFileSync(file);
  const texts: string[] = [];
  if (file.endsWith('.zip')) {
    for (const content of Object.values(unzipSync(new Uint8Array(bytes))))
      texts.push(Buffer.from(content).toString('utf8'));
  } else {
    // One OTRF archive's gzip stream lacks its trailer: read what is there, as replay does.
    const tar = gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });
    for (let offset = 0; offset + 512 <= tar.length; ) {
      const header = tar.subarray(offset, offset + 512);
      if (header.every((byte) => byte === 0)) break;
      const size = Number.parseInt(header.subarray(124, 136).toString('latin1').replace(/\0.*$/, '').trim() || '0', 8);
      const type = header[156];
      const start = offset + 512;
      if (type === 48 || type === 0)
        texts.push(tar.subarray(start, Math.min(start + size, tar.length)).toString('utf8'));
      offset = start + Math.ceil(size / 512) * 512;
    }
  }
  return texts.flatMap((text) => text.split('\n').filter((line) => line.trim().length > 0));
}

/**
 * The ceiling: read and unpack the files, JSON.parse + JSON.stringify every line, join, gzip once. Lines that are
 * not JSON (a recording cut mid-line) are counted and passed through, as the cheapest program would have to.
 */
export function measureCeiling(files: readonly string[]): { lines: number; ms: number; cpuMs: number } {
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let lines = 0;
  const out: string[] = [];
  for (const file of files) {
    for (const line of recordingLines(file)) {
      lines++;
      try {
        out.push(JSON.stringify(JSON.parse(line)));
      } catch {
        out.push(line);
      }
    }
  }
  const gz = gzipSync(out.join('\n'));
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  if (gz.length === 0) throw new Error('unreachable: keeps the work from being optimised away');
  return { lines, ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** A folder holding `times` copies of every recording (renamed, so none is skipped as a duplicate path). */
export function scaledInput(source: string, times: number, into: string): string {
  const dir = path.join(into, `x${times}`);
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(source).filter((n) => n.endsWith('.zip') || n.endsWith('.tar.gz'))) {
    for (let i = 0; i < times; i++) copyFileSync(path.join(source, name), path.join(dir, `copy${i}-${name}`));
  }
  return dir;
}

const CLI = path.join(PROJECT_ROOT, 'dist/hookstream.js');

function replayArgs(input: string, out: string, rules: string): string[] {
  return [input, '--out', out, '--rules', rules, '--skip-invalid-rules', '--no-progress', '--json'];
}

/** The prefilter automata each rule list builds on its first event (PrefilteredList.groupsOf, prefilter.ts). */
const LAZY_AUTOMATA = 'detection: automata built on first use';

/** Where the CPU of a replay went, by phase, from a CPU profile (self time, built-ins charged to their caller). */
export function phasesOf(profileFile: string): Map<string, number> {
  type Node = { id: number; callFrame: { functionName: string; url: string }; children?: number[] };
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as {
    nodes: Node[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const phaseOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = phaseOf.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id) as Node;
    const { url, functionName } = node.callFrame;
    let phase: string | undefined;
    if (functionName === '(garbage collector)') phase = 'garbage collection';
    else if (functionName === '(idle)' || functionName === '(program)') phase = 'idle, program';
    else if (functionName === 'loadRuleFiles') phase = 'rule set load';
    else if (functionName === 'groupsOf') phase = LAZY_AUTOMATA;
    else phase = phaseOfUrl(url);
    const up = parent.get(id);
    // A node that says nothing by itself (a built-in, a package) takes its caller's phase; the rule set load claims
    // everything under it.
    const inherited = up === undefined ? undefined : classify(up);
    const result =
      inherited === 'rule set load' || inherited === 'start-up (modules)' || inherited === LAZY_AUTOMATA
        ? inherited
        : (phase ?? inherited ?? 'other');
    phaseOf.set(id, result);
    return result;
  };
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const phase = classify(id);
    totals.set(phase, (totals.get(phase) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return totals;
}

function phaseOfUrl(url: string): string | undefined {
  if (url === '') return undefined;
  if (/node:internal\/modules|\/tsx\/|esbuild/.test(url)) return 'start-up (modules)';
  if (/node:zlib|node_modules\/fflate.*(deflate|gzip)/.test(url)) return 'gzip';
  if (
    /\/src\/events\/(decode|evtx)\/|\/cli\/io\/|node_modules\/(fflate|fzstd|tar-stream|streamx|aws-kinesis-agg)/.test(
      url,
    )
  ) {
    return 'decode (bytes to documents)';
  }
  if (/\/src\/events\//.test(url)) return 'normalise (documents to events)';
  if (/\/src\/(hooks|dns|state)\//.test(url)) return 'hooks';
  if (/\/src\/detection\/|node_modules\/re2js/.test(url)) return 'detection';
  if (/\/src\/pipeline\/(output-record|alert-record|batch-outputs|partition)/.test(url))
    return 'output (records, JSON)';
  if (/\/cli\/replay\//.test(url)) return 'replay driver (runs, spill, write)';
  if (/\/src\/pipeline\//.test(url)) return 'pipeline (batching, summary)';
  return undefined;
}

export interface ReplayBenchOptions {
  otrf: string;
  rules: string;
  /** Input sizes (multiples of the OTRF folder) to measure peak RSS on; 1 is always measured. */
  scales: readonly number[];
  /** Whether to profile a run for the phases (a replay from the sources through tsx). */
  phases: boolean;
}

export function benchReplay(options: ReplayBenchOptions): Figure[] {
  const files = readdirSync(options.otrf)
    .filter((n) => n.endsWith('.zip') || n.endsWith('.tar.gz'))
    .sort()
    .map((n) => path.join(options.otrf, n));
  const work = mkdtempSync(path.join(tmpdir(), 'hookstream-bench-replay-'));
  try {
    const cacheDir = path.join(work, 'cache');
    const env = { HOOKSTREAM_CACHE_DIR: cacheDir };
    const out = path.join(work, 'out');
    const replay = (input: string) => {
      rmSync(out, { recursive: true, force: true });
      const run = runNode([CLI, 'replay', ...replayArgs(input, out, options.rules)], env);
      return { run, summary: JSON.parse(run.stdout) as ReplaySummary };
    };
    const ceiling = measureCeiling(files);
    const coldCache = replay(options.otrf);
    const warm = replay(options.otrf);
    // The ceiling once more after the replays: the better of the two (the machine is shared).
    const ceiling2 = measureCeiling(files);
    const best = ceiling2.cpuMs < ceiling.cpuMs ? ceiling2 : ceiling;
    const events = warm.summary.read;
    const cpuMs = warm.run.usage.userMs + warm.run.usage.systemMs;
    const replayRate = (events / warm.run.wallMs) * 1000;
    const ceilingRate = (best.lines / best.ms) * 1000;
    const replayCpuRate = (events / cpuMs) * 1000;
    const ceilingCpuRate = (best.lines / best.cpuMs) * 1000;
    const figures: Figure[] = [
      { name: 'input', value: `${files.length} OTRF recordings, ${best.lines.toLocaleString('en-US')} lines` },
      {
        name: 'ceiling: read, JSON.parse + stringify, join, gzip',
        value: `${formatRate(ceilingRate)} (CPU: ${formatRate(ceilingCpuRate)})`,
      },
      {
        name: 'replay, whole command (warm rule cache)',
        value: `${formatRate(replayRate)} (CPU: ${formatRate(replayCpuRate)}); ${formatMs(warm.run.wallMs)} wall, ${formatMs(cpuMs)} CPU`,
      },
      {
        name: 'ratio to the ceiling (target >= 0.7)',
        value: `${(replayRate / ceilingRate).toFixed(3)} wall, ${(replayCpuRate / ceilingCpuRate).toFixed(3)} CPU`,
      },
      {
        name: 'replay, first run (rule cache empty)',
        value: `${formatMs(coldCache.run.wallMs)} wall, ${formatMs(coldCache.run.usage.userMs + coldCache.run.usage.systemMs)} CPU`,
      },
      { name: 'events read / written', value: `${events} / ${warm.summary.written}` },
      { name: 'peak RSS, 1x', value: formatRss(warm.run.usage.maxRssKb) },
    ];
    for (const times of options.scales.filter((s) => s > 1)) {
      const input = scaledInput(options.otrf, times, work);
      const scaled = replay(input);
      const scaledCpuMs = scaled.run.usage.userMs + scaled.run.usage.systemMs;
      const scaledCpuRate = (scaled.summary.read / scaledCpuMs) * 1000;
      const scaledRate = (scaled.summary.read / scaled.run.wallMs) * 1000;
      // The ceiling is per line, so the 1x ceiling's rate holds for N copies of the same lines.
      figures.push({
        name: `peak RSS, ${times}x (${scaled.summary.read.toLocaleString('en-US')} events)`,
        value:
          `${formatRss(scaled.run.usage.maxRssKb)}; ${formatMs(scaled.run.wallMs)} wall, ${formatMs(scaledCpuMs)} CPU; ` +
          `ratio to the ceiling ${(scaledRate / ceilingRate).toFixed(3)} wall, ${(scaledCpuRate / ceilingCpuRate).toFixed(3)} CPU`,
      });
      rmSync(input, { recursive: true, force: true });
    }
    if (options.phases) figures.push(...profiledPhases(options, work, env));
    return figures;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The same replay from the sources (tsx) under --cpu-prof, its CPU split by phase (start-up is tsx's, not ours). */
function profiledPhases(options: ReplayBenchOptions, work: string, env: NodeJS.ProcessEnv): Figure[] {
  const profiles = path.join(work, 'profile');
  const out = path.join(work, 'out-profiled');
  runNode([path.join(PROJECT_ROOT, 'cli/main.ts'), 'replay', ...replayArgs(options.otrf, out, options.rules)], env, [
    '--import',
    'tsx',
    '--cpu-prof',
    `--cpu-prof-dir=${profiles}`,
  ]);
  // One profile per thread (tsx runs its loader in a worker): the main thread's is the largest.
  const [file] = readdirSync(profiles)
    .map((name) => ({ name, size: statSync(path.join(profiles, name)).size }))
    .sort((a, b) => b.size - a.size)
    .map((entry) => entry.name);
  if (file === undefined) return [{ name: 'phases', value: 'no profile written' }];
  const phases = phasesOf(path.join(profiles, file));
  const total = [...phases.values()].reduce((a, b) => a + b, 0);
  return [...phases]
    .sort((a, b) => b[1] - a[1])
    .map(([phase, ms]) => ({
      name: `phase: ${phase}`,
      value: `${formatMs(ms)} (${((100 * ms) / total).toFixed(1)}%)`,
    }));
}

/**
 * The CLI's start-up: `--version`, and a replay of 200 lines without rules (what every command pays before its
 * work), best of `repeats` fresh processes each (the machine is shared).
 */
export function benchStartup(otrf: string, repeats: number): Figure[] {
  const work = mkdtempSync(path.join(tmpdir(), 'hookstream-bench-startup-'));
  try {
    const [first] = readdirSync(otrf)
      .filter((n) => n.endsWith('.zip'))
      .sort();
    if (first === undefined) return [{ name: 'start-up', value: `skipped: no .zip recording in ${otrf}` }];
    const small = path.join(work, 'small.json');
    writeFileSync(small, `${recordingLines(path.join(otrf, first)).slice(0, 200).join('\n')}\n`);
    const bestOf = (args: string[]) => {
      let kept: ReturnType<typeof runNode> | undefined;
      for (let i = 0; i < repeats; i++) {
        const run = runNode(args);
        if (kept === undefined || run.wallMs < kept.wallMs) kept = run;
      }
      return kept as ReturnType<typeof runNode>;
    };
    const version = bestOf([CLI, '--version']);
    const replay = bestOf([CLI, 'replay', small, '--out', path.join(work, 'out'), '--no-progress', '--json']);
    const line = (run: ReturnType<typeof runNode>) =>
      `${formatMs(run.wallMs)} wall, ${formatMs(run.usage.userMs + run.usage.systemMs)} CPU, peak RSS ${formatRss(run.usage.maxRssKb)}`;
    return [
      { name: 'hookstream --version', value: line(version) },
      { name: 'hookstream replay, 200 lines, no rules', value: line(replay) },
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
