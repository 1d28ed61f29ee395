import { ANY, type Part } from '../sigma-string.js';
import { type Modifier, stringValues, toValues } from './modifier.js';

/** `contains`: wildcards around the value; with `fieldref`, the referenced value anywhere in the field. */
export const contains: Modifier = (state) => {
  if (state.kind === 'fieldref') {
    state.position = 'contains';
    return undefined;
  }
  const strings = stringValues(state, 'contains');
  if (typeof strings === 'string') return strings;
  state.values = toValues(strings.map((s) => ({ raw: s.raw, parts: wrap(s.parts, true, true) })));
  return undefined;
};

/** Adds a leading and/or trailing `*` unless one is already there. */
export function wrap(parts: readonly Part[], before: boolean, after: boolean): Part[] {
  const out = [...parts];
  if (before && out[0] !== ANY) out.unshift(ANY);
  if (after && out[out.length - 1] !== ANY) out.push(ANY);
  return out;
}
