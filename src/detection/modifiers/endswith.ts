import { wrap } from './contains.js';
import { type Modifier, stringValues, toValues } from './modifier.js';

/** `endswith`: a wildcard before the value; with `fieldref`, the field ends with the referenced value. */
export const endswith: Modifier = (state) => {
  if (state.kind === 'fieldref') {
    state.position = 'endswith';
    return undefined;
  }
  const strings = stringValues(state, 'endswith');
  if (typeof strings === 'string') return strings;
  state.values = toValues(strings.map((s) => ({ raw: s.raw, parts: wrap(s.parts, true, false) })));
  return undefined;
};
