/**
 * A template's plan (binary-xml.ts) compiled into one JavaScript function that builds an instance's JSON as
 * nested object literals: each object is allocated once with its keys in place (V8 clones a literal's
 * boilerplate), instead of being grown key by key by the plan's interpreter, and no step of the plan is looked at
 * per record. For instances without Binary XML values only (the interpreter splices those).
 *
 * The function computes what the interpreter (`fallback`) computes, and hands an element back to it whenever its
 * shape depends on values in a way the literal does not cover: a substituted attribute or text that is NULL (the
 * attribute, or `#text`, is left out), mixed attribute parts, a key the literal cannot hold as given. So every
 * document is the interpreter's, only sooner.
 *
 * Safety of the generated code: names and literal texts reach it only through JSON.stringify (a JSON string is a
 * JavaScript string literal), substitution indexes are integers, and no key of a literal is `__proto__` (which in
 * a literal would set the prototype): an element with such a key is always built by the interpreter, which sets it
 * as an own property.
 */

/** The parts of an element's plan this compiler reads (see ElementPlan in binary-xml.ts). */
export interface PlanNode {
  attributes: ReadonlyArray<{ name: string; literal: string | undefined; sub: number; parts: unknown }>;
  text: ReadonlyArray<string | number>;
  children: ReadonlyArray<{ key: string; element: PlanNode; grouped: boolean }> | undefined;
  isNamedData: boolean;
  leaf: number;
}

/** Builds `plan`'s JSON from the values at `depth` (the interpreter, which also reports damage). */
export type Fallback<P> = (plan: P, values: unknown[], depth: number) => unknown;
/** An element's content text from several parts (the interpreter's). */
export type TextOf = (parts: ReadonlyArray<string | number>, values: unknown[]) => unknown;

/** An instance's JSON from its values (none Binary XML) at `depth`. */
export type CompiledPlan = (values: unknown[], depth: number) => unknown;

/** Most NULL-able attributes and text of an element without children whose every combination is written out. */
const MAX_CHOICES = 3;

/**
 * The expression of an element without children whose attributes `entries` are each present when their
 * `nullable` condition holds ('' always), and whose text is present when `textCondition` holds ('' as
 * `textPresent` says): nested conditionals over each combination, as the interpreter shapes it (no attribute
 * left: the text alone; else `#attributes`, then `#text` when there is text).
 */
function leafChoices(
  entries: readonly string[],
  nullable: readonly string[],
  textCondition: string,
  text: string,
  textPresent: boolean,
): string {
  const choose = (i: number, present: readonly string[]): string => {
    if (i < entries.length) {
      const condition = nullable[i] as string;
      const withIt = choose(i + 1, [...present, entries[i] as string]);
      return condition === '' ? withIt : `(${condition}?${withIt}:${choose(i + 1, present)})`;
    }
    if (present.length === 0) return text;
    const attributes = `"#attributes":{${present.join(',')}}`;
    if (textCondition !== '') return `(${textCondition}?{${attributes},"#text":${text}}:{${attributes}})`;
    return textPresent ? `{${attributes},"#text":${text}}` : `{${attributes}}`;
  };
  return choose(0, []);
}

/** Keys an object literal here never holds: `__proto__` sets the prototype; the others are the builder's own. */
const RESERVED = new Set(['__proto__', '#attributes', '#text', '']);

/**
 * The compiled builder of `root` (whose interpreter is `fallback`, and `textOf` its text joining), for elements at
 * most `maxDepth` deep (deeper ones are the interpreter's, which rejects them).
 */
