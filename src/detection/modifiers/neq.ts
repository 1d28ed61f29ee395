import type { Modifier } from './modifier.js';

/** `neq`: the field (which must be present) differs from every value. */
export const neq: Modifier = (state) => {
  state.negate = true;
  return undefined;
};
