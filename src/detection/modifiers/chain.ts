/**
 * Which modifier chains are valid. The specification (rules, "Value Modifiers"; appendix "Sigma Modifiers")
 * applies modifiers left to right, each to what the previous ones produced, and gives each a domain: string
 * modifiers only on strings, numeric ones only on numbers, `i`/`m`/`s` only after `re`, `fieldref` turns a
 * plain string into a field reference that `contains`/`startswith`/`endswith` and `neq` may then qualify,
 * `all` and `neq` act on the whole item. Type modifiers (`re`, `cidr`, `exists`, comparisons, date parts)
 * give the value its meaning from the text as written, so no transformation may come before them. The value
 * types below follow that; the reference implementation (pySigma) declares the same domains.
 */

/** What the values are after a prefix of the chain. */
type Stage =
  /** As written in the rule. */
  | 'value'
  /** Only `cased` so far: still a plain string, so it may name a field. */
  | 'cased'
  /** Text changed by a string modifier (wildcards added, encoded, dash-folded, expanded). */
  | 'string'
  | 're'
  | 'fieldref'
  | 'cidr'
  | 'compare'
  | 'time'
  | 'exists';

/** For each modifier: the stages it applies to, each with the stage it leaves (a missing stage: rejected). */
type Signature = Partial<Record<Stage, Stage>>;

const ALL_STAGES: readonly Stage[] = [
  'value',
  'cased',
  'string',
  're',
  'fieldref',
  'cidr',
  'compare',
  'time',
  'exists',
];
const keep = (stages: readonly Stage[]): Signature => Object.fromEntries(stages.map((s) => [s, s]));
/** A string modifier: any string in, a changed string out. */
const STRING: Signature = { value: 'string', cased: 'string', string: 'string' };
/** A type modifier: gives the value as written its meaning. */
const typed = (to: Stage): Signature => ({ value: to });

const SIGNATURES: Readonly<Record<string, Signature>> = {
  // Generic list modifiers: they link or negate the whole item, whatever its values are.
  all: keep(ALL_STAGES),
  neq: keep(ALL_STAGES),
  // Position: on strings (wildcards), on regexes (pySigma wraps them in `.*`, which a search already
  // implies), on field references (the referenced value's position).
  contains: { ...STRING, re: 're', fieldref: 'fieldref' },
  startswith: { ...STRING, re: 're', fieldref: 'fieldref' },
  endswith: { ...STRING, re: 're', fieldref: 'fieldref' },
  // Case-sensitive comparison of strings, or of a field with the field it references.
  cased: { value: 'cased', cased: 'cased', string: 'string', fieldref: 'fieldref' },
  windash: STRING,
  base64: STRING,
  base64offset: STRING,
  utf16le: STRING,
  utf16be: STRING,
  utf16: STRING,
  wide: STRING,
  // Placeholders in strings, or in a regex (replaced by an alternation of the values).
  expand: { ...STRING, re: 're' },
  re: typed('re'),
  i: { re: 're' },
  m: { re: 're' },
  s: { re: 're' },
  cidr: typed('cidr'),
  exists: typed('exists'),
  // Comparisons: of the number as written, or of a date part (`hour|gte: 20`).
  gt: { value: 'compare', time: 'compare' },
  gte: { value: 'compare', time: 'compare' },
  lt: { value: 'compare', time: 'compare' },
  lte: { value: 'compare', time: 'compare' },
  minute: typed('time'),
  hour: typed('time'),
  day: typed('time'),
  week: typed('time'),
  month: typed('time'),
  year: typed('time'),
  // A plain field name (maybe `cased`); contains/startswith/endswith before it would make it a pattern.
  fieldref: { value: 'fieldref', cased: 'fieldref' },
};

/**
 * The modifier names the chain check knows: every name of the registry (modifiers/index.ts MODIFIERS) must have a
 * signature, since a name without one is let through any chain (a unit test compares the two lists).
 */
export const CHAIN_CHECKED_MODIFIERS: readonly string[] = Object.keys(SIGNATURES);

const DESCRIPTION: Readonly<Record<Stage, string>> = {
  value: 'a value as written',
  cased: 'a cased string',
  string: 'a value a string modifier has changed',
  re: 'a regular expression',
  fieldref: 'a field reference',
  cidr: 'a CIDR network',
  compare: 'a numeric comparison',
  time: 'a date part',
  exists: 'an existence check',
};

const COMPARISONS = new Set(['gt', 'gte', 'lt', 'lte']);

/** Why a modifier may not come where it is. */
function hint(name: string, stage: Stage, previous: string): string {
  if (name === 'i' || name === 'm' || name === 's') return `modifier ${name} is only valid after re`;
  if (name === 'fieldref')
    return `fieldref needs a plain field name (only all, neq and cased before it; put ${previous} after it)`;
  if (COMPARISONS.has(name)) return `${name} compares a number as written or a date part, not ${DESCRIPTION[stage]}`;
  if (SIGNATURES[name]?.string === undefined)
    return `${name} reads the value as written, so only all and neq may come before it`;
  if (stage === 're') return `${name} does not apply to a regular expression (write what it does in the regex)`;
  return `${name} does not apply to ${DESCRIPTION[stage]} (made by ${previous})`;
}

/**
 * Checks a field's modifier chain; returns undefined when valid, else a reason naming the chain. Unknown
 * names are left to the registry lookup.
 */
export function checkChain(mods: readonly string[]): string | undefined {
  let stage: Stage = 'value';
  let previous = '';
  for (const name of mods) {
    const sig = SIGNATURES[name];
    if (sig === undefined) return undefined;
    const next: Stage | undefined = sig[stage];
    if (next === undefined) return `modifier chain '${mods.join('|')}' is not valid: ${hint(name, stage, previous)}`;
    if (next !== stage || name === 'cased') previous = name;
    stage = next;
  }
  return undefined;
}
