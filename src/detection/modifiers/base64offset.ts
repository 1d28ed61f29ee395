import { literalString } from '../sigma-string.js';
import { plainValues, valueBytes } from './base64.js';
import { type Modifier, toValues } from './modifier.js';

// Shifting the value by 0, 1 or 2 bytes inside a longer Base64 text changes its encoding. Each shift's
// encoding keeps a stable middle once the characters that also depend on neighbouring bytes are cut:
// the first 0, 2 or 3 characters, and at the end 0, 3 or 2 characters by (length + shift) mod 3.
const CUT_START = [0, 2, 3] as const;
const CUT_END = [0, 3, 2] as const;

/** `base64offset`: the three position-independent Base64 forms of the value, ORed. */
export const base64offset: Modifier = (state) => {
  const texts = plainValues(state, 'base64offset');
  if (typeof texts === 'string') return texts;
  const out: string[] = [];
  for (const text of texts) {
    const bytes = valueBytes(state, text);
    for (let shift = 0; shift < 3; shift++) {
      const encoded = Buffer.concat([Buffer.alloc(shift, 0x20), bytes]).toString('base64');
      const cutEnd = CUT_END[(bytes.length + shift) % 3] ?? 0;
      out.push(encoded.slice(CUT_START[shift], encoded.length - cutEnd));
    }
  }
  state.values = toValues(out.map(literalString));
  state.binary = false;
  return undefined;
};
