/**
 * Text from events is hostile: whoever runs a process on a watched host names it, and its command line, its files
 * and its registry keys come back in hookstream's output. Printed raw on a terminal, an escape sequence in them
 * moves the cursor and erases lines (a detection row hidden under the next one), sets the window title, or with
 * some terminals writes the clipboard (OSC 52); a bidirectional override shows `exe.gpj` as `jpg.exe`. So text
 * for a person (tables, summaries, alert lines, error messages) shows every such character as a visible escape,
 * and JSON output writes them as JSON `\u` escapes, which keeps the value; CSV (for spreadsheets, already
 * neutralised against formulas) keeps the bytes as they are.
 *
 * What is escaped: C0 controls but line feed and tab (in table cells those two as well, since a cell is one line),
 * DEL, the C1 controls U+0080-U+009F (U+009B is CSI to some terminals), the bidirectional marks, embeddings,
 * overrides and isolates (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), and the line and paragraph separators
 * U+2028-U+2029.
 */

const INVISIBLE = '\\u007f-\\u009f\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
const IN_TEXT = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f${INVISIBLE}]`, 'g');
const IN_CELL = new RegExp(`[\\u0000-\\u001f${INVISIBLE}]`, 'g');
const IN_JSON = new RegExp(`[${INVISIBLE}]`, 'g');

function visible(c: string): string {
  const code = c.charCodeAt(0);
  if (c === '\n') return '\\n';
  if (c === '\t') return '\\t';
  if (c === '\r') return '\\r';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** Text for a person, several lines: every character above shown as `\xNN` or `\u{NNNN}`; line feeds and tabs kept. */
export function terminalText(text: string): string {
  return text.replace(IN_TEXT, visible);
}

/** One table cell, one line: the same, line feed, carriage return and tab included (`\n`, `\r`, `\t`). */
export function terminalCell(text: string): string {
  return text.replace(IN_CELL, visible);
}

/**
 * JSON text (as JSON.stringify writes it: C0 controls are escaped already) with the other characters above written
 * as `\uNNNN` escapes: the same JSON value, nothing a terminal acts on.
 */
export function terminalJson(json: string): string {
  return json.replace(IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
