/**
 * The port behind correlation state: one {@link GroupState} per (correlation, group), with optimistic versions so
 * that batches of different shards updating the same group at once never lose a contribution.
 */
import type { GroupState } from './group-state.js';

export interface StoredGroup {
  state: GroupState;
  /** Version for the conditional save; 0 means absent. */
  version: number;
}

export interface CorrelationStore {
  /** The groups that exist, by key (absent keys are missing from the map). Read strongly consistent. */
  load(keys: readonly string[]): Promise<Map<string, StoredGroup>>;
  /**
   * Saves the state if the stored version is still `expected` (0: absent) and returns true; false when another
   * writer changed it first (the caller reloads and applies its contributions again). `expiresAt` (epoch ms, wall
   * clock) is when the store may forget the group. Throws only dependency errors (retryable).
   */
  save(key: string, state: GroupState, expected: number, expiresAt: number): Promise<boolean>;
}
