/**
 * The literal prefilter is sound for Gene rules: on every event of ../shared/gene-rules/tests, the rules of
 * compiled.gen match exactly the same with and without it (test:full: the rule set without the prefilter takes
 * seconds over these 1,396 large events).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compileRules } from '../../src/detection/index.js';
import { splitJsonText } from '../../src/events/decode/json-text.js';
import { readRecord } from '../../src/events/read-record.js';
import { ContainerSet } from '../../src/ioc/container-set.js';
import { describeUnless, missing, sharedPath } from '../helpers/skip.js';

const ROOT = sharedPath('gene-rules');
const absent = missing(path.join(ROOT, 'compiled.gen'), path.join(ROOT, 'tests'));

describeUnless(absent)('Gene rules and the literal prefilter', () => {
  it('match the same with and without it, on every test event', () => {
    const text = readFileSync(path.join(ROOT, 'compiled.gen'), 'utf8');
    const containers = () => new ContainerSet(['blacklist', 'whitelist', 'misp'].map((name) => ({ name, values: [] })));
    const withIt = compileRules([{ file: 'compiled.gen', text }], { containers: containers() }).ruleSet;
    const without = compileRules([{ file: 'compiled.gen', text }], {
      containers: containers(),
      prefilter: false,
    }).ruleSet;
    const events = readdirSync(path.join(ROOT, 'tests'))
      .sort()
      .flatMap((file) => splitJsonText(readFileSync(path.join(ROOT, 'tests', file), 'utf8'), Number.POSITIVE_INFINITY))
      .flatMap((piece) => {
        if (!piece.ok) return [];
        // The placeholder year 4242 is outside what the normaliser accepts (see gene-rules.test.ts).
        const json = JSON.stringify(piece.value).replaceAll('"4242-', '"2024-');
        return readRecord(new TextEncoder().encode(json)).flatMap((o) => (o.kind === 'event' ? [o.event] : []));
      });
    expect(events.length).toBeGreaterThan(1000);
    const ids = (rules: typeof withIt) => events.flatMap((e, n) => rules.match(e).map((m) => `${n} ${m.rule.id}`));
    const found = ids(withIt);
    expect(found.length).toBeGreaterThan(events.length);
    expect(found).toEqual(ids(without));
  });
});
