import { type GeneCondition, parseGeneCondition } from '../../../../src/detection/gene/gene-condition.js';

const names = new Set(['$a', '$b', '$c', '$d']);

/** Evaluates a parsed condition with the given names true. */
function evaluate(c: GeneCondition, truth: ReadonlySet<string>): boolean {
  switch (c.type) {
    case 'name':
      return truth.has(c.name);
    case 'not':
      return !evaluate(c.item, truth);
    case 'and':
      return c.items.every((i) => evaluate(i, truth));
    case 'or':
      return c.items.some((i) => evaluate(i, truth));
  }
}

function truthTable(text: string): string {
  const parsed = parseGeneCondition(text, names);
  if (!parsed.ok) throw new Error(parsed.error);
  const rows: string[] = [];
  for (let mask = 0; mask < 16; mask++) {
    const truth = new Set([...names].filter((_, i) => (mask >> i) & 1));
    rows.push(evaluate(parsed.value, truth) ? '1' : '0');
  }
  return rows.join('');
}

describe('parseGeneCondition', () => {
  it.each([
    // and binds tighter than or; ! binds tightest
    ['$a or $b and $c', '$a or ($b and $c)'],
    ['!$a and $b', '(!$a) and $b'],
    ['!($a or $b) and $c', '(!$a) and (!$b) and $c'],
    ['$a && $b || $c', '($a and $b) or $c'],
    ['$a AND $b OR $c', '($a and $b) or $c'],
    ['(($a))', '$a'],
    ['!!$a', '$a'],
    // A name right after a name: the later one's value wins (Gene's evaluation; one public rule has it).
    ['$a or $b $c or $d', '$a or $c or $d'],
  ])('%s is %s', (text, same) => {
    expect(truthTable(text)).toBe(truthTable(same));
  });

  it.each([
    ['', 'empty condition'],
    ['$a and', 'ends too early'],
    ['$a and $z', 'unknown operand $z'],
    ['($a or $b', 'missing )'],
    ['$a or $b)', 'unexpected'],
    ['$a xor $b', 'unknown word xor'],
    ['$a or 1', 'unexpected text'],
  ])('rejects %j (%s)', (text, reason) => {
    const r = parseGeneCondition(text, names);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(reason);
  });
});
