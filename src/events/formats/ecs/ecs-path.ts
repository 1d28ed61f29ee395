/** Reading ECS fields from a Winlogbeat / Elastic Agent document: nested objects or flattened dotted keys. */

import { isObject } from '../../values.js';

/**
 * The value at an ECS path (`process.parent.executable`): nested (`{process: {parent: {executable}}}`), or
 * written with dotted keys at any level (`{"process.parent.executable": …}`, `{process: {"parent.executable"}}`).
 */
export function ecsValue(document: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(document, path)) return document[path];
  let dot = path.indexOf('.');
  while (dot !== -1) {
    const head = path.slice(0, dot);
    const child = Object.hasOwn(document, head) ? document[head] : undefined;
    if (isObject(child)) {
      const found = ecsValue(child, path.slice(dot + 1));
      if (found !== undefined) return found;
    }
    dot = path.indexOf('.', dot + 1);
  }
  return undefined;
}

/** The value at a path as Windows-style text: strings as-is, finite numbers in decimal, booleans; else undefined. */
export function ecsText(document: Record<string, unknown>, path: string): string | undefined {
  const value = ecsValue(document, path);
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return undefined;
}

/** The first path that holds a text value. */
export function firstEcsText(document: Record<string, unknown>, paths: readonly string[]): string | undefined {
  for (const path of paths) {
    const text = ecsText(document, path);
    if (text !== undefined) return text;
  }
  return undefined;
}
