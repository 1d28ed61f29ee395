import { position } from './contains.js';
import type { Modifier } from './modifier.js';

/** `startswith`: a wildcard after the value; with `fieldref`, the field starts with the referenced value. */
export const startswith: Modifier = position('startswith', false, true);
