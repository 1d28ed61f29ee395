/**
 * One Gene match statement (`"$name: ..."`) parsed into what it tests. The three forms Gene defines:
 *   field match      `$a: Image ~= 'regex'`, operators `=` (whole value), `~=` (RE2 search), `&=` (all flag bits set),
 *                    `<`, `>`, `<=`, `>=` (numbers);
 *   indirect match   `$a: ParentProcessGuid = @ProcessGuid` (one field equals another);
 *   container match  `$a: extract('(?P<dom>\w+\.\w+$)', QueryName) in blacklist` (the named group of a regex,
 *                    looked up in an IOC container).
 * Operands are EventData names (`Image`), quoted names (`"Some Name"`), or absolute paths (`/Event/System/Computer`).
 */

export type GeneOperator = '=' | '~=' | '&=' | '<' | '>' | '<=' | '>=';

export type GeneMatch =
  | { kind: 'field'; name: string; operand: string; operator: GeneOperator; value: string }
  | { kind: 'indirect'; name: string; operand: string; other: string }
  | { kind: 'container'; name: string; regex: string; group: string; operand: string; container: string };

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const OPERAND = String.raw`([\w/]+|"[^"]*")`;
const FIELD = new RegExp(String.raw`^\s*\$(\w+):\s*${OPERAND}\s*(=|~=|&=|<=|>=|<|>)\s+'(.*)'\s*$`, 's');
const INDIRECT = new RegExp(String.raw`^\s*\$(\w+):\s*${OPERAND}\s*=\s+@${OPERAND}\s*$`);
// Gene reads the container name as the word characters, dots and dashes after `in` and ignores what follows
// (one public rule writes `in blacklist'`): so does this.
const CONTAINER = new RegExp(
  String.raw`^\s*\$(\w+):\s+extract\(\s*'(.*?\(\?P<([^>]*)>.*?\).*?)'\s*,\s*${OPERAND}\s*\)\s+in\s+([\w.\-]+)`,
  's',
);

function unquote(operand: string): string {
  return operand.startsWith('"') ? operand.slice(1, -1) : operand;
}

/** Gene strips any quotes left at either end of a value (`'"text"'` is `text`). */
function trimQuotes(value: string): string {
  return value.replace(/^["']+|["']+$/g, '');
}

/** Parses one match statement. Never throws. */
export function parseGeneMatch(text: string): Parsed<GeneMatch> {
  const container = CONTAINER.exec(text);
  if (container) {
    const [, name, regex, group, operand, containerName] = container as unknown as string[];
    return {
      ok: true,
      value: {
        kind: 'container',
        name: `$${name}`,
        regex: regex as string,
        group: group as string,
        operand: unquote(operand as string),
        container: containerName as string,
      },
    };
  }
  const indirect = INDIRECT.exec(text);
  if (indirect) {
    const [, name, operand, other] = indirect as unknown as string[];
    return {
      ok: true,
      value: {
        kind: 'indirect',
        name: `$${name}`,
        operand: unquote(operand as string),
        other: unquote(other as string),
      },
    };
  }
  const field = FIELD.exec(text);
  if (field) {
    const [, name, operand, operator, value] = field as unknown as string[];
    return {
      ok: true,
      value: {
        kind: 'field',
        name: `$${name}`,
        operand: unquote(operand as string),
        operator: operator as GeneOperator,
        value: trimQuotes(value as string),
      },
    };
  }
  return { ok: false, error: `unknown match statement: ${text}` };
}
