import type { Modifier, RuleValue } from './modifier.js';

/** Builds `gt`/`gte`/`lt`/`lte`: the field, read as a number, compared with the numeric value. */
export function compare(op: 'gt' | 'gte' | 'lt' | 'lte'): Modifier {
  return (state) => {
    const values: RuleValue[] = [];
    for (const v of state.values) {
      const n = v.type === 'number' ? v.n : v.type === 'string' ? Number(v.s.raw) : Number.NaN;
      if (v.type === 'string' && v.s.raw.trim() === '') return `modifier ${op} needs numeric values`;
      if (!Number.isFinite(n)) return `modifier ${op} needs numeric values`;
      values.push({ type: 'number', n, text: String(n) });
    }
    state.values = values;
    state.kind = 'number';
    state.compare = op;
    return undefined;
  };
}
