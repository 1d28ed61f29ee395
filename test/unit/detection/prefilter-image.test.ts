/**
 * Prefilter automata kept as images (prefilter.ts encodeShared/decodeShared, AutomatonCache with a store): what is
 * read back is exactly what building gives, scans the same, and an image that is not of the group's literals is
 * refused (the group then builds its automaton).
 */
import { AnchorAutomaton, type AutomatonParts } from '../../../src/detection/anchor-automaton.js';
import {
  AutomatonCache,
  type AutomatonImage,
  type AutomatonStore,
  decodeShared,
  literalsDigest,
} from '../../../src/detection/prefilter.js';

/** A deterministic pseudo-random generator (xorshift), so that failures reproduce. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const ALPHABET = 'abcdeKSI-/\\.: _0\u0130\u212a\u017f\u2013\u00e9';
function text(next: () => number, min: number, max: number): string {
  let out = '';
  const length = min + Math.floor(next() * (max - min + 1));
  for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return out;
}

/** Groups of literals that take each path of the automaton: the gate, the skip scan, 32-bit tables, short ones. */
const next = random(7);
const GROUPS: [string, string[]][] = [
  ['a few literals (gated)', ['\\rundll32.exe', '-enc', 'sekurlsa::', 'ab']],
  ['short literals only (no skip table)', ['a', 'b-', 'ks', '.']],
  ['duplicates and shared anchors', ['\\mimikatz.exe', 'mimikatz', '\\mimikatz.exe', 'katz']],
  ['many literals (skip scan)', Array.from({ length: 300 }, () => text(next, 5, 40))],
  ['many short ones (32-bit table)', Array.from({ length: 9000 }, () => text(next, 4, 8))],
];

/** Images of the groups, built by one cache, as a store. */
function imagesOf(groups: readonly (readonly string[])[]): { cache: AutomatonCache; images: AutomatonImage[] } {
  const cache = new AutomatonCache();
  for (const texts of groups) cache.shared(texts);
  return { cache, images: cache.images() };
}

const storeOf = (images: readonly AutomatonImage[]): AutomatonStore => {
  const byDigest = new Map(images.map((x) => [x.digest, x.image]));
  return { get: (digest) => byDigest.get(digest) };
};

function partsOf(automaton: AnchorAutomaton): Record<string, unknown> {
  const p: AutomatonParts = automaton.parts;
  return { ...p, table: [p.table.constructor.name, Array.from(p.table)] };
}

function scanAll(automaton: AnchorAutomaton, values: readonly string[]): number[][] {
  return values.map((value) => {
    const found = new Int32Array(20000);
    const n = automaton.scan(value, new Int32Array(20000), 1, found, 0);
    return [...found.subarray(0, n)].sort((a, b) => a - b);
  });
}

describe('prefilter automata read back from images', () => {
  const { cache: built, images } = imagesOf(GROUPS.map(([, texts]) => texts));
  const values = Array.from({ length: 300 }, () => text(next, 0, 120));
  // Values that hold literals of each group, among other text.
  for (const [, texts] of GROUPS) for (const t of texts.slice(0, 20)) values.push(`x ${t.toUpperCase()} y`, t);

  it('keeps one image per distinct list of literals', () => {
    expect(images).toHaveLength(GROUPS.length);
    expect(built.built).toBe(GROUPS.length);
  });

  it.each(GROUPS)('%s: the same tables, anchors and scans as building', (_name, texts) => {
    const loaded = new AutomatonCache(storeOf(images));
    const fromImage = loaded.shared([...texts]);
    const fresh = built.shared(texts);
    expect(loaded.loaded).toBe(1);
    expect(loaded.built).toBe(0);
    expect(fromImage.anchors).toEqual(fresh.anchors);
    expect(Array.from(fromImage.anchorIds)).toEqual(Array.from(fresh.anchorIds));
    expect(partsOf(fromImage.automaton)).toEqual(partsOf(fresh.automaton));
    expect(scanAll(fromImage.automaton, values)).toEqual(scanAll(fresh.automaton, values));
    // And both agree with an automaton built from the anchors with nothing shared.
    const distinct = [...new Set(fresh.anchors)].map((t, id) => ({ text: t, id }));
    expect(scanAll(fromImage.automaton, values)).toEqual(scanAll(new AnchorAutomaton(distinct), values));
  });

  it('reads an image that is not 4-byte aligned (copied first)', () => {
    const [first] = images;
    if (!first) throw new Error('no image');
    const shifted = new Uint8Array(first.image.byteLength + 1).subarray(1);
    shifted.set(first.image);
    const texts = GROUPS[0]?.[1] as string[];
    expect(decodeShared(shifted, texts)?.anchors).toEqual(built.shared(texts).anchors);
  });

  const [, texts] = GROUPS[3] as [string, string[]];
  const image = images[3]?.image as Uint8Array;
  const words = (edit: (w: Int32Array) => void) => {
    const copy = image.slice();
    edit(new Int32Array(copy.buffer));
    return copy;
  };
  it.each([
    ['another number of literals', image, texts.slice(1)],
    ['literals that the anchors do not fit (shorter ones)', image, texts.map((t) => t.slice(0, 5))],
    ['a truncated image', image.subarray(0, image.byteLength - 4), texts],
    ['an image of another layout', words((w) => (w[0] = 1)), texts],
    ['a table said to be larger than it is', words((w) => (w[3] = (w[3] as number) + 1)), texts],
    ['an empty image', new Uint8Array(0), texts],
  ])('refuses %s', (_name, bytes, literals) => {
    expect(decodeShared(bytes, literals)).toBeUndefined();
  });

  it('keeps keyword groups (anchors up to 8 units) apart from field groups of the same literals', () => {
    const literals = ['sekurlsa::logonpasswords', 'kerberos::golden', 'lsadump::'];
    const cache = new AutomatonCache();
    const field = cache.shared(literals);
    const keyword = cache.shared(literals, 8);
    expect(field.anchors.every((a) => a.length === 4)).toBe(true);
    expect(keyword.anchors.map((a) => a.length)).toEqual([8, 8, 8]);
    expect(literals.every((t, i) => t.includes(keyword.anchors[i] as string))).toBe(true);
    const loaded = new AutomatonCache(storeOf(cache.images()));
    expect(partsOf(loaded.shared(literals, 8).automaton)).toEqual(partsOf(keyword.automaton));
    expect(loaded.shared(literals, 8).anchors).toEqual(keyword.anchors);
    expect(loaded.loaded).toBe(1);
    const image = cache.images().find((x) => x.digest === literalsDigest(literals, 8))?.image as Uint8Array;
    expect(decodeShared(image, literals, 4)).toBeUndefined();
  });

  it('builds a group whose image the store does not have or that does not read back', () => {
    const cache = new AutomatonCache({
      get: (digest) => (digest === images[0]?.digest ? new Uint8Array(64) : undefined),
    });
    const shared = cache.shared(GROUPS[0]?.[1] as string[]);
    cache.shared(GROUPS[1]?.[1] as string[]);
    expect([cache.loaded, cache.built]).toEqual([0, 2]);
    expect(shared.anchors).toEqual(built.shared(GROUPS[0]?.[1] as string[]).anchors);
  });

  it('tells lists of literals apart that only split differently', () => {
    expect(literalsDigest(['ab', 'c'])).not.toBe(literalsDigest(['a', 'bc']));
    expect(literalsDigest(['abc'])).not.toBe(literalsDigest(['abd']));
    expect(literalsDigest(['x', 'y'])).toBe(literalsDigest(['x', 'y']));
  });
});
