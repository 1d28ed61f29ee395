import type { Modifier } from './modifier.js';

/**
 * `windash`: every `-`, `/`, en dash, em dash and horizontal bar may be any of the others. Generating all
 * permutations grows as 5^n; folding all five to `-` on both sides (rule values at compile time, field
 * values once per event) is the same relation without the growth.
 */
export const windash: Modifier = (state) => {
  state.windash = true;
  return undefined;
};

const DASHES = /[-/\u2013\u2014\u2015]/g;
const ANY_DASH = /[/\u2013\u2014\u2015]/;

/** Folds every windash character to `-`; returns the same string when there is nothing to fold. */
export function foldDashes(text: string): string {
  return ANY_DASH.test(text) ? text.replace(DASHES, '-') : text;
}
