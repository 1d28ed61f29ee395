import { literalString, plainText } from '../sigma-string.js';
import { type Modifier, type ModifierState, stringValues, toValues } from './modifier.js';
import { spellOutWindash } from './windash.js';

/** The bytes of a value: UTF-8 text, or the byte string the utf16 modifiers left. */
export function valueBytes(state: ModifierState, text: string): Buffer {
  return Buffer.from(text, state.binary ? 'latin1' : 'utf8');
}

/** Literal text of every value, or a reason: encodings cannot carry wildcards. */
export function plainValues(state: ModifierState, name: string): string[] | string {
  const spelled = spellOutWindash(state, name);
  if (spelled) return spelled;
  const strings = stringValues(state, name);
  if (typeof strings === 'string') return strings;
  const out: string[] = [];
  for (const s of strings) {
    const text = plainText(s);
    if (text === undefined) return `modifier ${name} cannot encode a value with wildcards`;
    out.push(text);
  }
  return out;
}

/** `base64`: the value, Base64-encoded. */
export const base64: Modifier = (state) => {
  const texts = plainValues(state, 'base64');
  if (typeof texts === 'string') return texts;
  state.values = toValues(texts.map((t) => literalString(valueBytes(state, t).toString('base64'))));
  state.binary = false;
  return undefined;
};
