/**
 * Gene rates a rule 0..10 (`Meta.Criticality`, renamed `Meta.Severity` in later Gene versions; values above 10
 * count as 10). Sigma levels are what the rest of hookstream selects, sorts and routes alerts by, so each Gene
 * rule gets the level of its band (docs/detection.md, "Gene rules"): 0 informational, 1-3 low, 4-6 medium,
 * 7-8 high, 9-10 critical.
 */
import type { SigmaLevel } from '../types.js';

/** The Sigma level of a Gene criticality (clamped to 0..10; a non-number reads as 0). */
export function levelOfCriticality(criticality: number): SigmaLevel {
  const c = Number.isFinite(criticality) ? Math.min(10, Math.max(0, Math.trunc(criticality))) : 0;
  if (c === 0) return 'informational';
  if (c <= 3) return 'low';
  if (c <= 6) return 'medium';
  if (c <= 8) return 'high';
  return 'critical';
}
