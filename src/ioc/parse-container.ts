/**
 * The text of one IOC container file: one value per line; blank lines and `#` comments (whole line, or after a
 * value when preceded by a space) are ignored; values are trimmed. Duplicates are kept once, in first-seen order.
 */

/** A container's name from its file name: the name without its (last) extension. */
export function containerName(fileName: string): string {
  const base = fileName.split('/').pop() ?? fileName;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** The values of a container file's text. Never throws. */
export function parseContainerText(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    let value = line;
    const hash = value.indexOf('#');
    // A `#` starts a comment at the start of a line or after whitespace; inside a value (a URL fragment) it is text.
    if (hash === 0) continue;
    if (hash > 0) {
      const comment = value.search(/\s#/);
      if (comment >= 0) value = value.slice(0, comment);
    }
    value = value.trim();
    if (value === '' || seen.has(value)) continue;
    seen.add(value);
    out.push(value);
  }
  return out;
}
