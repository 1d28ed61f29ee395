import { rm } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as turnOfTheLoop } from 'node:timers/promises';
import { loadContainerFolders } from '../../node-io/container-files.js';
import { loadRuleFiles, type RuleLoadReport } from '../../node-io/load-rules.js';
import { defaultRuleCache } from '../../node-io/rule-cache.js';
import type { BaseMatch } from '../../src/detection/correlation/index.js';
import { MemoryCorrelationStore } from '../../src/detection/correlation/index.js';
import type { RuleSet } from '../../src/detection/index.js';
import type { RuleSelection } from '../../src/detection/rule-selection.js';
import { type RecordOutcome, readRecord } from '../../src/events/read-record.js';
import {
  createEnrichmentContext,
  createHooks,
  type EnrichmentContext,
  type EnrichmentOptions,
  type HookPlan,
  planHooks,
  runPicks,
  runPokes,
} from '../../src/hooks/index.js';
import { toAlertRecord } from '../../src/pipeline/alert-record.js';
import { isConnection } from '../../src/pipeline/connection-keys.js';
import { countOutcome, type SourcedEvent, toRejectedLine } from '../../src/pipeline/decode-batch.js';
import { toOutputRecord } from '../../src/pipeline/output-record.js';
import { partitionOf } from '../../src/pipeline/partition.js';
import {
  CORRELATION_TOLERANCE_MS,
  countHooks,
  detect,
  detectCorrelations,
  snapshotCounters,
} from '../../src/pipeline/process-batch.js';
import { emptySummary, type Summary } from '../../src/pipeline/summary.js';
import { DamagedInputError } from '../io/damaged-input.js';
import { KNOWN_EXTENSIONS, streamInputs } from '../io/input-files.js';
import { checkOutputFolder } from '../io/output-folder.js';
import { SKIP_HINT } from '../rule-flags.js';
import {
  compareSpilled,
  fieldsOf,
  LineWriter,
  lineOf,
  MemoryRun,
  mergeRuns,
  type Run,
  type SpilledEvent,
  writeRun,
} from './event-runs.js';
import { fullCollection } from './full-collection.js';
import { AlertWriter, PartitionWriter } from './partition-writers.js';
import type { ReplayProgress } from './progress-bar.js';
import { recordPieces } from './record-chunks.js';
import { ReplayStaging } from './staging.js';

/**
 * replay reads each file (or archive entry) as one record: a responder's export is not a 1 MiB Kinesis record, so
 * the per-record document cap does not apply, and a record read whole (not cut: see record-chunks.ts) may inflate
 * to 2 GiB.
 */
const REPLAY_RECORD_LIMITS = { decompressedBytes: 2 * 1024 ** 3, documents: Number.POSITIVE_INFINITY };

/**
 * A sorted run is made once the events held reach this much input text, or this many events (whichever first):
 * what bounds replay's memory (docs/replay.md). Runs are kept in memory (as objects: no JSON written and parsed
 * again) while all of them hold at most `memoryBytes` of input text and `memoryEvents` events; the first run past
 * that budget writes them all to the scratch folder (then one full collection: full-collection.ts), and every later
 * run goes there too. So an input is either replayed wholly in memory or wholly through disk runs. Held events cost
 * about 1.4 KB of heap each on the OTRF recordings (2.2 KB for the first 20,000). The budget holds the 39,373 OTRF
 * events (113 MB of text): with the SigmaHQ rules, 1x OTRF peaked at 290 MB wholly in memory; 3x and 10x (held,
 * then written out) at 283-309 MB, 5x XML (130,000 events) at 256-285 MB with the collection, 338-405 MB without.
 * Until session 8 the budget was 64 MiB / 20,000 events, so 1x went through disk (about 17% more CPU).
 */
export const RUN_LIMITS: RunLimits = {
  bytes: 8 * 1024 * 1024,
  events: 8_000,
  memoryBytes: 128 * 1024 * 1024,
  memoryEvents: 40_000,
};

export interface RunLimits {
  bytes: number;
  events: number;
  /** Default {@link RUN_LIMITS}'s; 0: every run to disk. */
  memoryBytes?: number;
  memoryEvents?: number;
}

