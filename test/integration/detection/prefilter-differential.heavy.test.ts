/**
 * The literal prefilter never hides a match, on everything: every corpus rule (rules/windows,
 * rules-threat-hunting/windows, rules-emerging-threats) and the unit cases as rules, over every event of every
 * OTRF recording (as recorded, and with their values upper-cased, with dotted capital I / Kelvin sign / long s,
 * and cut short) plus the adversarial events generated from every rule's literals, match exactly the same rules
 * per event with the prefilter on as with every rule evaluated. Run by `npm run test:full`.
 */
import { OTRF_DIR, otrfFiles } from '../../helpers/otrf.js';
import { SIGMA_ROOT } from '../../helpers/sigma-corpus.js';
import { describeUnless, missing } from '../../helpers/skip.js';
import {
  adversarialEvents,
  CORPUS_DIRS,
  compareMatches,
  corpusSources,
  mutatedEvents,
  otrfEvents,
  unitCases,
} from './prefilter-differential-support.js';

describeUnless(missing(SIGMA_ROOT, ...CORPUS_DIRS, OTRF_DIR))('prefilter differential (whole corpus)', () => {
  it('matches the same rules per event with the prefilter on and off', async () => {
    const sources = await corpusSources();
    const unit = unitCases();
    const recorded = otrfEvents();
    expect(otrfFiles().length).toBeGreaterThan(5);
    const events = [
      ...unit.events,
      ...recorded,
      ...mutatedEvents(recorded, 1), // upper case
      ...mutatedEvents(recorded, 4), // dotted capital I
      ...mutatedEvents(recorded, 5), // Kelvin sign, long s
      ...mutatedEvents(recorded, 9), // cut short
      ...adversarialEvents(sources, 8),
    ];
    const result = compareMatches([...sources, ...unit.sources], events);
    expect(result.differences).toEqual([]);
    expect(result.compiled).toBeGreaterThan(2800);
    expect(result.matchedEvents).toBeGreaterThan(10_000);
  }, 1_800_000);
});
