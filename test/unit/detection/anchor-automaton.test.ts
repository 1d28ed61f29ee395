import { RE2JS } from 're2js';
import { AnchorAutomaton, alphabetClass } from '../../../src/detection/anchor-automaton.js';
import { foldCase } from '../../../src/detection/eval-context.js';

/** Runs one scan; returns the reported ids, sorted. */
function scan(automaton: AnchorAutomaton, value: string, size = 64): number[] {
  const found = new Int32Array(size);
  const n = automaton.scan(value, new Int32Array(size), 1, found, 0);
  return [...found.subarray(0, n)].sort((a, b) => a - b);
}

/** Reference folding: what the automaton's alphabet treats as one character. */
function foldChar(c: number): string {
  if (c >= 65 && c <= 90) return String.fromCharCode(c + 32);
  if (c === 0x130) return 'i';
  if (c === 0x212a) return 'k';
  if (c === 0x17f) return 's';
  if (c === 0x2f || c === 0x2013 || c === 0x2014 || c === 0x2015) return '-';
  if (c >= 32 && c < 127) return String.fromCharCode(c);
  return '\u0000';
}
const fold = (s: string) => [...s].map((ch) => [...ch].map((u) => foldChar(u.charCodeAt(0))).join('')).join('');

/** Brute force: ids whose anchor occurs in the folded value. */
function reference(anchors: readonly string[], value: string): number[] {
  const v = fold(value);
  return anchors.flatMap((a, id) => (v.includes(fold(a)) ? [id] : []));
}

describe('AnchorAutomaton', () => {
  const anchors = ['mimi', 'katz', '.ps1', '-enc', 'ab', 'b'];
  const automaton = new AnchorAutomaton(anchors.map((text, id) => ({ text, id })));

  it.each([
    ['exact anchors', 'invoke-mimikatz', [0, 1]],
    ['upper case', 'INVOKE-MIMIKATZ', [0, 1]],
    ['Kelvin sign folds to k', 'mimi\u212aatz', [0, 1]],
    ['long s folds to s', 'invoke.p\u017f1', [2]],
    ['windash: slash for dash', 'powershell /ENC ZQ==', [3]],
    ['windash: horizontal bar', 'powershell \u2015enc', [3]],
    ['en dash', 'x \u2013Enc', [3]],
    ['overlapping anchors (ab, b)', 'xab', [4, 5]],
    ['anchor at the very end', 'run.PS1', [2]],
  ])('positive: %s', (_name, value, expected) => {
    expect(scan(automaton, value)).toEqual(expected);
  });

  it.each([
    ['empty value', ''],
    ['anchor split by another character', 'mim-i kat.z'],
    ['underscore is not a dash', 'powershell _enc'],
    ['non-ASCII lookalike is not a letter', 'mim\u0456'],
    ['prefix of an anchor only', '.ps'],
  ])('negative: %s', (_name, value) => {
    expect(scan(automaton, value)).toEqual([]);
  });

  it('reports each id once however often its anchor occurs', () => {
    expect(scan(automaton, 'mimi mimi MIMI')).toEqual([0]);
  });

  it('skips ids already marked with the current epoch and appends after count', () => {
    const mark = new Int32Array(8);
    const found = new Int32Array(8);
    mark[0] = 7;
    found[0] = 5;
    const n = automaton.scan('mimikatz', mark, 7, found, 1);
    expect([...found.subarray(0, n)]).toEqual([5, 1]);
  });

  // Small automata also run a native-regex gate, large ones do not: both must agree with brute force.
  const alphabet = [
    'a',
    'B',
    'k',
    '\u212a',
    '-',
    '/',
    '\u2014',
    '.',
    'i',
    '\u0130',
    '\u00e9',
    '\t',
    'z',
    's',
    '\u017f',
  ];
  const random = (() => {
    let x = 12345;
    return () => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x / 2147483648;
    };
  })();
  const word = (min: number, max: number) =>
    Array.from(
      { length: min + Math.floor(random() * (max - min + 1)) },
      () => alphabet[Math.floor(random() * alphabet.length)],
    ).join('');
  it.each([
    ['gated (few anchors)', 6, 1],
    ['table only (many anchors)', 60, 1],
    // Anchors of 3 units or more: values of 32 units or more take the skip scan (gated or not).
    ['skip scan, gated', 6, 3],
    ['skip scan (many anchors of 3 or 4 units)', 60, 3],
    ['skip scan (many anchors of 4 units)', 60, 4],
  ])('%s agrees with brute force on random values', (_name, count, shortest) => {
    const texts = Array.from({ length: count }, () => word(shortest, 4));
    const a = new AnchorAutomaton(texts.map((text, id) => ({ text, id })));
    for (let i = 0; i < 300; i++) {
      const value = word(0, 100); // longer than GATE_MIN_LENGTH too, so the gate runs
      expect(scan(a, value, count)).toEqual(reference(texts, value));
    }
    // Every anchor at the very start and the very end of a long value (the skip scan's edges).
    for (const [id, text] of texts.entries()) {
      for (const value of [`${text}${word(40, 40)}`, `${word(40, 40)}${text}`]) {
        expect(scan(a, value, count)).toContain(id);
        expect(scan(a, value, count)).toEqual(reference(texts, value));
      }
    }
  });

  it('agrees with brute force when its table needs 32-bit entries (states x classes over 65,536)', () => {
    // Letters and digits are 36 classes; 3,000 anchors of 4 make thousands of states: row offsets past 16 bits.
    const letters = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const pick = (length: number) =>
      Array.from({ length }, () => letters[Math.floor(random() * letters.length)]).join('');
    const texts = Array.from({ length: 3000 }, () => pick(4));
    const a = new AnchorAutomaton(texts.map((text, id) => ({ text, id })));
    expect(a.states * letters.length).toBeGreaterThan(65536);
    for (let i = 0; i < 200; i++) {
      const value = `${pick(200)}${texts[i]}`.toUpperCase();
      expect(scan(a, value, texts.length)).toEqual(reference(texts, value));
    }
  });
});