export interface ReplayOptions {
  inputs: string[];
  out: string;
  /** Sigma rule files or folders; none: no detection. */
  rules?: string[];
  /** Which of those rules to load. Default: all but deprecated and unsupported. */
  ruleSelection?: RuleSelection;
  /** true: rules that do not compile are left out and listed; default: any such rule refuses the replay. */
  skipInvalidRules?: boolean;
  /** IOC container folders (node-io/container-files.ts) for Gene `in <name>` and Sigma `|expand`. Default: none. */
  containers?: readonly string[];
  /** false: no enrichment (the hooks do not run). */
  enrich: boolean;
  enrichment: EnrichmentOptions;
  dedupeFields: string[];
  /** Told as events are processed (often: a progress bar throttles it). */
  onProgress?: (progress: ReplayProgress) => void;
  /** Aborting stops the replay at the next piece or batch; `--out` is left as it was ({@link ReplayInterruptedError}). */
  signal?: AbortSignal;
  /** Run and memory limits (tests use small ones); default {@link RUN_LIMITS}. */
  runLimits?: RunLimits;
  /** Text per piece of a large input (tests use small ones); default TEXT_PIECE_BYTES (record-chunks.ts). */
  pieceBytes?: number;
  /** The longest line of newline-delimited JSON read as a record (record-chunks.ts, MAX_LINE_BYTES); for tests. */
  maxLineBytes?: number;
}

export interface ReplayResult {
  summary: Summary;
  /** What --rules loaded and left out; undefined without --rules. */
  rules?: RuleLoadReport;
  /** Rejected records read from a folder named `invalid` (events/invalid/ holds deliberately broken samples). */
  rejectedFromInvalid: number;
  objectsWritten: number;
  /** The input files not read (skipped: see streamInputs), by reason. */
  skippedByReason: Record<string, number>;
  /** Sorted runs made (events and picked events, in memory or on disk): 1 or 2 for a small input. */
  runs: number;
  /** Of those, the runs written to the scratch folder (the picked events' run included). */
  runsOnDisk: number;
}

/** An input that yields no record (an empty folder, no supported files): nothing to replay, which is an error. */
export class NoInputRecordsError extends Error {
  constructor(inputs: readonly string[], skippedByReason: Record<string, number> = {}) {
    const skipped = Object.entries(skippedByReason).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    super(
      skipped.length === 0
        ? `no input records in ${inputs.join(', ')}: no files with a supported extension (${KNOWN_EXTENSIONS})`
        : `no input records in ${inputs.join(', ')}: every file was skipped: ${skipped.map(([reason, n]) => `${n} ${reason}`).join('; ')}`,
    );
    this.name = 'NoInputRecordsError';
  }
}

/** The replay was interrupted (Ctrl-C): nothing was written, `--out` is as it was. */
export class ReplayInterruptedError extends Error {
  constructor() {
    super('replay interrupted: nothing written, the output folder is as it was');
    this.name = 'ReplayInterruptedError';
  }
}

/** A record whose path (or archive entry path) has a folder named `invalid`. */
function fromInvalidFolder(origin: string): boolean {
  return origin
    .split(/[\\/!]/)
    .slice(0, -1)
    .includes('invalid');
}

/**
 * Replays files through the same core the Lambdas run, with the whole input as one batch (answers in one file
 * name connections in another; every pick runs before any poke; events in event-time order), in memory bounded
 * whatever the input's size: see docs/replay.md. Replaces `<out>/events`, `<out>/alerts` and `<out>/rejected`
 * when it finishes, and only in a folder hookstream marked as its own (see output-folder.ts): anything else is
 * refused up front. A replay that fails or is interrupted leaves `--out` as it was.
 */
export async function runReplay(options: ReplayOptions): Promise<ReplayResult> {
  // Before reading: a refused --out must cost nothing and change nothing. The rules are read too, so they count.
  const before = await checkOutputFolder(options.out, [...options.inputs, ...(options.rules ?? [])]);
  // Rules first: a rule that does not compile refuses the replay before a large input is read.
  let rules: RuleSet | undefined;
  let report: RuleLoadReport | undefined;
  if (options.rules !== undefined && options.rules.length > 0) {
    const loaded = await loadRuleFiles(
      options.rules,
      {
        ...(options.ruleSelection ? { selection: options.ruleSelection } : {}),
        skipInvalidRules: options.skipInvalidRules ?? false,
        ...(options.containers ? { containers: loadContainerFolders(options.containers) } : {}),
        // Parsed rule files cached in hookstream's cache folder (node-io/rule-cache.ts): no YAML parse when unchanged.
        cache: defaultRuleCache(),
      },
      SKIP_HINT,
    );
    rules = loaded.result.ruleSet;
    report = loaded.report;
  }
  throwIfInterrupted(options.signal);
  const staging = await ReplayStaging.open(options.out, before);
  try {
    const result = await new StreamingReplay(options, staging, rules).run();
    throwIfInterrupted(options.signal);
    await staging.commit();
    return { ...result, ...(report ? { rules: report } : {}) };
  } catch (error) {
    await staging.abandon();
    if (options.signal?.aborted) throw new ReplayInterruptedError();
    throw error;
  }
}

