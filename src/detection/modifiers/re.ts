import type { Modifier } from './modifier.js';

/** `re`: the value is a regular expression (case-sensitive unless the `i` sub-modifier follows). */
export const re: Modifier = (state) => {
  for (const v of state.values) {
    if (v.type !== 'string' && v.type !== 'number') return 'modifier re needs string values';
  }
  state.kind = 're';
  return undefined;
};

/** Builds the `re` sub-modifier for one flag (`i`, `m`, `s`), valid only after `re`. */
export function reFlag(flag: 'i' | 'm' | 's'): Modifier {
  return (state) => {
    if (state.kind !== 're') return `modifier ${flag} is only valid after re`;
    state.reFlags[flag] = true;
    return undefined;
  };
}
