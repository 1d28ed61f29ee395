/**
 * The prefilter automata of the whole SigmaHQ Windows corpus, kept as images and read back the way a rule cache hit
 * does (compile record + automaton store): every list's automaton is the one building gives, and every OTRF event
 * matches the same rules, in the same order, as with the automata built.
 */
import path from 'node:path';
import { readRuleSources } from '../../../node-io/rule-files.js';
import type { AnchorAutomaton } from '../../../src/detection/anchor-automaton.js';
import { compileParsedRules, parseRuleSources } from '../../../src/detection/index.js';
import type { AutomatonStore } from '../../../src/detection/prefilter.js';
import type { RuleSet } from '../../../src/detection/rule-set.js';
import { otrfAvailable, otrfFiles, readOtrfEvents } from '../../helpers/otrf.js';
import { SIGMA_ROOT, sigmaCorpusPresent } from '../../helpers/sigma-corpus.js';

const present = sigmaCorpusPresent() && otrfAvailable();
if (!present) process.stderr.write('SKIPPED prefilter-image-corpus: ../shared (SigmaHQ, OTRF) is absent\n');

/** Every list's groups' automata, in list order (the lists' private state, read for this comparison only). */
function automataOf(ruleSet: RuleSet): AnchorAutomaton[] {
  const out: AnchorAutomaton[] = [];
  const lists = (ruleSet as unknown as { lists(): Iterable<{ buildAutomata(): void; made(): unknown }> }).lists();
  for (const list of lists) {
    list.buildAutomata();
    const groups = (list.made() as { groups: { automaton: AnchorAutomaton }[] }).groups;
    for (const g of groups) out.push(g.automaton);
  }
  return out;
}

const tablesOf = (a: AnchorAutomaton) => {
  const p = a.parts;
  return { ...p, table: [p.table.constructor.name, Array.from(p.table)] };
};

(present ? describe : describe.skip)('prefilter automata of the SigmaHQ Windows corpus, read back', () => {
  let built: RuleSet;
  let loaded: RuleSet;
  let images = 0;

  beforeAll(async () => {
    const parsed = parseRuleSources(await readRuleSources([path.join(SIGMA_ROOT, 'rules/windows')]));
    const full = compileParsedRules(parsed);
    const record = full.record;
    if (!record?.automata?.images) throw new Error('no record');
    // The images as the cache writes them, after a fresh compile built every automaton.
    const kept = new Map(record.automata.images().map((x) => [x.digest, x.image.slice()]));
    images = kept.size;
    const store: AutomatonStore = { get: (digest) => kept.get(digest) };
    const { automata: _, ...json } = record;
    loaded = compileParsedRules(parsed, {}, { record: { ...json, automata: { store } } }).ruleSet;
    built = compileParsedRules(parsed).ruleSet;
  }, 120_000);

  it('reads back every automaton instead of building it, each the one building gives', () => {
    const fromImages = automataOf(loaded);
    const fresh = automataOf(built);
    expect(images).toBeGreaterThan(300);
    expect(loaded.automata.built).toBe(0);
    expect(loaded.automata.loaded).toBe(images);
    expect(fromImages).toHaveLength(fresh.length);
    fromImages.forEach((a, i) => {
      expect(tablesOf(a)).toEqual(tablesOf(fresh[i] as AnchorAutomaton));
    });
  });

  it('matches every OTRF event the same, rules in the same order', () => {
    let events = 0;
    let matches = 0;
    const differ: string[] = [];
    for (const file of otrfFiles()) {
      for (const event of readOtrfEvents(file)) {
        events++;
        const a = loaded.matchAll(event).map((m) => m.rule.id);
        const b = built.matchAll(event).map((m) => m.rule.id);
        matches += b.length;
        if (a.join() !== b.join()) differ.push(`${file}: ${a.join()} vs ${b.join()}`);
      }
    }
    expect(differ).toEqual([]);
    expect(events).toBeGreaterThan(10_000);
    expect(matches).toBeGreaterThan(100);
  });
});
