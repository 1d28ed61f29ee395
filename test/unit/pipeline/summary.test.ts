/** Hook counters in the summary: kept under hooks.<name>, merged across batches, and the DNS hooks' older views. */
import { addHookCounters, emptySummary, mergeSummary } from '../../../src/pipeline/summary.js';

describe('addHookCounters', () => {
  it('keeps any hook counters under its name and adds them up', () => {
    const summary = emptySummary();
    addHookCounters(summary, 'my-hook', { seen: 2, written: 0 });
    addHookCounters(summary, 'my-hook', { seen: 3 });
    expect(summary.hooks).toEqual({ 'my-hook': { seen: 5, written: 0 } });
    // A hook of no built-in view changes nothing else.
    expect({ ...summary, hooks: {} }).toEqual(emptySummary());
  });

  it("derives the report's DNS fields from dns-answers' and netconn-hostname's counters", () => {
    const summary = emptySummary();
    addHookCounters(summary, 'dns-answers', { answerEvents: 4, answers: 7, ipsDropped: 1, cnamesDropped: 2 });
    addHookCounters(summary, 'netconn-hostname', {
      enrichedProcess: 3,
      enrichedHost: 2,
      missed: 5,
      skipped: 1,
      invalid: 4,
      kept: 6,
    });
    expect(summary.dnsAnswers).toBe(7);
    expect(summary.trimmed).toMatchObject({ answerIps: 1, answerCnames: 2 });
    expect(summary.connections).toEqual({
      total: 21,
      enriched: 5,
      bySource: { 'dns-process': 3, 'dns-host': 2 },
      unresolved: 5,
      skipped: 5,
    });
  });
});

describe('mergeSummary', () => {
  it('adds the hook counters of each batch, per hook and counter', () => {
    const total = emptySummary();
    const first = emptySummary();
    addHookCounters(first, 'a', { x: 1 });
    const second = emptySummary();
    addHookCounters(second, 'a', { x: 2, y: 1 });
    addHookCounters(second, 'b', { z: 0 });
    mergeSummary(total, first);
    mergeSummary(total, second);
    expect(total.hooks).toEqual({ a: { x: 3, y: 1 }, b: { z: 0 } });
  });
});
