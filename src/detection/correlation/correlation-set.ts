/** Compiled correlation rules and which rule feeds which correlation (built by compile-rules.ts). */
import type { RuleInfo } from '../types.js';
import type { WindowSpec } from './group-state.js';

/** Where one referenced rule's contributions find their group-by and value fields. */
export interface CorrelationSource {
  /** The event field (or inner correlation group field) for each group-by name, after aliases. */
  groupFields: string[];
  /** value_* types: the field(s) whose value is aggregated, after aliases. */
  valueFields?: string[];
}

export interface CompiledCorrelation {
  /** Unique within the set: the id, else the name, else `file:line`. */
  key: string;
  info: RuleInfo;
  spec: WindowSpec;
  groupBy: string[];
  /** By the index of the reference in the correlation's `rules`. */
  sources: CorrelationSource[];
  /** Whether this correlation's own alerts are output (not referenced, or referenced with `generate: true`). */
  alerts: boolean;
}

/** A correlation fed by a rule or by another correlation, and the index of that reference in its `rules`. */
export interface Feed {
  correlation: CompiledCorrelation;
  index: number;
}

export class CorrelationSet {
  /** Use compileRules; this is part of its output. */
  constructor(
    /** Inner correlations before the correlations that reference them. */
    readonly correlations: readonly CompiledCorrelation[],
    private readonly ruleFeeds: ReadonlyMap<RuleInfo, readonly Feed[]>,
    private readonly correlationFeeds: ReadonlyMap<CompiledCorrelation, readonly Feed[]>,
    private readonly silent: ReadonlySet<RuleInfo>,
  ) {}

  get size(): number {
    return this.correlations.length;
  }

  /** The correlations a base rule's matches feed. */
  feedsOf(rule: RuleInfo): readonly Feed[] {
    return this.ruleFeeds.get(rule) ?? [];
  }

  /** The correlations an inner correlation's alerts feed. */
  feedsOfCorrelation(correlation: CompiledCorrelation): readonly Feed[] {
    return this.correlationFeeds.get(correlation) ?? [];
  }

  /** False for a base rule that only feeds correlations (no `generate: true`, or left out by selection). */
  generates(rule: RuleInfo): boolean {
    return !this.silent.has(rule);
  }
}
