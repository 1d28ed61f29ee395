/**
 * Support for the prefilter differential tests: rule sources (the corpus and the unit cases), events (OTRF
 * recordings and an adversarial set generated from the rules' own literals), and the comparison of a rule set
 * compiled with the prefilter against the same rules evaluated one by one.
 */
import { join } from 'node:path';
import { readRuleSources } from '../../../node-io/rule-files.js';
import { compileRules, type RuleSource } from '../../../src/detection/index.js';
import { resolveRoutes } from '../../../src/detection/logsource.js';
import { translatePcre } from '../../../src/detection/regex.js';
import { parseYamlDocuments, type YamlMap, YamlNumber, type YamlValue } from '../../../src/detection/yaml-documents.js';
import { type CanonicalEvent, SYSMON_CHANNEL } from '../../../src/events/canonical-event.js';
import { otrfFiles, readOtrfEvents } from '../../helpers/otrf.js';
import { SIGMA_ROOT } from '../../helpers/sigma-corpus.js';
import { processRule } from '../../helpers/sigma-rules.js';
import { CONSTRUCTS, FOLD_CASES, foldCaseDetection } from '../../unit/detection/prefilter-cases.js';

export const CORPUS_DIRS = ['rules/windows', 'rules-threat-hunting/windows', 'rules-emerging-threats'].map((d) =>
  join(SIGMA_ROOT, d),
);

/** Every corpus rule file. */
export function corpusSources(): Promise<RuleSource[]> {
  return readRuleSources(CORPUS_DIRS);
}

/** A deterministic sample: every rule using a construct the prefilter must reason about, and every nth other. */
export function sampleSources(sources: readonly RuleSource[], every: number): RuleSource[] {
  const tricky = /\|(?:re|windash|base64|base64offset|wide|utf16|utf16le|utf16be|cased|fieldref|expand)\b|'\|all'/;
  return sources.filter((s, i) => tricky.test(s.text) || i % every === 0);
}

const id = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
const withId = (text: string, n: number) => text.replace(/^id: .*$/m, `id: ${id(n)}`);
const event = (data: Record<string, string>): CanonicalEvent => ({
  host: 'WS01.corp.example',
  channel: SYSMON_CHANNEL,
  provider: 'Microsoft-Windows-Sysmon',
  eventId: 1,
  time: Date.UTC(2026, 0, 1),
  format: 'evtx-json',
  data,
});

/** The unit cases (regex constructs, length-changing folds) as rules, with the values they are about as events. */
export function unitCases(): { sources: RuleSource[]; events: CanonicalEvent[] } {
  const sources: RuleSource[] = [];
  const events: CanonicalEvent[] = [];
  CONSTRUCTS.forEach(([name, pattern, flags, values], n) => {
    const modifiers = flags.i ? 're|i' : 're';
    const text = processRule(
      `selection:\n    CommandLine|${modifiers}: ${JSON.stringify(pattern)}\ncondition: selection`,
    );
    sources.push({ file: `unit/regex ${name}.yml`, text: withId(text, n + 1) });
    for (const value of values) events.push(event({ CommandLine: value }), event({ CommandLine: `x ${value} y` }));
  });
  FOLD_CASES.forEach(([name, selection, value], n) => {
    const text = processRule(foldCaseDetection(selection));
    sources.push({ file: `unit/fold ${name}.yml`, text: withId(text, 1000 + n) });
    events.push(event({ CommandLine: value }), event({ CommandLine: value.toUpperCase() }));
  });
  return { sources, events };
}

/** The events of the named OTRF recordings (all of them when none are named). */
export function otrfEvents(files: readonly string[] = otrfFiles()): CanonicalEvent[] {
  return files.flatMap((f) => readOtrfEvents(f));
}