export function compilePlanBuilder<P extends PlanNode>(
  root: P,
  fallback: Fallback<P>,
  textOf: TextOf,
  maxDepth: number,
): CompiledPlan {
  const plans: PlanNode[] = [];
  let maxIndex = -1;
  let deepest = 0;
  const value = (index: number): string => {
    if (index > maxIndex) maxIndex = index;
    return `v[${index}]`;
  };
  const q = (text: string): string => JSON.stringify(text);

  /** The expression of element `plan` at `depth` below the root (0 the root). */
  const element = (plan: PlanNode, depth: number): string => {
    const id = plans.push(plan) - 1;
    if (depth > deepest) deepest = depth;
    const interpreted = `f(P[${id}],v,d+${depth})`;
    const guards: string[] = [];
    // Attributes: literal or one substitution each (a NULL one is left out). `nullable`: the substitution's
    // condition of being there, for each attribute; '' for a literal.
    let attributes: string | undefined;
    const entries: string[] = [];
    const nullable: string[] = [];
    if (!plan.isNamedData && plan.attributes.length > 0) {
      const names = new Set<string>();
      for (const attribute of plan.attributes) {
        if (RESERVED.has(attribute.name) || names.has(attribute.name)) return interpreted;
        names.add(attribute.name);
        if (attribute.literal !== undefined) {
          entries.push(`${q(attribute.name)}:${q(attribute.literal)}`);
          nullable.push('');
        } else if (attribute.sub >= 0) {
          const v = value(attribute.sub);
          entries.push(`${q(attribute.name)}:${v}`);
          nullable.push(`${v}!==null`);
        } else {
          return interpreted;
        }
      }
      attributes = `{${entries.join(',')}}`;
    }
    const conditions = nullable.filter((condition) => condition !== '');
    // Content text: null, always a value, or one substitution (whose NULL leaves `#text` out).
    const parts = plan.text;
    let text = 'null';
    let textPresent = false;
    if (parts.length === 1) {
      const only = parts[0] as string | number;
      text = typeof only === 'string' ? q(only) : value(only);
      textPresent = true;
      if (typeof only === 'number' && plan.children !== undefined) guards.push(`${text}!==null`);
    } else if (parts.length > 1) {
      for (const part of parts) if (typeof part === 'number') value(part);
      text = `t(P[${id}].text,v)`;
      textPresent = true;
      const literal = parts.some((part) => typeof part === 'string');
      // Joined substitutions alone may all be NULL: then the shape is the interpreter's to decide.
      if (!literal && (attributes !== undefined || plan.children !== undefined)) return interpreted;
    }
    let body: string;
    if (plan.children === undefined) {
      if (attributes === undefined) return text;
      const textCondition = textPresent && typeof parts[0] === 'number' && parts.length === 1 ? `${text}!==null` : '';
      if (conditions.length + (textCondition === '' ? 0 : 1) <= MAX_CHOICES) {
        // Every combination of NULL attributes and text written out (a few): no element handed back for them.
        return leafChoices(entries, nullable, textCondition, text, textPresent);
      }
      guards.push(...conditions);
      if (textCondition !== '') guards.push(textCondition);
      body = textPresent ? `{"#attributes":${attributes},"#text":${text}}` : `{"#attributes":${attributes}}`;
    } else {
      guards.push(...conditions);
      const fields: string[] = attributes === undefined ? [] : [`"#attributes":${attributes}`];
      const keys = new Set<string>();
      let group: string[] | undefined;
      let groupAt = -1;
      for (const child of plan.children) {
        const json = child.element.leaf >= 0 ? value(child.element.leaf) : element(child.element, depth + 1);
        if (child.grouped) {
          if (group === undefined) {
            if (RESERVED.has(child.key) || keys.has(child.key)) return interpreted;
            keys.add(child.key);
            group = [];
            groupAt = fields.push(q(child.key)) - 1;
          }
          group.push(`(${json})??""`);
          continue;
        }
        if (RESERVED.has(child.key) || keys.has(child.key)) return interpreted;
        keys.add(child.key);
        fields.push(`${q(child.key)}:${json}`);
      }
      if (group !== undefined) {
        const texts = group.length === 1 ? group[0] : `[${group.join(',')}]`;
        fields[groupAt] = `${fields[groupAt]}:{"#text":${texts}}`;
      }
      if (textPresent) fields.push(`"#text":${text}`);
      body = `{${fields.join(',')}}`;
    }
    return guards.length === 0 ? body : `(${guards.join('&&')}?${body}:${interpreted})`;
  };

  const expression = element(root, 0);
  // Too few values (damage) or too deep: the interpreter says so, as it does for every record.
  const source = `return function(v,d){if(v.length<=${maxIndex}||d+${deepest}>${maxDepth})return f(P[0],v,d);return ${expression};}`;
  return new Function('P', 'f', 't', source)(plans, fallback, textOf) as CompiledPlan;
}