function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ReplayInterruptedError();
}

/** Events handed to the hooks, the rules and the writers at a time. */
const BATCH = 64;
/**
 * Events decoded in pass 1 between two turns of the event loop. Inflating the input and compressing the output run
 * on libuv's thread pool, one chunk per job, and the next job is handed over only by the last one's callback, on
 * the main thread. Awaits that are already settled never let those callbacks run, so without a turn of the loop the
 * thread pool sat still while the main thread decoded or detected, and worked only while it waited: the reads
 * ahead and the queued gzip bytes were compressed serially after all (1x OTRF, session 9: about 300 ms of the main
 * thread idle at the drains and reads). Pass 3 takes a turn after every batch.
 */
const EVENTS_PER_TURN = 256;

/** One replay: pass 1 reads and spills, pass 2 picks, pass 3 pokes, detects and writes (docs/replay.md). */
class StreamingReplay {
  private readonly summary = emptySummary();
  /**
   * The arrival of every rejected item and event of the run: the newest modification time of the input files,
   * so that the same input files give the same output (docs/replay.md); the run's start when there is no file.
   */
  private arrival = Date.now();
  private readonly plan: HookPlan | undefined;
  private readonly context: EnrichmentContext;
  private readonly origins: string[] = [];
  private readonly runs: Run[] = [];
  private readonly pickRuns: Run[] = [];
  private readonly limits: Required<RunLimits>;
  /** Input text and events of the runs kept in memory; overflowed: past the budget, every run on disk. */
  private memoryBytes = 0;
  private memoryEvents = 0;
  private overflowed = false;
  private runsOnDisk = 0;
  private rejectedFromInvalid = 0;
  private readonly skippedByReason: Record<string, number> = {};
  private objects = 0;

  constructor(
    private readonly options: ReplayOptions,
    private readonly staging: ReplayStaging,
    private readonly rules: RuleSet | undefined,
  ) {
    this.plan = options.enrich ? planHooks(createHooks(options.enrichment)) : undefined;
    this.context = createEnrichmentContext(options.enrichment);
    this.limits = { ...RUN_LIMITS, ...options.runLimits } as Required<RunLimits>;
  }

  async run(): Promise<Omit<ReplayResult, 'rules'>> {
    const spilled = await this.readAndSpill();
    const before = snapshotCounters(this.context);
    if (this.plan !== undefined && this.pickRuns.length > 0) await this.pick(spilled.picks);
    const written = await this.pokeDetectWrite(spilled.events);
    if (this.plan !== undefined) countHooks(this.summary, before, this.context);
    this.summary.written = written;
    this.summary.skippedInputs = spilled.skippedInputs;
    return {
      summary: this.summary,
      rejectedFromInvalid: this.rejectedFromInvalid,
      skippedByReason: this.skippedByReason,
      objectsWritten: this.objects,
      runs: this.runs.length + this.pickRuns.length,
      runsOnDisk: this.runsOnDisk,
    };
  }

  /** Whether a pick hook selects the event: such events go to the pick runs, read again in pass 2. */
  private picked(item: SpilledEvent): boolean {
    const selected = this.plan?.byChannel.get(item.event.channel)?.get(item.event.eventId);
    return selected !== undefined && selected.pick.length > 0;
  }

