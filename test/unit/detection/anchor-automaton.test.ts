import { AnchorAutomaton } from '../../../src/detection/anchor-automaton.js';

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
  const alphabet = ['a', 'B', 'k', '\u212a', '-', '/', '\u2014', '.', 'i', '\u0130', '\u00e9', '\t', 'z'];
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
    ['gated (few anchors)', 6],
    ['table only (many anchors)', 60],
  ])('%s agrees with brute force on random values', (_name, count) => {
    const texts = Array.from({ length: count }, () => word(1, 4));
    const a = new AnchorAutomaton(texts.map((text, id) => ({ text, id })));
    for (let i = 0; i < 300; i++) {
      const value = word(0, 100); // longer than GATE_MIN_LENGTH too, so the gate runs
      expect(scan(a, value, count)).toEqual(reference(texts, value));
    }
  });
});
