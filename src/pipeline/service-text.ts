/** Text and JSON that the message services (SQS bodies, SNS messages) accept whatever strings an event holds. */

/**
 * Characters SQS refuses in a message body (it accepts #x9 #xA #xD, #x20-#xD7FF, #xE000-#xFFFD, #x10000-#x10FFFF)
 * that can survive JSON.stringify: it already escapes control characters and lone surrogates, which leaves
 * U+FFFE and U+FFFF.
 */
const SQS_UNSAFE = /[\ufffe\uffff]/g;

/**
 * In JSON, also every character outside the Basic Multilingual Plane (an emoji): SQS accepts them, but the local
 * emulator refuses them, and an escaped surrogate pair reads back as the same character.
 */
const JSON_ESCAPED = /[\ufffe\uffff]|[\ud800-\udbff][\udc00-\udfff]/g;

function escapeUnits(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += `\\u${text.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/**
 * JSON text that any message service accepts as it is: the characters SQS (and SNS, which is XML underneath)
 * refuse are written as `\uXXXX` escapes, which JSON.parse reads back to the same string. Outside strings JSON
 * holds none of them, so escaping the whole text is safe.
 */
export function toServiceSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(JSON_ESCAPED, escapeUnits);
}

const encoder = new TextEncoder();

/** Bytes of a string in UTF-8, without allocating for ASCII-only text. */
export function utf8Length(text: string): number {
  // A fast upper-bound check first: most bodies are ASCII after escaping.
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  return ascii ? text.length : encoder.encode(text).length;
}

/** Text SNS and SQS accept: the two non-characters they refuse become U+FFFD. */
export function serviceSafeText(text: string): string {
  return text.replace(SQS_UNSAFE, '\ufffd');
}