  /**
   * Pass 1: every input streamed, cut into pieces, decoded and normalised (counted as decodeBatch counts); the
   * events spilled in sorted runs, the rejected items written to rejected/ as they come.
   */
  private async readAndSpill(): Promise<{ events: number; picks: number; skippedInputs: number }> {
    const { summary, options } = this;
    const rejected = new PartitionWriter(this.staging.area('rejected'), 'replay');
    let skippedInputs = 0;
    let totalBytes = 0;
    let bytesRead = 0;
    let seq = 0;
    let events = 0;
    let picks = 0;
    let held: SpilledEvent[] = [];
    let heldPicks: SpilledEvent[] = [];
    let heldBytes = 0;
    const spill = async () => {
      const count = held.length + heldPicks.length;
      const inMemory =
        !this.overflowed &&
        this.memoryBytes + heldBytes <= this.limits.memoryBytes &&
        this.memoryEvents + count <= this.limits.memoryEvents;
      if (inMemory) {
        this.memoryBytes += heldBytes;
        this.memoryEvents += count;
      } else if (!this.overflowed) {
        this.overflowed = true;
        await this.writeOut(this.runs, 'run');
        await this.writeOut(this.pickRuns, 'pick-run');
        // The held events are garbage now: collected at once, so the heap's limit comes down with them.
        fullCollection();
      }
      const keep = async (items: SpilledEvent[], name: string, into: Run[]) => {
        if (items.length === 0) return;
        if (inMemory) {
          items.sort(compareSpilled);
          into.push(new MemoryRun(items));
          return;
        }
        const file = path.join(this.staging.scratch, `${name}-${into.length}.jsonl`);
        await writeRun(file, items);
        into.push(file);
        this.runsOnDisk++;
      };
      await keep(held, 'run', this.runs);
      await keep(heldPicks, 'pick-run', this.pickRuns);
      held = [];
      heldPicks = [];
      heldBytes = 0;
    };
    try {
      const inputs = streamInputs(options.inputs, {
        onSkipped: ({ reason }) => {
          skippedInputs++;
          this.skippedByReason[reason] = (this.skippedByReason[reason] ?? 0) + 1;
        },
        onListed: (_files, bytes, newestModified) => {
          totalBytes = bytes;
          if (newestModified !== undefined) this.arrival = newestModified;
        },
        onBytes: (bytes) => {
          bytesRead += bytes;
        },
      });
      for await (const input of inputs) {
        const origin = this.origins.push(input.source) - 1;
        const invalid = fromInvalidFolder(input.source);
        let position = 0;
        const take = async (outcomes: readonly RecordOutcome[]) => {
          for (const outcome of outcomes) {
            countOutcome(summary, outcome);
            const at = position++;
            if (at % EVENTS_PER_TURN === EVENTS_PER_TURN - 1) await turnOfTheLoop();
            if (outcome.kind === 'event') {
              const item: SpilledEvent = { seq: seq++, origin, position: at, event: outcome.event };
              if (this.picked(item)) heldPicks.push(item);
              else held.push(item);
            } else if (outcome.kind === 'rejected') {
              if (invalid) this.rejectedFromInvalid++;
              const line = toRejectedLine({
                origin: input.source,
                arrival: this.arrival,
                reason: outcome.reason,
                raw: outcome.raw,
              });
              await rejected.write(partitionOf(this.arrival), JSON.stringify(line));
            }
          }
        };
        try {
          for await (const piece of recordPieces(input, options.pieceBytes, options.maxLineBytes)) {
            throwIfInterrupted(options.signal);
            await take(
              piece instanceof Uint8Array
                ? readRecord(piece, REPLAY_RECORD_LIMITS)
                : [{ kind: 'rejected', reason: piece.reason, raw: piece.bytes }],
            );
            heldBytes += piece instanceof Uint8Array ? piece.length : 0;
            if (heldBytes >= this.limits.bytes || held.length + heldPicks.length >= this.limits.events) {
              events += held.length;
              picks += heldPicks.length;
              await spill();
            }
            options.onProgress?.({ phase: 'read', events: seq, bytes: bytesRead, totalBytes, source: input.source });
          }
        } catch (error) {
          // The rest of this input cannot be read (a damaged archive entry): rejected, and the next input read.
          if (!(error instanceof DamagedInputError)) throw error;
          await take([{ kind: 'rejected', reason: error.reason, raw: error.raw }]);
        }
      }
      if (this.origins.length === 0) throw new NoInputRecordsError(options.inputs, this.skippedByReason);
      events += held.length;
      picks += heldPicks.length;
      await spill();
      await rejected.close();
    } catch (error) {
      rejected.destroy();
      throw error;
    }
    this.objects += rejected.partitions.length;
    return { events: events + picks, picks, skippedInputs };
  }

