import type { Modifier } from './modifier.js';

/** `exists: true|false`: the field is (not) present, whatever its value. */
export const exists: Modifier = (state) => {
  const [value, ...rest] = state.values;
  if (!value || rest.length > 0) return 'modifier exists needs exactly one boolean value';
  const b =
    value.type === 'boolean'
      ? value.b
      : value.type === 'string' && /^(true|false)$/i.test(value.s.raw)
        ? value.s.raw.toLowerCase() === 'true'
        : undefined;
  if (b === undefined) return 'modifier exists needs a boolean value';
  state.values = [{ type: 'boolean', b }];
  state.kind = 'exists';
  return undefined;
};
