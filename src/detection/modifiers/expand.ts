import { ANY, type Part, parseSigmaString, type SigmaString } from '../sigma-string.js';
import {
  type Modifier,
  type ModifierContext,
  type ModifierState,
  type RuleValue,
  stringValues,
  toValues,
} from './modifier.js';

/**
 * `expand`: `%name%` placeholders are replaced by the configured values (each value a Sigma string, so
 * wildcards work), producing every combination, ORed. `\%` is a plain percent sign. A placeholder with no
 * configured values rejects the rule, as the specification requires of tools that cannot resolve them.
 */
export const expand: Modifier = (state, ctx) => {
  if (state.kind === 're') return expandRegex(state, ctx.placeholders);
  const strings = stringValues(state, 'expand');
  if (typeof strings === 'string') return strings;
  const out: SigmaString[] = [];
  for (const s of strings) {
    let variants: Part[][] = [[]];
    for (const part of s.parts) {
      if (typeof part !== 'string') {
        for (const v of variants) v.push(part);
        continue;
      }
      const pieces = splitPlaceholders(part);
      for (const piece of pieces) {
        if (piece.kind === 'text') {
          for (const v of variants) v.push(piece.text);
          continue;
        }
        const replacements = ctx.placeholders[piece.name];
        if (!replacements || replacements.length === 0) return `unresolved placeholder %${piece.name}%`;
        const next: Part[][] = [];
        for (const v of variants) {
          for (const r of replacements) next.push([...v, ...parseSigmaString(r).parts]);
        }
        variants = next;
      }
    }
    for (const parts of variants) out.push({ raw: s.raw, parts: merge(parts) });
  }
  state.values = toValues(out);
  return undefined;
};

type Piece = { kind: 'text'; text: string } | { kind: 'placeholder'; name: string };

function splitPlaceholders(text: string): Piece[] {
  const pieces: Piece[] = [];
  let buf = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && text[i + 1] === '%') {
      buf += '%';
      i++;
    } else if (c === '%') {
      const end = text.indexOf('%', i + 1);
      if (end < 0) {
        buf += c;
        continue;
      }
      if (buf) pieces.push({ kind: 'text', text: buf });
      buf = '';
      pieces.push({ kind: 'placeholder', name: text.slice(i + 1, end) });
      i = end;
    } else {
      buf += c;
    }
  }
  if (buf) pieces.push({ kind: 'text', text: buf });
  return pieces;
}

function merge(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (typeof p === 'string' && typeof last === 'string') out[out.length - 1] = last + p;
    else out.push(p);
  }
  return out;
}

/**
 * `re|expand`: each placeholder in the pattern becomes a group matching any of its values, each value a
 * Sigma string (wildcards `*` and `?` match any text and any one character, newlines included).
 */
function expandRegex(state: ModifierState, placeholders: ModifierContext['placeholders']): string | undefined {
  const values: RuleValue[] = [];
  for (const v of state.values) {
    if (v.type !== 'string') return 'modifier expand needs string values';
    let pattern = '';
    for (const piece of splitPlaceholders(v.s.raw)) {
      if (piece.kind === 'text') {
        pattern += piece.text;
        continue;
      }
      const replacements = placeholders[piece.name];
      if (!replacements || replacements.length === 0) return `unresolved placeholder %${piece.name}%`;
      pattern += `(?:${replacements.map(sigmaToRegex).join('|')})`;
    }
    values.push({ type: 'string', s: { raw: pattern, parts: [pattern] } });
  }
  state.values = values;
  return undefined;
}

function sigmaToRegex(value: string): string {
  return parseSigmaString(value)
    .parts.map((p) =>
      typeof p === 'string' ? p.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&') : p === ANY ? '(?s:.*)' : '(?s:.)',
    )
    .join('');
}