/** Each event with every string value changed by mutation `m` (see {@link MUTATIONS}). */
export function mutatedEvents(events: readonly CanonicalEvent[], m: number): CanonicalEvent[] {
  const mutate = MUTATIONS[m % MUTATIONS.length] as (s: string) => string;
  return events.map((e) => ({
    ...e,
    data: Object.fromEntries(Object.entries(e.data).map(([k, v]) => [k, mutate(v)])),
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Adversarial values: each of a rule's literals changed in the ways case folding, dash folding and encodings
// could trip a prefilter.

/** A small deterministic generator (an LCG), so the adversarial set is the same on every run. */
function prng(seed: number): () => number {
  let x = (seed * 2654435761) >>> 0 || 1;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 4294967296;
  };
}

const toggle = (s: string) => [...s].map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase())).join('');

/** Ways of writing a literal that a case-insensitive (or windash) match may still accept, or that look alike. */
export const MUTATIONS: readonly ((s: string) => string)[] = [
  (s) => s,
  (s) => s.toUpperCase(), // ß -> SS, ﬁ -> FI: longer
  (s) => s.toLowerCase(),
  toggle,
  (s) => s.replace(/[iI]/g, '\u0130'), // İ: lower-cases to i + U+0307
  (s) => s.replace(/k/gi, '\u212a').replace(/s/g, '\u017f'), // Kelvin sign, long s
  (s) => s.replace(/[-/]/g, (d) => (d === '-' ? '/' : '\u2013')).replace(/\u2014/g, '-'),
  (s) => s.replace(/i/gi, (c) => `${c}\u0307`),
  (s) => `${s.replace(/s/gi, (c) => (c === 's' ? '\u03c3' : '\u03a3'))}\u039f\u03a3`, // sigma, final sigma
  (s) => s.slice(0, Math.max(1, s.length >> 1)),
  (s) => s.replace(/ss/gi, '\u00df').replace(/fi/gi, '\ufb01').toUpperCase(),
  (s) => s.replace(/[\u2013\u2014\u2015/]/g, '-').replace(/-/g, '\u2015'),
];

const stripWildcards = (s: string, fill: string) => s.replace(/\\([*?\\])/g, '$1').replace(/[*?]/g, fill);

/**
 * An example string for a regex (RE2 syntax after the PCRE rewrites), written independently of the prefilter's
 * parser; undefined for what it does not know. It need not match: the matcher decides, and the test counts matches.
 */
export function regexExample(pattern: string, seed: number): string | undefined {
  const t = translatePcre(pattern);
  if (!t.ok) return undefined;
  const p = t.value;
  const rnd = prng(seed);
  let i = 0;
  let ci = false;
  const bail = (): never => {
    throw new Error('unknown');
  };
  const caseOf = (c: string) => {
    if (!ci) return c;
    const r = rnd();
    if (c === 'k' && r < 0.3) return '\u212a';
    if (c === 's' && r < 0.3) return '\u017f';
    return r < 0.5 ? c.toUpperCase() : c.toLowerCase();
  };
  const escapeChar = (d: string): string => {
    const simple: Record<string, string> = { d: '4', D: 'x', w: 'w', W: '-', s: ' ', S: 'S', t: '\t', n: '\n' };
    const hit = simple[d] ?? { r: '\r', f: '\f', v: '\v', a: '\x07' }[d];
    if (hit !== undefined) {
      i += 2;
      return hit;
    }
    if (d === 'x') {
      const m = /^\\x(?:\{([0-9a-fA-F]+)\}|([0-9a-fA-F]{2}))/.exec(p.slice(i));
      if (!m) return bail();
      i += m[0].length;
      return String.fromCodePoint(Number.parseInt((m[1] ?? m[2]) as string, 16));
    }
    if (d === 'p' || d === 'P') {
      const m = /^\\[pP](\{\^?[A-Za-z_]+\}|[A-Za-z])/.exec(p.slice(i));
      if (!m) return bail();
      i += m[0].length;
      const negated = (d === 'P') !== (m[1] ?? '').startsWith('{^');
      const name = (m[1] ?? '').replace(/[{}^]/g, '');
      if (negated) return '1';
      return name === 'Greek' ? '\u03b1' : name === 'N' || name === 'Nd' ? '7' : name === 'Lu' ? 'Q' : 'a';
    }
    if (/[0-7]/.test(d)) {
      const m = /^\\([0-7]{1,3})/.exec(p.slice(i));
      i += (m as RegExpExecArray)[0].length;
      return String.fromCharCode(Number.parseInt((m as RegExpExecArray)[1] as string, 8));
    }
    if (/[A-Za-z0-9]/.test(d)) return bail();
    i += 2;
    return d;
  };
  function alternation(): string {
    const branches = [sequence()];
    while (p[i] === '|') {
      i++;
      branches.push(sequence());
    }
    return branches[Math.floor(rnd() * branches.length)] as string;
  }
  function sequence(): string {
    let out = '';
    while (i < p.length && p[i] !== '|' && p[i] !== ')') {
      const start = i;
      let atom = piece();
      const q = /^(?:\*|\+|\?|\{(\d+)(?:(,)(\d*))?\})\??/.exec(p.slice(i));
      if (q && start !== i) {
        i += q[0].length;
        const head = q[0][0];
        const min = head === '*' || head === '?' ? 0 : head === '+' ? 1 : Number(q[1]);
        const max = head === '?' ? 1 : head === '{' && !q[2] ? min : q[3] ? Number(q[3]) : min + 3;
        const count = Math.min(max, min + Math.floor(rnd() * 3));
        // Re-generate per copy would be better; one repeated example is enough to find literals.
        atom = atom.repeat(count);
      }
      out += atom;
    }
    return out;
  }
  function piece(): string {
    const c = p[i] as string;
    if (c === '(') {
      i++;
      let saved = ci;
      if (p[i] === '?') {
        const m = /^\?(?:P?<\w+>|([imsU]*)(?:-([imsU]*))?([:)]))/.exec(p.slice(i));
        if (!m) return bail();
        i += m[0].length;
        const on = (m[1] ?? '').includes('i');
        const off = (m[2] ?? '').includes('i');
        if (m[3] === ')') {
          ci = on ? true : off ? false : ci;
          return '';
        }
        saved = ci;
        ci = on ? true : off ? false : ci;
      }
      const inner = alternation();
      if (p[i] !== ')') return bail();
      i++;
      ci = saved;
      return inner;
    }
    if (c === '[') return charClass();
    if (c === '.') {
      i++;
      return 'x';
    }
    if (c === '^' || c === '$') {
      i++;
      return '';
    }
    if (c === '\\') {
      const d = p[i + 1] ?? '';
      if (d === 'Q') {
        const end = p.indexOf('\\E', i + 2);
        const text = p.slice(i + 2, end < 0 ? p.length : end);
        i = end < 0 ? p.length : end + 2;
        return [...text].map(caseOf).join('');
      }
      if ('bBAz'.includes(d)) {
        i += 2;
        return '';
      }
      return caseOf(escapeChar(d));
    }
    const cp = p.codePointAt(i) as number;
    i += cp > 0xffff ? 2 : 1;
    return caseOf(String.fromCodePoint(cp));
  }
  function charClass(): string {
    i++;
    const negated = p[i] === '^';
    if (negated) i++;
    const members: string[] = [];
    let first = true;
    while (i < p.length && (p[i] !== ']' || first)) {
      first = false;
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(i));
      if (posix) {
        i += posix[0].length;
        members.push(posix[1] ? '#' : posix[2] === 'digit' ? '5' : 'b');
        continue;
      }
      const lo = p[i] === '\\' ? escapeChar(p[i + 1] ?? '') : (p[i++] as string);
      if (p[i] === '-' && p[i + 1] !== ']' && i + 1 < p.length) {
        i++;
        const hi = p[i] === '\\' ? escapeChar(p[i + 1] ?? '') : (p[i++] as string);
        const a = lo.codePointAt(0) as number;
        const b = hi.codePointAt(0) as number;
        members.push(String.fromCodePoint(a + Math.floor(rnd() * (b - a + 1))));
      } else {
        members.push(lo);
      }
    }
    if (p[i] !== ']') return bail();
    i++;
    if (negated) {
      const pick = ['Q', '7', '#', '\u00e9', ' ', '\u212a'].find((x) => !members.includes(x));
      return pick ?? bail();
    }
    return caseOf(members[Math.floor(rnd() * members.length)] as string);
  }
  try {
    const out = alternation();
    return i === p.length ? out : undefined;
  } catch {
    return undefined;
  }
}

