/**
 * The public Gene rule set (../shared/gene-rules, GPL-3.0: read here as data, never copied): every rule of
 * compiled.gen compiles into the same rule set as Sigma rules, and the events of each file in tests/ raise an
 * alert of the rule the file is named after, through the pipeline (decoder, normaliser, hooks, detection).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FILTER_RULE_REASON } from '../../src/detection/gene/compile-gene.js';
import { compileRules } from '../../src/detection/index.js';
import { splitJsonText } from '../../src/events/decode/json-text.js';
import { createEnrichmentContext, createHooks, planHooks } from '../../src/hooks/index.js';
import { ContainerSet } from '../../src/ioc/container-set.js';
import { processBatch } from '../../src/pipeline/process-batch.js';
import { describeUnless, missing, sharedPath } from '../helpers/skip.js';

const ROOT = sharedPath('gene-rules');
const COMPILED = path.join(ROOT, 'compiled.gen');
const TESTS = path.join(ROOT, 'tests');
const absent = missing(COMPILED, TESTS);
const describeCorpus = describeUnless(absent);

/**
 * The test events carry the placeholder year 4242 in their times, which the normaliser refuses (it accepts
 * 1990..2100); the year is set to 2024 here, the rest of each event as written. Detection does not read the time.
 */
function withRealYear(value: unknown): unknown {
  if (typeof value === 'string') return value.startsWith('4242-') ? `2024-${value.slice(5)}` : value;
  if (Array.isArray(value)) return value.map(withRealYear);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withRealYear(v)]));
  }
  return value;
}

/** One input record per event of a test file (Gene's event JSON is the evtx-json shipper format). */
function testRecords(file: string) {
  const pieces = splitJsonText(readFileSync(file, 'utf8'), Number.POSITIVE_INFINITY);
  return pieces.map((piece, n) => {
    if (!piece.ok) throw new Error(`${file}: document ${n + 1} is not JSON: ${piece.error}`);
    return {
      origin: `${path.basename(file)}#${n + 1}`,
      data: Buffer.from(JSON.stringify(withRealYear(piece.value))),
      arrival: 0,
    };
  });
}

/** The containers the public rules name, loaded empty: their rules are then active (and compile like the rest). */
const containers = () =>
  new ContainerSet(['blacklist', 'whitelist', 'misp'].map((name) => ({ name, values: [] as string[] })));

describeCorpus('Gene rules (../shared/gene-rules)', () => {
  const text = absent ? '' : readFileSync(COMPILED, 'utf8');
  const lines = text.split('\n').filter((line) => line.trim() !== '').length;
  const result = compileRules([{ file: 'compiled.gen', text }], { containers: containers() });
  const names = new Set(
    text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => (JSON.parse(line) as { Name: string }).Name),
  );

  it('compiles every rule of compiled.gen (filter rules compiled, then left out as raising no alert)', () => {
    const filters = result.skipped.filter((s) => s.reason.endsWith(FILTER_RULE_REASON));
    process.stdout.write(
      `compiled.gen: ${lines} rules, ${result.compiled} compiled into the rule set, ${filters.length} filter rule(s) ` +
        `compiled and left out, ${result.rejected.length} rejected\n` +
        result.rejected.map((r) => `  rejected ${r.file}:${r.line}: ${r.reason}\n`).join(''),
    );
    expect(lines).toBe(134);
    expect(result.rejected).toEqual([]);
    expect(result.skipped.filter((s) => !s.reason.endsWith(FILTER_RULE_REASON))).toEqual([]);
    expect(result.compiled + filters.length).toBe(lines);
    expect(result.warnings ?? []).toEqual([]);
  });

  it('rejects no rule and leaves none inactive when its containers are absent, but reports them', () => {
    const bare = compileRules([{ file: 'compiled.gen', text }]);
    expect(bare.rejected).toEqual([]);
    expect(bare.compiled).toBe(result.compiled);
    // BlacklistedDomain and the other container rules wait for their containers.
    expect((bare.warnings ?? []).map((w) => w.reason).join('\n')).toContain('blacklist');
  });

  const files = absent
    ? []
    : readdirSync(TESTS)
        .filter((f) => f.endsWith('.json'))
        .sort();
  const ruleOf = (file: string) => file.replace(/\.json$/, '');
  const withRule = files.filter((f) => names.has(ruleOf(f)));
  // Two test files of the repository name rules it does not publish: they show as skipped, with the reason.
  for (const f of files.filter((f) => !names.has(ruleOf(f)))) {
    it.skip(`${f} raises ${ruleOf(f)} [SKIPPED: compiled.gen has no rule named ${ruleOf(f)}]`, () => {});
  }

  it('finds the test files', () => {
    expect(withRule.length).toBeGreaterThan(80);
  });

  it.each(withRule)('every event of %s raises the rule it is named after', async (file) => {
    const records = testRecords(path.join(TESTS, file));
    const batch = await processBatch(records, {
      hooks: planHooks(createHooks()),
      context: createEnrichmentContext(),
      rules: result.ruleSet,
    });
    expect(batch.rejected).toEqual([]);
    expect(batch.events).toHaveLength(records.length);
    const raised = new Set(
      batch.detections.filter((d) => d.rule.id === ruleOf(file)).map((d) => d.id.replace(/#\d+$/, '')),
    );
    expect(raised.size).toBe(records.length);
    expect(batch.detections.find((d) => d.rule.id === ruleOf(file))?.rule.format).toBe('gene');
  });
});