  /** Writes the memory runs of `runs` to the scratch folder, in place (the budget is passed). */
  private async writeOut(runs: Run[], name: string): Promise<void> {
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i];
      if (!(run instanceof MemoryRun)) continue;
      const file = path.join(this.staging.scratch, `${name}-${i}.jsonl`);
      await writeRun(file, run.items as SpilledEvent[]);
      runs[i] = file;
      this.runsOnDisk++;
    }
    this.memoryBytes = 0;
    this.memoryEvents = 0;
  }

  /**
   * Pass 2: the events a pick hook selects, merged in event-time order, through every pick; written again as one
   * sorted run (a pick may write into its event: process tracking names a DNS-Client event's process).
   */
  private async pick(total: number): Promise<void> {
    const plan = this.plan as HookPlan;
    // The picked events from memory runs stay in memory (already counted in the budget), the others go to disk:
    // two sorted runs, which pass 3 merges as it would one.
    const kept: SpilledEvent[] = [];
    const onDisk = this.pickRuns.some((run) => typeof run === 'string');
    const file = path.join(this.staging.scratch, 'picked.jsonl');
    const writer = onDisk ? new LineWriter(file) : undefined;
    let done = 0;
    try {
      for await (const batch of mergeRuns(this.pickRuns, BATCH, this.staging.scratch)) {
        throwIfInterrupted(this.options.signal);
        // A pick may write into its event (process tracking gives a DNS-Client 3008 its ProcessGuid): only a changed
        // event's line is made again, the others are written as they were read. Events from memory runs have no
        // line and stay in memory: their fields are not taken.
        const before = batch.map((item) => (item.line === undefined ? undefined : fieldsOf(item.event)));
        runPicks(
          batch.map((item) => item.event),
          plan,
          this.context,
        );
        for (let i = 0; i < batch.length; i++) {
          const item = batch[i] as SpilledEvent;
          // Only an event read from a file has its line.
          if (item.line === undefined) kept.push(item);
          else await writer?.write(lineOf(item, before[i]));
        }
        done += batch.length;
        this.options.onProgress?.({ phase: 'pick', events: done, total });
      }
      await writer?.close();
    } catch (error) {
      writer?.destroy();
      throw error;
    }
    await Promise.all(this.pickRuns.map((run) => (typeof run === 'string' ? rm(run, { force: true }) : undefined)));
    if (writer !== undefined) {
      this.runs.push(file);
      this.runsOnDisk++;
    }
    if (kept.length > 0) this.runs.push(new MemoryRun(kept));
  }

  /** Pass 3: every event in event-time order through the pokes and the rules; events and alerts written. */
  private async pokeDetectWrite(total: number): Promise<number> {
    const { summary, rules, options, arrival } = this;
    const events = new PartitionWriter(this.staging.area('events'), 'replay');
    const alerts = new AlertWriter(this.staging.area('alerts'), 'replay', path.join(this.staging.scratch, 'alerts'));
    const feeds: BaseMatch<SourcedEvent>[] = [];
    let written = 0;
    try {
      for await (const batch of mergeRuns(this.runs, BATCH, this.staging.scratch)) {
        throwIfInterrupted(options.signal);
        const canonical = batch.map((item) => item.event);
        if (this.plan !== undefined) runPokes(canonical, this.plan, this.context);
        else for (const event of canonical) if (isConnection(event)) summary.connections.total++;
        const sourced = batch.map((item): SourcedEvent => {
          const origin = this.origins[item.origin] as string;
          return { event: item.event, origin, arrival, id: `${origin}#${item.position}` };
        });
        if (rules !== undefined) {
          for (const detection of detect(sourced, rules, summary, feeds)) {
            const record = toAlertRecord(detection, options.dedupeFields);
            await alerts.write(partitionOf(Date.parse(record.time)), JSON.stringify(record));
          }
        }
        for (const item of sourced) {
          await events.write(partitionOf(item.event.time), JSON.stringify(toOutputRecord(item.event)));
        }
        written += batch.length;
        options.onProgress?.({ phase: 'write', events: written, total });
        await turnOfTheLoop();
      }
      await events.close();
      if (rules !== undefined && feeds.length > 0) {
        // The input is the whole batch: correlation state of its own, every window decided at its end.
        const correlation = {
          store: new MemoryCorrelationStore(),
          toleranceMs: CORRELATION_TOLERANCE_MS,
          now: 0,
          flush: true,
        };
        for (const detection of await detectCorrelations(feeds, rules, summary, correlation)) {
          const record = toAlertRecord(detection, options.dedupeFields);
          alerts.addLate(partitionOf(Date.parse(record.time)), JSON.stringify(record));
        }
      }
      this.objects += events.partitions.length + (await alerts.finish());
    } catch (error) {
      events.destroy();
      alerts.destroy();
      throw error;
    }
    return written;
  }
}