const valueText = (v: YamlValue): string | undefined =>
  typeof v === 'string' ? v : v instanceof YamlNumber ? v.text : typeof v === 'boolean' ? String(v) : undefined;

/** A field value for `field|mods: values` that the modifiers may accept, under mutation `m`. */
function valueFor(mods: readonly string[], values: readonly YamlValue[], m: number): string | undefined {
  const rnd = prng(m * 7919 + values.length);
  const mutate = MUTATIONS[m % MUTATIONS.length] as (s: string) => string;
  const pick = (k: number): YamlValue => values[k % values.length] ?? null;
  const texts = (mods.includes('all') ? values : [pick(m)]).map(valueText);
  if (texts.some((t) => t === undefined)) return undefined;
  const each = (texts as string[]).map((text) => {
    if (mods.includes('re')) {
      const example = regexExample(text, m);
      return example === undefined ? undefined : m % 3 === 0 ? example : mutate(example);
    }
    if (mods.includes('cidr')) return text.split('/')[0]?.replace(/::$/, '::1');
    for (const [op, delta] of [
      ['gt', 1],
      ['gte', 0],
      ['lt', -1],
      ['lte', 0],
    ] as const) {
      if (mods.includes(op)) return String(Number(text) + delta);
    }
    if (mods.some((x) => ['minute', 'hour', 'day', 'week', 'month', 'year', 'exists', 'expand'].includes(x)))
      return undefined;
    let s = mutate(stripWildcards(text, rnd() < 0.5 ? '' : 'zz'));
    if (mods.includes('windash') && m % 2 === 1) s = s.replace(/-/g, '/');
    const wide = mods.some((x) => ['wide', 'utf16le', 'utf16', 'utf16be'].includes(x));
    const bytes = wide ? Buffer.from(s, 'utf16le') : Buffer.from(s, 'utf8');
    if (mods.includes('base64') || mods.includes('base64offset')) {
      const shift = mods.includes('base64offset') ? m % 3 : 0;
      return Buffer.concat([Buffer.alloc(shift, 0x41), bytes, Buffer.from('tail')]).toString('base64');
    }
    if (mods.includes('contains')) return `Q${s}Q`;
    if (mods.includes('startswith')) return `${s} tail`;
    if (mods.includes('endswith')) return `C:\\x\\${s}`;
    return s;
  });
  if (each.some((t) => t === undefined)) return undefined;
  return (each as string[]).join(' ');
}

