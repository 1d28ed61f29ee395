/** The shape every value modifier implements: a step that rewrites the values and how they compare. */
import type { ContainerSet } from '../../ioc/container-set.js';
import type { SigmaString } from '../sigma-string.js';

/** A value from a rule after YAML parsing. Numbers keep their source text (`0x17` must match `0x17`). */
export type RuleValue =
  | { type: 'string'; s: SigmaString }
  | { type: 'number'; n: number; text: string }
  | { type: 'boolean'; b: boolean }
  | { type: 'null' };

/** How the final values are compared with the field. */
export type CompareKind = 'string' | 're' | 'cidr' | 'exists' | 'fieldref' | 'number';

export type TimePart = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

/** What the modifier chain has built so far. Modifiers run left to right over it. */
export interface ModifierState {
  values: RuleValue[];
  kind: CompareKind;
  /** `all`: the values are ANDed instead of ORed. */
  linkAll: boolean;
  /** `cased`: compare case-sensitively. */
  cased: boolean;
  /** `windash`: `-`, `/`, en dash, em dash and horizontal bar are interchangeable. */
  windash: boolean;
  /** `neq`: the field must differ from every value. */
  negate: boolean;
  /** `re` sub-modifiers. */
  reFlags: { i: boolean; m: boolean; s: boolean };
  /** `gt`/`gte`/`lt`/`lte`; with kind 'number'. Plain numeric equality when absent. */
  compare?: 'gt' | 'gte' | 'lt' | 'lte';
  /** Time modifiers: compare this part of a date field. */
  timePart?: TimePart;
  /** `fieldref` with `contains`/`startswith`/`endswith`. */
  position?: 'equals' | 'contains' | 'startswith' | 'endswith';
  /** Set by the utf16 modifiers: the strings hold bytes (one char per byte) rather than text. */
  binary: boolean;
}

export interface ModifierContext {
  placeholders: Readonly<Record<string, readonly string[]>>;
  /**
   * Live IOC containers: a `%name%` that `placeholders` lacks reads the container of that name, and the field's
   * test is rebuilt when the containers change (detection-compiler.ts). Default: none.
   */
  containers?: ContainerSet;
}

/** Applies the modifier; returns a rejection reason, or undefined on success. */
export type Modifier = (state: ModifierState, ctx: ModifierContext) => string | undefined;

/** The string values of the state, or a reason naming the modifier when any value is not a string. */
export function stringValues(state: ModifierState, name: string): SigmaString[] | string {
  const out: SigmaString[] = [];
  for (const v of state.values) {
    if (v.type === 'string') out.push(v.s);
    else if (v.type === 'number') out.push({ raw: v.text, parts: [v.text] });
    else return `modifier ${name} needs string values`;
  }
  return out;
}

export function toValues(strings: SigmaString[]): RuleValue[] {
  return strings.map((s) => ({ type: 'string', s }));
}
