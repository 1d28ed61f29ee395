/**
 * Which rules to load: by level, status and tags. One semantics for `replay`, `dev`, `rules check` (flags) and the
 * deployed functions (stack context), parsed from the same text in every place.
 *
 * - level: a minimum (`high` keeps high and critical). A rule without a level counts as `informational`; a level that
 *   is not a Sigma level is below every minimum.
 * - status: a comma list of statuses to include (`stable,test`) and/or, prefixed with `!`, to exclude
 *   (`!experimental`). With any include term, only those statuses load (a rule without a status is left out). The
 *   default exclusions (`deprecated`, `unsupported`) always apply unless an include term names them.
 * - tags: a comma list of glob patterns (`*` any run of characters, `?` one) to include and/or, prefixed with `!`,
 *   to exclude, matched case-insensitively against the whole tag. With any include pattern, a rule needs one tag that
 *   matches one; a rule with a tag matching an exclude pattern is left out whatever else it has. `_` and `-` are the
 *   same character in tags: the Tags Appendix v2.0.0 (2024) renamed the tactics from `credential_access` to
 *   `credential-access`, and rules and habits of both vintages are about.
 */
import { LEVELS, type RuleInfo, type SigmaLevel } from './types.js';

/** What left a rule out: the counters of the summaries. */
export type LeftOutBy = 'level' | 'status' | 'tags';

export interface RuleSelection {
  /** Rules below this level are left out. Default: none. */
  minLevel?: SigmaLevel;
  status: {
    /** Only these statuses load; undefined: any status not excluded. */
    include?: ReadonlySet<string>;
    exclude: ReadonlySet<string>;
  };
  tags: { include: readonly TagPattern[]; exclude: readonly TagPattern[] };
}

export interface TagPattern {
  /** The pattern as written (lower case), to name it in reasons. */
  text: string;
  regex: RegExp;
}

/**
 * The selection as text, as flags and context give it (and as the rule bundle stores it). Lists may be one
 * comma-separated string or several (repeated flags); empty values mean "no selection" for that part.
 */
export interface RuleSelectionText {
  minLevel?: string;
  status?: string | readonly string[];
  tags?: string | readonly string[];
}

/** Statuses left out unless named by an include term (Sigma: rules nobody should run). */
export const DEFAULT_EXCLUDED_STATUSES: readonly string[] = ['deprecated', 'unsupported'];

/** Every rule except the default exclusions. */
export const DEFAULT_SELECTION: RuleSelection = {
  status: { exclude: new Set(DEFAULT_EXCLUDED_STATUSES) },
  tags: { include: [], exclude: [] },
};

export type SelectionResult = { ok: true; value: RuleSelection } | { ok: false; error: string };

export type RuleVerdict = { selected: true } | { selected: false; by: LeftOutBy; reason: string };

function terms(value: string | readonly string[] | undefined): string[] {
  const parts = value === undefined ? [] : typeof value === 'string' ? [value] : value;
  return parts
    .flatMap((part) => part.split(','))
    .map((term) => term.trim().toLowerCase())
    .filter((term) => term !== '');
}

function splitTerms(
  value: string | readonly string[] | undefined,
  name: string,
): { include: string[]; exclude: string[] } | string {
  const include: string[] = [];
  const exclude: string[] = [];
  for (const term of terms(value)) {
    if (term.startsWith('!')) {
      const rest = term.slice(1).trim();
      if (rest === '') return `${name}: "!" needs a value after it`;
      exclude.push(rest);
    } else {
      include.push(term);
    }
  }
  return { include, exclude };
}

/** Tags compare lower case, with `_` read as `-` (see the module comment). */
function normaliseTag(tag: string): string {
  return tag.trim().toLowerCase().replaceAll('_', '-');
}

function globRegex(pattern: string): RegExp {
  const body = [...normaliseTag(pattern)]
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's');
}

function isLevel(value: string): value is SigmaLevel {
  return (LEVELS as readonly string[]).includes(value);
}

/**
 * Parses the selection text into a {@link RuleSelection}; an unknown level or an empty `!` term is an error naming
 * the part. Never throws.
 */
