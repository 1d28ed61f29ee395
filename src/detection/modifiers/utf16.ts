import { mapLiterals } from '../sigma-string.js';
import { type Modifier, stringValues, toValues } from './modifier.js';
import { spellOutWindash } from './windash.js';

function encoder(name: string, encode: (text: string) => string, bom: string): Modifier {
  return (state) => {
    const spelled = spellOutWindash(state, name);
    if (spelled) return spelled;
    const strings = stringValues(state, name);
    if (typeof strings === 'string') return strings;
    state.values = toValues(
      strings.map((s) => {
        const encoded = mapLiterals(s, encode);
        // The byte order mark goes once before the value, not before each literal run.
        if (bom && typeof encoded.parts[0] === 'string') encoded.parts[0] = bom + encoded.parts[0];
        else if (bom) encoded.parts.unshift(bom);
        return encoded;
      }),
    );
    state.binary = true;
    return undefined;
  };
}

/** UTF-16 code units of `text` as a byte string (one char per byte), little or big endian. */
function utf16Bytes(text: string, littleEndian: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const lo = String.fromCharCode(unit & 0xff);
    const hi = String.fromCharCode(unit >> 8);
    out += littleEndian ? lo + hi : hi + lo;
  }
  return out;
}

/** `utf16le` (and its alias `wide`): the value as UTF-16LE bytes. */
export const utf16le: Modifier = encoder('utf16le', (t) => utf16Bytes(t, true), '');
/** `utf16be`: the value as UTF-16BE bytes. */
export const utf16be: Modifier = encoder('utf16be', (t) => utf16Bytes(t, false), '');
/** `utf16`: a little-endian byte order mark, then UTF-16LE bytes. */
export const utf16: Modifier = encoder('utf16', (t) => utf16Bytes(t, true), '\xff\xfe');
