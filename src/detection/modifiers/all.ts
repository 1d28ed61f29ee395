import type { Modifier } from './modifier.js';

/** `all`: the values are linked with AND instead of OR. */
export const all: Modifier = (state) => {
  state.linkAll = true;
  return undefined;
};
