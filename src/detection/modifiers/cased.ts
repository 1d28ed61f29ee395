import type { Modifier } from './modifier.js';

/** `cased`: values are compared case-sensitively. */
export const cased: Modifier = (state) => {
  state.cased = true;
  return undefined;
};
