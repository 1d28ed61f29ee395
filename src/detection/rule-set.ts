/**
 * A compiled rule set, indexed by (channel, event ID) so each event is tested only against the rules of
 * its logsource, with literal prefiltering inside each list (prefilter.ts). Evaluation never throws.
 */
import type { CanonicalEvent } from '../events/canonical-event.js';
import type { CorrelationSet } from './correlation/correlation-set.js';
import type { Pred } from './detection-compiler.js';
import { EvalContext, type FieldTable } from './eval-context.js';
import {
  AutomatonCache,
  type AutomatonImage,
  type AutomatonStore,
  type Needles,
  PrefilteredList,
} from './prefilter.js';
import type { RuleInfo, RuleMatch } from './types.js';

export interface CompiledRule {
  info: RuleInfo;
  pred: Pred;
  needles: Needles;
  /**
   * Set on a rule whose predicate is compiled on first use (compile-rules.ts, deferred compile): compiles it (once)
   * and returns it. A list then calls it on the first event its prefilter lets through to the rule.
   */
  compile?: () => Pred;
}

/** Where a compiled rule is indexed. */
export type IndexKey = { channel: string; eventIds?: readonly number[] } | { provider: string } | { everywhere: true };

/**
 * One (channel, event ID) list: its {@link PrefilteredList} made on its first event, so that the literals' automata
 * cost nothing before. A deferred rule (one with `compile`) is compiled on the first event that reaches its
 * predicate: its item's predicate is a stand-in that compiles the rule and puts the real predicate in its place.
 */
class List {
  private list: PrefilteredList<RuleInfo> | undefined;
  constructor(
    private readonly rules: readonly CompiledRule[],
    private readonly prefilter: boolean,
    /** The rule set's automata, shared by its lists. */
    private readonly automata: AutomatonCache,
  ) {}

  private made(): PrefilteredList<RuleInfo> {
    if (this.list === undefined) {
      this.list = new PrefilteredList(
        this.rules.map((r) => {
          const needles = this.prefilter ? r.needles : undefined;
          if (r.compile === undefined) return { value: r.info, pred: r.pred, needles };
          const item = { value: r.info, pred: NOT_COMPILED, needles };
          item.pred = (ctx) => {
            const pred = (r.compile as () => Pred).call(r);
            item.pred = pred;
            return pred(ctx);
          };
          return item;
        }),
        this.automata,
      );
    }
    return this.list;
  }

  run(ctx: EvalContext, out: RuleInfo[], onError: () => void): void {
    (this.list ?? this.made()).run(ctx, out, onError);
  }

  /** Builds the list's prefilter automata (or reads them back from the rule set's store). */
  buildAutomata(): void {
    this.made().prepare();
  }

  /** Builds the automata and compiles every deferred rule of the list. */
  prepare(): void {
    this.made().prepare();
    for (const r of this.rules) r.compile?.();
  }
}

const NOT_COMPILED: Pred = () => false;

interface ChannelIndex {
  byId: Map<number, List>;
  anyId: List | undefined;
}

export class RuleSet {
  private readonly channels = new Map<string, ChannelIndex>();
  private readonly providers = new Map<string, List>();
  private readonly everywhere: List | undefined;
  private readonly ctx: EvalContext;
  private readonly infos = new Set<RuleInfo>();
  private readonly scratch: RuleInfo[] = [];
  /** The prefilter automata of every list, shared by the lists. */
  readonly automata: AutomatonCache;
  /** Predicates that threw (a defect, never expected); the rule is then treated as not matching. */
  evaluationErrors = 0;
  private readonly onError = (): void => {
    this.evaluationErrors++;
  };

