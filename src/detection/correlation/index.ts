/** Sigma correlation rules: parsed and linked by compileRules, evaluated by {@link correlate} over a store. */
export {
  type BaseMatch,
  type CorrelateCounts,
  type CorrelateOptions,
  type CorrelationAlert,
  CorrelationConflictError,
  correlate,
  GROUP_RETENTION_MARGIN_MS,
  groupStoreKey,
} from './correlate.js';
export type { CompiledCorrelation, CorrelationSet } from './correlation-set.js';
export type { CorrelationStore, StoredGroup } from './correlation-store.js';
export type { Contribution, FiredAlert, GroupState } from './group-state.js';
export { MemoryCorrelationStore } from './memory-correlation-store.js';
export { CORRELATION_TYPES, type CorrelationType, parseTimespan } from './parse-correlation.js';
