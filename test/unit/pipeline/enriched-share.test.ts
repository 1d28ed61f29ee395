import { enrichedShare, formatEnrichedShare } from '../../../src/pipeline/enriched-share.js';

describe('enrichedShare', () => {
  it.each([
    [{ enriched: 143, unresolved: 388 }, { enriched: 143, lookedUp: 531, share: 143 / 531 }, '26.9%'],
    [{ enriched: 20, unresolved: 0 }, { enriched: 20, lookedUp: 20, share: 1 }, '100.0%'],
    [{ enriched: 0, unresolved: 5 }, { enriched: 0, lookedUp: 5, share: 0 }, '0.0%'],
    [{ enriched: 0, unresolved: 0 }, { enriched: 0, lookedUp: 0, share: undefined }, '-'],
  ])('%j -> %j, %s', (counts, share, text) => {
    expect(enrichedShare(counts)).toEqual(share);
    expect(formatEnrichedShare(counts)).toBe(text);
  });
});