  /** Use {@link compileRules}; this is its output. */
  constructor(
    fields: FieldTable,
    entries: readonly { rule: CompiledRule; key: IndexKey }[],
    prefilter = true,
    /** Correlation rules, and which base rules only feed them. */
    readonly correlations?: CorrelationSet,
    /** Prefilter automata built by an earlier compile of the same rules (a rule cache's); none: built on first use. */
    store?: AutomatonStore,
  ) {
    this.ctx = new EvalContext(fields);
    const automata = new AutomatonCache(store);
    this.automata = automata;
    const toList = (rules: readonly CompiledRule[], prefilter: boolean) => new List(rules, prefilter, automata);
    const channels = new Map<string, { byId: Map<number, CompiledRule[]>; anyId: CompiledRule[] }>();
    const providers = new Map<string, CompiledRule[]>();
    const everywhere: CompiledRule[] = [];
    const push = <K>(map: Map<K, CompiledRule[]>, key: K, rule: CompiledRule) => {
      const list = map.get(key) ?? [];
      list.push(rule);
      map.set(key, list);
    };
    for (const { rule, key } of entries) {
      this.infos.add(rule.info);
      if ('everywhere' in key) {
        everywhere.push(rule);
      } else if ('provider' in key) {
        push(providers, key.provider, rule);
      } else {
        let idx = channels.get(key.channel);
        if (!idx) {
          idx = { byId: new Map(), anyId: [] };
          channels.set(key.channel, idx);
        }
        if (!key.eventIds) idx.anyId.push(rule);
        else for (const id of new Set(key.eventIds)) push(idx.byId, id, rule);
      }
    }
    for (const [channel, idx] of channels) {
      this.channels.set(channel, {
        byId: new Map([...idx.byId].map(([id, rules]) => [id, toList(rules, prefilter)])),
        anyId: idx.anyId.length > 0 ? toList(idx.anyId, prefilter) : undefined,
      });
    }
    for (const [provider, rules] of providers) this.providers.set(provider, toList(rules, prefilter));
    this.everywhere = everywhere.length > 0 ? toList(everywhere, prefilter) : undefined;
  }

  /**
   * Compiles every deferred predicate and builds every list's prefilter automata now. Without this each list does so
   * on its first event, so that a rule set is ready sooner; the bench calls it to measure the whole compile.
   */
  prepare(): void {
    for (const idx of this.channels.values()) {
      for (const list of idx.byId.values()) list.prepare();
      idx.anyId?.prepare();
    }
    for (const list of this.providers.values()) list.prepare();
    this.everywhere?.prepare();
  }

  /**
   * The image of every list's prefilter automaton (built now where not yet), for an {@link AutomatonStore} that a
   * later compile of the same rules reads them back from. Deferred predicates stay deferred.
   */
  automatonImages(): AutomatonImage[] {
    for (const list of this.lists()) list.buildAutomata();
    return this.automata.images();
  }

  private *lists(): Generator<List> {
    for (const idx of this.channels.values()) {
      yield* idx.byId.values();
      if (idx.anyId) yield idx.anyId;
    }
    yield* this.providers.values();
    if (this.everywhere) yield this.everywhere;
  }

  /** Number of distinct rules loaded, correlation rules included. */
  get size(): number {
    return this.infos.size + (this.correlations?.size ?? 0);
  }

  /**
   * The rules that match the event and alert on their own, in index order. Base rules of correlation rules
   * without `generate: true` are left out (they are in {@link matchAll}). Never throws.
   */
  match(event: CanonicalEvent): RuleMatch[] {
    const all = this.matchAll(event);
    const correlations = this.correlations;
    if (correlations === undefined || all.length === 0) return all;
    return all.filter((m) => correlations.generates(m.rule));
  }

  /** Every rule that matches the event, including those that only feed correlations. Never throws. */
  matchAll(event: CanonicalEvent): RuleMatch[] {
    const found = this.scratch;
    found.length = 0;
    const ctx = this.ctx;
    const onError = this.onError;
    try {
      ctx.reset(event);
      const idx = this.channels.get(event.channel);
      if (idx) {
        idx.byId.get(event.eventId)?.run(ctx, found, onError);
        idx.anyId?.run(ctx, found, onError);
      }
      if (this.providers.size > 0) this.providers.get(event.provider)?.run(ctx, found, onError);
      this.everywhere?.run(ctx, found, onError);
    } catch {
      // Only a malformed event object (e.g. no data) can get here; it matches nothing.
      this.evaluationErrors++;
    }
    if (found.length === 0) return [];
    return found.map((rule) => ({ rule }));
  }
}