/** Search identifiers' field maps (a list of maps gives each), and keyword lists, of a detection. */
function selectionsOf(detection: YamlMap): { name: string; fields?: YamlMap; keywords?: YamlValue[] }[] {
  const out: { name: string; fields?: YamlMap; keywords?: YamlValue[] }[] = [];
  for (const [name, value] of detection) {
    if (name === 'condition' || name === 'timeframe') continue;
    if (value instanceof Map) out.push({ name, fields: value });
    else if (Array.isArray(value)) {
      for (const item of value) if (item instanceof Map) out.push({ name, fields: item });
      const keywords = value.filter((v) => !(v instanceof Map) && !Array.isArray(v));
      if (keywords.length > 0) out.push({ name, keywords });
    } else if (value !== null) out.push({ name, keywords: [value] });
  }
  return out;
}

/**
 * The adversarial set: per rule and route, per search identifier (and all `selection*` ones together), events
 * whose fields hold the rule's values under each of `variants` mutations.
 */
export function adversarialEvents(
  sources: readonly RuleSource[],
  variants: number,
  routesPerRule = 2,
): CanonicalEvent[] {
  const events: CanonicalEvent[] = [];
  let offset = 0;
  for (const source of sources) {
    const parsed = parseYamlDocuments(source.text);
    if (!parsed.ok) continue;
    for (const doc of parsed.value) {
      if (!(doc.value instanceof Map)) continue;
      const detection = doc.value.get('detection');
      const logsource = doc.value.get('logsource');
      if (!(detection instanceof Map) || !(logsource instanceof Map)) continue;
      const ls = Object.fromEntries(
        ['product', 'category', 'service'].flatMap((k) => {
          const v = logsource.get(k);
          return typeof v === 'string' ? [[k, v.toLowerCase()]] : [];
        }),
      );
      const routes = resolveRoutes(ls, {});
      if (!routes.ok) continue;
      const selections = selectionsOf(detection);
      const merged = new Map<string, YamlValue>();
      for (const s of selections)
        if (s.name.startsWith('selection') && s.fields) for (const [k, v] of s.fields) merged.set(k, v);
      const groups = [...selections, ...(merged.size > 0 ? [{ name: 'selection*', fields: merged }] : [])];
      // Successive rules start at successive mutations, so a few variants per rule still use them all.
      offset++;
      for (const route of routes.value.slice(0, routesPerRule)) {
        for (const group of groups) {
          for (let m = offset; m < offset + variants; m++) {
            const e: CanonicalEvent = {
              host: m % 4 === 3 ? 'WS\u0130-01.corp.example' : 'WS01.corp.example',
              channel: route.channels[0] ?? 'Microsoft-Windows-Kernel-File/Analytic',
              provider: route.provider ?? 'Microsoft-Windows-Security-Auditing',
              eventId: route.eventIds?.[0] ?? 1,
              time: Date.UTC(2026, 0, 1),
              format: 'evtx-json',
              data: {},
            };
            const refs: [string, string, readonly string[]][] = [];
            if (group.keywords) {
              const v = valueFor(['contains'], group.keywords, m);
              if (v !== undefined) e.data.Payload = v;
            }
            for (const [key, raw] of group.fields ?? []) {
              const [field = '', ...mods] = key.split('|');
              const values = Array.isArray(raw) ? raw : [raw];
              const name = route.fieldMap?.[field] ?? field;
              if (mods.includes('fieldref')) {
                const ref = valueText(values[m % values.length] ?? null);
                if (ref !== undefined) refs.push([name, route.fieldMap?.[ref] ?? ref, mods]);
                continue;
              }
              if (mods.includes('exists')) {
                if (valueText(values[0] ?? null) === 'true') e.data[name] = 'present';
                continue;
              }
              const v = field === '' ? valueFor(['contains'], values, m) : valueFor(mods, values, m);
              if (v === undefined) continue;
              if (field === 'EventID' && /^\d+$/.test(v)) e.eventId = Number(v);
              else if (field === 'Provider_Name') e.provider = v;
              else if (field === 'Computer') e.host = v;
              else if (field !== 'Channel') e.data[field === '' ? 'Payload' : name] = v;
            }
            for (const [name, ref, mods] of refs) {
              const target = e.data[ref] ?? 'C:\\Windows\\x.exe';
              e.data[ref] = target;
              const at = mods.includes('contains')
                ? `a ${target} b`
                : mods.includes('startswith')
                  ? `${target} b`
                  : mods.includes('endswith')
                    ? `a ${target}`
                    : target;
              e.data[name] = m % 2 === 0 ? at : at.toUpperCase();
            }
            events.push(e);
          }
        }
      }
    }
  }
  return events;
}

// ---------------------------------------------------------------------------------------------------------------

export interface Difference {
  index: number;
  event: CanonicalEvent;
  withPrefilter: string[];
  withoutPrefilter: string[];
}

/** Compiles the sources with the prefilter and without, and compares the rules each matches on every event. */
export function compareMatches(
  sources: readonly RuleSource[],
  events: readonly CanonicalEvent[],
): { compiled: number; events: number; matches: number; matchedEvents: number; differences: Difference[] } {
  const fast = compileRules(sources);
  const slow = compileRules(sources, { prefilter: false }).ruleSet;
  const differences: Difference[] = [];
  let matches = 0;
  let matchedEvents = 0;
  events.forEach((event, index) => {
    const expected = slow.match(event).map((m) => `${m.rule.id} ${m.rule.file}`);
    const actual = fast.ruleSet.match(event).map((m) => `${m.rule.id} ${m.rule.file}`);
    matches += expected.length;
    if (expected.length > 0) matchedEvents++;
    if (actual.join('\n') !== expected.join('\n') && differences.length < 20)
      differences.push({ index, event, withPrefilter: actual, withoutPrefilter: expected });
  });
  return { compiled: fast.compiled, events: events.length, matches, matchedEvents, differences };
}
