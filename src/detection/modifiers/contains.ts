import { ANY, type Part } from '../sigma-string.js';
import { type Modifier, type ModifierState, stringValues, toValues } from './modifier.js';

/**
 * The position modifiers on the three kinds of value they apply to (see chain.ts): a string gets wildcards;
 * a field reference compares at that position (`startswith` then `endswith` is `contains`); a regex is left
 * alone: the specification's reference implementation wraps it in `.*`, and a regex here is searched for
 * anywhere in the field already, so `.*` around it changes nothing.
 */
export function position(name: 'contains' | 'startswith' | 'endswith', before: boolean, after: boolean): Modifier {
  return (state) => {
    if (state.kind === 're') return undefined;
    if (state.kind === 'fieldref') {
      state.position = combine(state.position ?? 'equals', name);
      return undefined;
    }
    const strings = stringValues(state, name);
    if (typeof strings === 'string') return strings;
    state.values = toValues(strings.map((s) => ({ raw: s.raw, parts: wrap(s.parts, before, after) })));
    return undefined;
  };
}

type Position = NonNullable<ModifierState['position']>;

function combine(current: Position, added: 'contains' | 'startswith' | 'endswith'): Position {
  if (current === 'equals' || current === added) return added;
  return 'contains';
}

/** `contains`: wildcards around the value; with `fieldref`, the referenced value anywhere in the field. */
export const contains: Modifier = position('contains', true, true);

/** Adds a leading and/or trailing `*` unless one is already there. */
export function wrap(parts: readonly Part[], before: boolean, after: boolean): Part[] {
  const out = [...parts];
  if (before && out[0] !== ANY) out.unshift(ANY);
  if (after && out[out.length - 1] !== ANY) out.push(ANY);
  return out;
}
