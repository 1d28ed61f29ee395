/**
 * Parsed correlation documents -> a {@link CorrelationSet}: resolves every reference (a rule or correlation, by id
 * or name) once all documents are known, rejects what cannot be resolved (with the reason), orders correlations
 * inner first, and decides which referenced rules alert on their own.
 */
import type { RuleInfo, RuleProblem } from '../types.js';
import { type CompiledCorrelation, CorrelationSet, type Feed } from './correlation-set.js';
import { isSliding } from './group-state.js';
import type { ParsedCorrelation } from './parse-correlation.js';

export interface CorrelationDoc {
  parsed: ParsedCorrelation;
  file: string;
  /** Line of the document in a multi-document file. */
  line?: number;
}

/** A compiled base rule a correlation may reference. */
export interface RuleTarget {
  info: RuleInfo;
  name?: string;
  /** Loaded only because a correlation uses it (selection left it out): it never alerts on its own. */
  feedOnly: boolean;
}

export type Resolved =
  | { kind: 'rule'; rule: RuleTarget }
  | { kind: 'correlation'; doc: CorrelationDoc }
  | { kind: 'missing'; reason: string };

/** The key a correlation is known by inside the set. */
export function correlationKey(doc: CorrelationDoc): string {
  return doc.parsed.info.id || doc.parsed.name || `${doc.file}:${doc.line ?? 1}`;
}

function problem(doc: CorrelationDoc, reason: string): RuleProblem {
  return doc.line === undefined ? { file: doc.file, reason } : { file: doc.file, line: doc.line, reason };
}

/**
 * Builds the correlations of `docs` (every document selected, inner ones included). `resolve` finds what a
 * reference names. Base rules referenced by any of `docs` stay silent unless a correlation referencing them says
 * `generate: true` (and selection did not leave them out).
 */
export function buildCorrelations(
  docs: readonly CorrelationDoc[],
  resolve: (ref: string, from: CorrelationDoc) => Resolved,
  /** Rules referenced by correlation documents rejected before linking: silent as well. */
  alsoSilent: readonly RuleInfo[] = [],
): { set: CorrelationSet; rejected: RuleProblem[] } {
  const rejected: RuleProblem[] = [];
  const built = new Map<CorrelationDoc, CompiledCorrelation | string>();
  const building = new Set<CorrelationDoc>();
  const ordered: CompiledCorrelation[] = [];
  const ruleFeeds = new Map<RuleInfo, Feed[]>();
  const correlationFeeds = new Map<CompiledCorrelation, Feed[]>();
  const referencedRules = new Map<RuleInfo, { feedOnly: boolean; generate: boolean }>();
  const referencedDocs = new Map<CorrelationDoc, boolean>();

  // Who references whom, from every document whether or not it builds: a rejected correlation's base rules stay
  // silent rather than alerting on every event they match.
  for (const doc of docs) {
    for (const ref of doc.parsed.rules) {
      const r = resolve(ref, doc);
      if (r.kind === 'rule') {
        const seen = referencedRules.get(r.rule.info) ?? { feedOnly: r.rule.feedOnly, generate: false };
        seen.generate ||= doc.parsed.generate;
        referencedRules.set(r.rule.info, seen);
      } else if (r.kind === 'correlation') {
        referencedDocs.set(r.doc, (referencedDocs.get(r.doc) ?? false) || doc.parsed.generate);
      }
    }
  }

  const build = (doc: CorrelationDoc): CompiledCorrelation | string => {
    const done = built.get(doc);
    if (done !== undefined) return done;
    if (building.has(doc)) return 'correlation references form a cycle';
    building.add(doc);
    const result = compile(doc);
    building.delete(doc);
    built.set(doc, result);
    if (typeof result === 'string') rejected.push(problem(doc, result));
    else ordered.push(result);
    return result;
  };

  const compile = (doc: CorrelationDoc): CompiledCorrelation | string => {
    const p = doc.parsed;
    const targets: ({ rule: RuleInfo } | { correlation: CompiledCorrelation })[] = [];
    for (const ref of p.rules) {
      const r = resolve(ref, doc);
      if (r.kind === 'missing') return r.reason;
      if (r.kind === 'rule') {
        targets.push({ rule: r.rule.info });
        continue;
      }
      const inner = build(r.doc);
      if (typeof inner === 'string') {
        return inner === 'correlation references form a cycle'
          ? inner
          : `correlation references correlation ${ref}, which was rejected`;
      }
      targets.push({ correlation: inner });
    }
    const fieldFor = (name: string, ref: string) => p.aliases.get(name)?.get(ref) ?? name;
    const condition = Object.keys(p.condition).length === 0 ? { gte: p.rules.length } : p.condition;
    const correlation: CompiledCorrelation = {
      key: correlationKey(doc),
      info: Object.freeze({ ...p.info }),
      spec: {
        type: p.type,
        timespanMs: p.timespanMs,
        condition,
        ruleCount: p.rules.length,
        sliding: isSliding(condition),
      },
      groupBy: p.groupBy,
      sources: p.rules.map((ref) => ({
        groupFields: p.groupBy.map((g) => fieldFor(g, ref)),
        ...(p.field ? { valueFields: p.field.map((f) => fieldFor(f, ref)) } : {}),
      })),
      alerts: !referencedDocs.has(doc) || referencedDocs.get(doc) === true,
    };
    for (const [index, target] of targets.entries()) {
      const feed = { correlation, index };
      if ('rule' in target) push(ruleFeeds, target.rule, feed);
      else push(correlationFeeds, target.correlation, feed);
    }
    return correlation;
  };

  for (const doc of docs) build(doc);
  const silent = new Set<RuleInfo>(alsoSilent);
  for (const [info, seen] of referencedRules) if (seen.feedOnly || !seen.generate) silent.add(info);
  return { set: new CorrelationSet(ordered, ruleFeeds, correlationFeeds, silent), rejected };
}

function push<K>(map: Map<K, Feed[]>, key: K, feed: Feed): void {
  const list = map.get(key) ?? [];
  list.push(feed);
  map.set(key, list);
}
