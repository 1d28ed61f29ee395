/** Public types of the detection core: rule sources in, compile results and matches out. */
import type { ContainerSet } from '../ioc/container-set.js';
import type { LeftOutBy, RuleSelection } from './rule-selection.js';

/** One rule file's text; `file` is only used to name errors and matches. */
export interface RuleSource {
  file: string;
  text: string;
}

/** Sigma rule levels, least to most severe. */
export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type SigmaLevel = (typeof LEVELS)[number];

export interface CompileOptions {
  /**
   * Which rules to load by level, status and tags (rule-selection.ts, parsed by parseRuleSelection); the rest are
   * reported as skipped with `leftOutBy`. When given, `skipStatuses` and `minLevel` are ignored. Default: every rule
   * but the deprecated and unsupported ones.
   */
  selection?: RuleSelection;
  /** Rule statuses that are skipped on purpose (reported as skipped, not rejected). Default `['deprecated', 'unsupported']`. */
  skipStatuses?: readonly string[];
  /** Rules below this level are skipped. A rule without a level counts as `informational`. Default: none skipped. */
  minLevel?: SigmaLevel;
  /** Values for `|expand` placeholders, by name without the percent signs. Default `{}` (every placeholder rejects its rule). */
  placeholders?: Readonly<Record<string, readonly string[]>>;
  /** Rule field name -> event field name, applied to every rule. Default `{}`. */
  fieldMap?: Readonly<Record<string, string>>;
  /** Extra Windows `service:` values -> channels, for services the Sigma taxonomy does not define. Default `{}`. */
  services?: Readonly<Record<string, readonly string[]>>;
  /** Literal prefiltering (see prefilter.ts); off only to check it or to measure it. Default `true`. */
  prefilter?: boolean;
  /**
   * Live IOC containers (src/ioc): Gene's `in <container>` looks them up, and Sigma `|expand` reads a `%name%`
   * placeholder from the container of that name when `placeholders` has none. Default: none.
   */
  containers?: ContainerSet;
}

/** The rule languages the compiler reads: Sigma YAML, and Gene JSON (`.gen` files, src/detection/gene). */
export type RuleFormat = 'sigma' | 'gene';

export interface RuleInfo {
  id: string;
  title: string;
  level: string;
  tags: string[];
  file: string;
  status?: string;
  description?: string;
  author?: string;
  references?: string[];
  falsepositives?: string[];
  /** The rule's language; absent means Sigma. */
  format?: RuleFormat;
  /** Gene rules: Meta.Criticality (or Severity), 0..10, from which `level` is derived. */
  criticality?: number;
  /** Gene rules: Actions (WHIDS responses, e.g. kill, memdump); recorded, never run by hookstream. */
  actions?: string[];
}

export interface RuleMatch {
  rule: RuleInfo;
}

export interface RuleProblem {
  file: string;
  /** 1-based line of the document, in files holding several documents. */
  line?: number;
  reason: string;
  /** Set on skipped rules the selection left out (by level, status or tags). */
  leftOutBy?: LeftOutBy;
}
