import { position } from './contains.js';
import type { Modifier } from './modifier.js';

/** `endswith`: a wildcard before the value; with `fieldref`, the field ends with the referenced value. */
export const endswith: Modifier = position('endswith', true, false);
