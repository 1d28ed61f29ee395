/**
 * The value modifier registry: one file per modifier (cdk-nag style), looked up by the name used in rules.
 * A name not listed here rejects the rule with `unknown modifier X`.
 */
import { all } from './all.js';
import { base64 } from './base64.js';
import { base64offset } from './base64offset.js';
import { cased } from './cased.js';
import { cidr } from './cidr.js';
import { compare } from './compare.js';
import { contains } from './contains.js';
import { endswith } from './endswith.js';
import { exists } from './exists.js';
import { expand } from './expand.js';
import { fieldref } from './fieldref.js';
import type { Modifier } from './modifier.js';
import { neq } from './neq.js';
import { re, reFlag } from './re.js';
import { startswith } from './startswith.js';
import { timePart } from './time-part.js';
import { utf16, utf16be, utf16le } from './utf16.js';
import { windash } from './windash.js';

export type { CompareKind, Modifier, ModifierContext, ModifierState, RuleValue, TimePart } from './modifier.js';

export const MODIFIERS: ReadonlyMap<string, Modifier> = new Map<string, Modifier>([
  ['contains', contains],
  ['startswith', startswith],
  ['endswith', endswith],
  ['all', all],
  ['cased', cased],
  ['exists', exists],
  ['neq', neq],
  ['windash', windash],
  ['re', re],
  ['i', reFlag('i')],
  ['m', reFlag('m')],
  ['s', reFlag('s')],
  ['base64', base64],
  ['base64offset', base64offset],
  ['utf16le', utf16le],
  ['wide', utf16le],
  ['utf16be', utf16be],
  ['utf16', utf16],
  ['cidr', cidr],
  ['gt', compare('gt')],
  ['gte', compare('gte')],
  ['lt', compare('lt')],
  ['lte', compare('lte')],
  ['minute', timePart('minute')],
  ['hour', timePart('hour')],
  ['day', timePart('day')],
  ['week', timePart('week')],
  ['month', timePart('month')],
  ['year', timePart('year')],
  ['expand', expand],
  ['fieldref', fieldref],
]);
