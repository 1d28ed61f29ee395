/**
 * Numbers as Gene reads them (Go's strconv with base 0): `0x` hex, `0b` binary, `0o` or a leading 0 octal, else
 * decimal, in 64-bit signed range; comparisons fall back to decimal floats. Undefined when the text is not one.
 */

const INT = /^([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const MAX = (1n << 63n) - 1n;
const MIN = -(1n << 63n);

/** An integer in Go's base-0 syntax, as a bigint (flags are 64-bit). */
export function parseGeneInt(text: string): bigint | undefined {
  const m = INT.exec(text);
  if (!m) return undefined;
  const [, sign, body] = m as unknown as [string, string, string];
  const digits = body.length > 1 && body[0] === '0' && /[0-7]/.test(body[1] as string) ? `0o${body.slice(1)}` : body;
  const n = BigInt(digits);
  const v = sign === '-' ? -n : n;
  return v > MAX || v < MIN ? undefined : v;
}

/** A number for `<` and `>`: an integer as above, else a decimal float. */
export function parseGeneNumber(text: string): number | undefined {
  const i = parseGeneInt(text);
  if (i !== undefined) return Number(i);
  if (FLOAT.test(text)) return Number(text);
  return undefined;
}
