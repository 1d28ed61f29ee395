import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runReplay } from '../../cli/replay/run-replay.js';
import { NAMED_QUERIES, type NamedQueryDefinition } from '../../src/query/named-queries.js';

/** Replays the project's events/ with its rules/ into a new temporary folder, as `npm start` does. */
export async function replayProjectEvents(
  prefix: string,
): Promise<{ out: string; result: Awaited<ReturnType<typeof runReplay>> }> {
  const out = await mkdtemp(path.join(tmpdir(), prefix));
  const result = await runReplay({
    inputs: ['events'],
    out,
    rules: ['rules'],
    enrich: true,
    enrichment: {},
    dedupeFields: ['host', 'destination'],
  });
  return { out, result };
}

/** A named query by id; throws when there is none (a renamed query fails its tests loudly). */
export function namedQuery(id: string): NamedQueryDefinition {
  const found = NAMED_QUERIES.find((q) => q.id === id);
  if (found === undefined) throw new Error(`no named query ${id}`);
  return found;
}