export function parseRuleSelection(text: RuleSelectionText = {}): SelectionResult {
  const level = text.minLevel?.trim().toLowerCase();
  if (level !== undefined && level !== '' && !isLevel(level)) {
    return { ok: false, error: `min level: "${text.minLevel}" is not one of ${LEVELS.join(', ')}` };
  }
  const status = splitTerms(text.status, 'status');
  if (typeof status === 'string') return { ok: false, error: status };
  const tags = splitTerms(text.tags, 'tags');
  if (typeof tags === 'string') return { ok: false, error: tags };
  const exclude = new Set(status.exclude);
  for (const s of DEFAULT_EXCLUDED_STATUSES) if (!status.include.includes(s)) exclude.add(s);
  const pattern = (t: string): TagPattern => ({ text: t, regex: globRegex(t) });
  return {
    ok: true,
    value: {
      ...(level ? { minLevel: level as SigmaLevel } : {}),
      status: { ...(status.include.length > 0 ? { include: new Set(status.include) } : {}), exclude },
      tags: { include: tags.include.map(pattern), exclude: tags.exclude.map(pattern) },
    },
  };
}

/**
 * The selection the older compile options describe (`skipStatuses`, `minLevel`), for callers that give no
 * `selection`.
 */
export function selectionFromOptions(options: {
  selection?: RuleSelection;
  skipStatuses?: readonly string[];
  minLevel?: SigmaLevel;
}): RuleSelection {
  if (options.selection) return options.selection;
  return {
    ...(options.minLevel ? { minLevel: options.minLevel } : {}),
    status: { exclude: new Set(options.skipStatuses ?? DEFAULT_EXCLUDED_STATUSES) },
    tags: { include: [], exclude: [] },
  };
}

/** Whether the rule is selected, and if not, which part of the selection left it out and why. */
export function selectRule(info: Pick<RuleInfo, 'level' | 'status' | 'tags'>, selection: RuleSelection): RuleVerdict {
  const status = info.status?.trim().toLowerCase();
  const { include, exclude } = selection.status;
  if (status !== undefined && exclude.has(status)) {
    return { selected: false, by: 'status', reason: `status: ${status}` };
  }
  if (include && (status === undefined || !include.has(status))) {
    return {
      selected: false,
      by: 'status',
      reason: `status ${status ?? '(none)'} is not one of ${[...include].join(', ')}`,
    };
  }
  if (selection.minLevel) {
    const level = info.level.trim().toLowerCase();
    if (!isLevel(level) || LEVELS.indexOf(level) < LEVELS.indexOf(selection.minLevel)) {
      return { selected: false, by: 'level', reason: `level ${info.level} is below ${selection.minLevel}` };
    }
  }
  const tags = info.tags.map(normaliseTag);
  for (const pattern of selection.tags.exclude) {
    const index = tags.findIndex((t) => pattern.regex.test(t));
    if (index >= 0) return { selected: false, by: 'tags', reason: `tag ${info.tags[index]} matches !${pattern.text}` };
  }
  const wanted = selection.tags.include;
  if (wanted.length > 0 && !tags.some((t) => wanted.some((pattern) => pattern.regex.test(t)))) {
    return {
      selected: false,
      by: 'tags',
      reason: `no tag matches ${wanted.map((pattern) => pattern.text).join(', ')}`,
    };
  }
  return { selected: true };
}

/** The selection in one line, for summaries: `level >= high; status stable, test; tags attack.t1003*`. */
export function describeSelection(selection: RuleSelection): string {
  const parts: string[] = [];
  if (selection.minLevel) parts.push(`level >= ${selection.minLevel}`);
  const { include, exclude } = selection.status;
  const notDefault = [...exclude].filter((s) => !DEFAULT_EXCLUDED_STATUSES.includes(s));
  if (include || notDefault.length > 0) {
    parts.push(`status ${[...(include ?? []), ...notDefault.map((s) => `!${s}`)].join(', ')}`);
  }
  const tags = [...selection.tags.include.map((p) => p.text), ...selection.tags.exclude.map((p) => `!${p.text}`)];
  if (tags.length > 0) parts.push(`tags ${tags.join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : 'all rules';
}
