import type { Part, SigmaString } from '../sigma-string.js';
import { type Modifier, type ModifierState, stringValues, toValues } from './modifier.js';

/**
 * `windash`: every `-`, `/`, en dash, em dash and horizontal bar may be any of the others. Generating all
 * permutations grows as 5^n; folding all five to `-` on both sides (rule values at compile time, field
 * values once per event) is the same relation without the growth. An encoding after it (base64, utf16...)
 * needs the text itself, so there the permutations are spelled out ({@link spellOutWindash}).
 */
export const windash: Modifier = (state) => {
  state.windash = true;
  return undefined;
};

const DASHES = /[-/\u2013\u2014\u2015]/g;
const ANY_DASH = /[/\u2013\u2014\u2015]/;
const DASH_CHARS = ['-', '/', '\u2013', '\u2014', '\u2015'];
/** At most this many permutations per value (four dashes): beyond, the rule is rejected, not cut short. */
const MAX_PERMUTATIONS = 625;

/** Folds every windash character to `-`; returns the same string when there is nothing to fold. */
export function foldDashes(text: string): string {
  return ANY_DASH.test(text) ? text.replace(DASHES, '-') : text;
}

/**
 * Before an encoding modifier `name`: replaces each value by all its windash permutations and ends the
 * folding (the encoded text is compared as it is). Returns a reason when a value has too many dashes.
 */
export function spellOutWindash(state: ModifierState, name: string): string | undefined {
  if (!state.windash) return undefined;
  const strings = stringValues(state, name);
  if (typeof strings === 'string') return strings;
  const out: SigmaString[] = [];
  for (const s of strings) {
    let variants: Part[][] = [[]];
    for (const part of s.parts) {
      if (typeof part !== 'string') {
        for (const v of variants) v.push(part);
        continue;
      }
      let texts = [''];
      for (const ch of part) {
        const options = DASH_CHARS.includes(ch) ? DASH_CHARS : [ch];
        texts = texts.flatMap((t) => options.map((o) => t + o));
        if (texts.length * variants.length > MAX_PERMUTATIONS)
          return `modifier windash before ${name}: '${s.raw}' has more than ${MAX_PERMUTATIONS} dash permutations`;
      }
      variants = variants.flatMap((v) => texts.map((t) => [...v, t]));
    }
    for (const parts of variants) out.push({ raw: s.raw, parts });
  }
  state.values = toValues(out);
  state.windash = false;
  return undefined;
}