/** Every BMP character (surrogates excluded: they are not characters), and every astral one as one string. */
const BMP: string[] = [];
for (let u = 0; u < 0x10000; u++) if (u < 0xd800 || u > 0xdfff) BMP.push(String.fromCharCode(u));
const astralParts: string[] = [];
for (let cp = 0x10000; cp <= 0x10ffff; cp += 0x1000) {
  astralParts.push(String.fromCodePoint(...Array.from({ length: 0x1000 }, (_, k) => cp + k)));
}
const ASTRAL = astralParts.join('');
const allClassZero = (s: string) => {
  for (let i = 0; i < s.length; i++) if (alphabetClass(s.charCodeAt(i)) !== 0) return false;
  return true;
};

describe('the alphabet agrees with how values are folded', () => {
  // The prefilter scans raw values for folded literals: a character and its fold must be in one class, except
  // for the U+0307 that lower-casing adds after i (prefilter.ts cuts literals there).
  it('case-insensitive comparison: every character folds into its own class (over all of Unicode)', () => {
    const bad: string[] = [];
    for (const ch of BMP) {
      let folded = foldCase(ch);
      if (folded === ch) continue;
      if (folded.length === 2 && folded.endsWith('\u0307')) folded = folded.slice(0, 1);
      if (folded.length !== 1 || alphabetClass(folded.charCodeAt(0)) !== alphabetClass(ch.charCodeAt(0)))
        bad.push(ch.charCodeAt(0).toString(16));
    }
    expect(bad).toEqual([]);
    // Astral characters are all class 0 (surrogates), and so is every unit of their lower case.
    const lower = foldCase(ASTRAL);
    expect(lower.length).toBe(ASTRAL.length);
    expect(allClassZero(ASTRAL) && allClassZero(lower)).toBe(true);
  });

  it('only dotted capital I lower-cases to more code units', () => {
    expect(BMP.filter((ch) => ch.toLowerCase().length > 1).map((ch) => ch.charCodeAt(0))).toEqual([0x130]);
  });

  it('case-insensitive regexes: every case partner (re2js simple folding) is in the same class', () => {
    // The units with a class of their own; every other unit is class 0 ("anything else").
    const own = BMP.map((ch) => ch.charCodeAt(0)).filter((u) => alphabetClass(u) !== 0);
    const hex = (u: number) => `\\x{${u.toString(16)}}`;
    // No other character matches one of them: one search over all the others at once. (Such a search does
    // find partners: `(?i)[s]` finds long s.)
    expect(RE2JS.compile('(?i)[s]').test('x\u017fx')).toBe(true);
    const others = BMP.filter((ch) => alphabetClass(ch.charCodeAt(0)) === 0).join('') + ASTRAL;
    expect(RE2JS.compile(`(?i)[${own.map(hex).join('')}]`).test(others)).toBe(false);
    const crossing: string[] = [];
    for (const x of own) {
      const re = RE2JS.compile(`(?i)^${hex(x)}$`);
      for (const y of own) {
        if (re.test(String.fromCharCode(y)) && alphabetClass(x) !== alphabetClass(y))
          crossing.push(`${x.toString(16)}~${y.toString(16)}`);
      }
    }
    expect(crossing).toEqual([]);
  });
});
