import { wrap } from './contains.js';
import { type Modifier, stringValues, toValues } from './modifier.js';

/** `startswith`: a wildcard after the value; with `fieldref`, the field starts with the referenced value. */
export const startswith: Modifier = (state) => {
  if (state.kind === 'fieldref') {
    state.position = 'startswith';
    return undefined;
  }
  const strings = stringValues(state, 'startswith');
  if (typeof strings === 'string') return strings;
  state.values = toValues(strings.map((s) => ({ raw: s.raw, parts: wrap(s.parts, false, true) })));
  return undefined;
};
