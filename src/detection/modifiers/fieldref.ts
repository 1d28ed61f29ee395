import { hasWildcards } from '../sigma-string.js';
import type { Modifier } from './modifier.js';

/** `fieldref`: the value names another field of the same event, whose value is compared. */
export const fieldref: Modifier = (state) => {
  for (const v of state.values) {
    if (v.type !== 'string' || !v.s.raw) return 'modifier fieldref needs field names';
    if (hasWildcards(v.s)) return `modifier fieldref needs a plain field name, not the pattern '${v.s.raw}'`;
  }
  state.kind = 'fieldref';
  state.position = state.position ?? 'equals';
  return undefined;
};
