/**
 * docs/hooks.md, followed: hooks written in this file (not registered in HOOK_FACTORIES) run through the real
 * pipeline (processBatch over the project's sample records, decoded by the real chain) by the documented extension
 * point, `planHooks([...createHooks(options), ...yours])`; their fields reach the events and their counters the
 * summary (`summary.hooks.<name>.<counter>`). A stateful one shows the state's schema (merge, TTL in event time,
 * keys) across two batches through a state store, as the Lambda functions run it. Then the registered
 * network-label hook (the recipe's worked example) through the replay core and the command line's --json summary.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runReplay } from '../../cli/replay/run-replay.js';
import { type CanonicalEvent, hostKey, SYSMON_CHANNEL } from '../../src/events/canonical-event.js';
import { createEnrichmentContext, createHooks, type Hook, persistPending, planHooks } from '../../src/hooks/index.js';
import { SYSMON_NETWORK_CONNECT_EVENT_ID } from '../../src/hooks/netconn-hostname.js';
import type { InputRecord } from '../../src/pipeline/decode-batch.js';
import { processBatch } from '../../src/pipeline/process-batch.js';
import { MemoryStateStore } from '../../src/state/memory-state-store.js';
import type { StateSchema } from '../../src/state/state-store.js';
import { cli } from './cli/cli-in-process.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** One Sysmon 3 of WORKSTATION5 (192.168.2.5 -> 151.101.248.133:443), in three shippers' formats. */
const CONNECTIONS = ['events/nxlog/sysmon3-powershell.json', 'events/xml/sysmon3-powershell.xml'];

/** Every event line replay wrote under `out`/events. */
async function outputEvents(out: string): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  for (const file of await readdir(path.join(out, 'events'), { recursive: true })) {
    if (!file.endsWith('.json.gz')) continue;
    const text = gunzipSync(await readFile(path.join(out, 'events', file))).toString('utf8');
    for (const line of text.split('\n')) if (line !== '') lines.push(JSON.parse(line));
  }
  return lines;
}

async function records(files: readonly string[]): Promise<InputRecord[]> {
  return Promise.all(
    files.map(async (file) => ({ origin: file, data: await readFile(path.join(ROOT, file)), arrival: 0 })),
  );
}

const CONNECTION = { channel: SYSMON_CHANNEL, eventIds: [SYSMON_NETWORK_CONNECT_EVENT_ID] };

// Step 1-3 of the recipe: a stateless poke hook, its counters declared once.
const SERVICE_COUNTERS = ['named', 'unnamed'] as const;
const SERVICES: Record<string, string> = { '53': 'dns', '80': 'http', '443': 'https' };

function createPortServiceHook(): Hook<never, (typeof SERVICE_COUNTERS)[number]> {
  return {
    name: 'port-service',
    picks: [],
    pokes: [CONNECTION],
    counters: SERVICE_COUNTERS,
    poke(event, { counters }) {
      const service = SERVICES[event.data.DestinationPort ?? ''];
      if (service === undefined) {
        counters.unnamed++;
        return;
      }
      event.data.DestinationService = service;
      counters.named++;
    },
  };
}

// The stateful shape: pick what the state needs, merge it order-insensitively, expire it in event time, poke it.
const RETENTION_MS = 30 * 24 * 3_600_000;
const firstContactSchema: StateSchema<number> = {
  prefix: 'first-contact',
  merge: (stored, incoming) => (stored === undefined ? incoming : Math.min(stored, incoming)),
  expiresAt: (first) => first + RETENTION_MS,
  equals: (a, b) => a === b,
  encode: (first) => first,
  decode: (encoded) => (typeof encoded === 'number' && Number.isFinite(encoded) ? encoded : undefined),
};

function contactKey(event: CanonicalEvent): string | undefined {
  const ip = event.data.DestinationIp;
  return typeof ip === 'string' && ip !== '' ? `${hostKey(event.host)}|${ip}` : undefined;
}

const FIRST_COUNTERS = ['firstContacts', 'repeats'] as const;

function createFirstContactHook(): Hook<number, (typeof FIRST_COUNTERS)[number]> {
  return {
    name: 'first-contact',
    picks: [CONNECTION],
    pokes: [CONNECTION],
    counters: FIRST_COUNTERS,
    state: {
      schema: firstContactSchema,
      persists: true,
      keysOf: (event) => {
        const key = contactKey(event);
        return key === undefined ? undefined : [key];
      },
    },
    pick(event, { state }) {
      const key = contactKey(event);
      if (key !== undefined) state.put(key, event.time);
    },
    poke(event, { counters, state }) {
      const key = contactKey(event);
      const first = key === undefined ? undefined : state.get(key);
      if (first === undefined) return;
      event.data.DestinationFirstSeen = new Date(first).toISOString();
      if (first === event.time) counters.firstContacts++;
      else counters.repeats++;
    },
  };
}

describe('docs/hooks.md recipe: a hook from a test file through processBatch', () => {
  it('a stateless poke hook: its field in the events, its counters in summary.hooks', async () => {
    const plan = planHooks([...createHooks(), createPortServiceHook()]);
    const batch = await processBatch(await records(CONNECTIONS), { hooks: plan, context: createEnrichmentContext() });
    const connections = batch.events.filter(({ event }) => event.eventId === 3);
    expect(connections).toHaveLength(CONNECTIONS.length);
    for (const { event } of connections) expect(event.data.DestinationService).toBe('https');
    expect(batch.summary.hooks['port-service']).toEqual({ named: CONNECTIONS.length, unnamed: 0 });
    // The registered hooks ran beside it, as they would in replay or Lambda.
    expect(batch.summary.hooks['netconn-hostname']).toBeDefined();
  });

  it('a stateful hook: state picked in batch 1 is persisted, loaded by its keys and poked in batch 2', async () => {
    const store = new MemoryStateStore({ clock: () => Date.parse('2020-10-23T00:00:00Z') });
    const plan = planHooks([createFirstContactHook()]);
    // Batch 1, as the dns-answers function runs persisting hooks: pick, then write what was put.
    const first = createEnrichmentContext({}, { collect: true });
    const one = await processBatch(await records(CONNECTIONS.slice(0, 1)), { hooks: plan, context: first, store });
    await persistPending(first, store);
    const time = one.events[0]?.event.time as number;
    expect(one.events[0]?.event.data.DestinationFirstSeen).toBe(new Date(time).toISOString());
    expect(one.summary.hooks['first-contact']).toEqual({ firstContacts: 1, repeats: 0 });
    expect(await store.get(firstContactSchema, ['workstation5|151.101.248.133'])).toEqual(
      new Map([['workstation5|151.101.248.133', time]]),
    );

    // Batch 2, a fresh context: the key the event declares is read from the store before the picks.
    const later = (await records(CONNECTIONS.slice(0, 1)))[0] as InputRecord;
    const text = Buffer.from(later.data).toString('utf8').replace('05:54:21.520', '06:10:00.000');
    const two = await processBatch([{ ...later, data: Buffer.from(text) }], {
      hooks: plan,
      context: createEnrichmentContext(),
      store,
    });
    expect(two.events[0]?.event.time).toBeGreaterThan(time);
    expect(two.events[0]?.event.data.DestinationFirstSeen).toBe(new Date(time).toISOString());
    expect(two.summary.hooks['first-contact']).toEqual({ firstContacts: 0, repeats: 1 });

    // TTL in event time: past it the store reads nothing, so the contact counts as new again.
    const expired = new MemoryStateStore({ clock: () => time + RETENTION_MS });
    await expired.put(firstContactSchema, [{ key: 'workstation5|151.101.248.133', value: time }]);
    expect((await expired.get(firstContactSchema, ['workstation5|151.101.248.133'])).size).toBe(0);
  });
});

describe('the network-label hook (the worked example) through the replay core and the CLI', () => {
  const TABLE = 'cidr,label\n# the lab network of WORKSTATION5\n192.168.2.0/24,lab\n151.101.0.0/16,AS54113 Fastly\n';
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'hookstream-network-label-'));
    await writeFile(path.join(folder, 'networks.csv'), TABLE);
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('runReplay with networkLabels: fields in the written events, counters in summary.hooks', async () => {
    const out = path.join(folder, 'replay');
    const result = await runReplay({
      inputs: CONNECTIONS.map((file) => path.join(ROOT, file)),
      out,
      enrich: true,
      enrichment: { networkLabels: { table: { '192.168.2.0/24': 'lab', '151.101.0.0/16': 'AS54113 Fastly' } } },
      dedupeFields: [],
    });
    const n = CONNECTIONS.length;
    expect(result.summary.hooks['network-label']).toEqual({ labelled: 2 * n, private: n, public: n, invalid: 0 });
    const written = (await outputEvents(out)).filter((event) => event.event_id === 3);
    expect(written).toHaveLength(n);
    for (const event of written) {
      expect(event).toMatchObject({
        DestinationIp: '151.101.248.133',
        DestinationIsPrivate: 'false',
        DestinationNetwork: 'AS54113 Fastly',
        SourceIp: '192.168.2.5',
        SourceIsPrivate: 'true',
        SourceNetwork: 'lab',
      });
    }
  });

  it('hookstream replay --network-labels <csv> --json: the counters under hooks.network-label', async () => {
    const out = path.join(folder, 'cli');
    const args = ['replay', ...CONNECTIONS.map((file) => path.join(ROOT, file)), '--out', out, '--json'];
    const run = await cli([...args, '--network-labels', path.join(folder, 'networks.csv')]);
    expect(run).toMatchObject({ status: 0 });
    const n = CONNECTIONS.length;
    expect(JSON.parse(run.stdout).hooks['network-label']).toEqual({
      labelled: 2 * n,
      private: n,
      public: n,
      invalid: 0,
    });
    const without = await cli([...args.slice(0, -3), '--out', path.join(folder, 'off'), '--json']);
    // Off, the hook is not planned, so the summary does not name it (it used to show `{}`).
    expect(JSON.parse(without.stdout).hooks).not.toHaveProperty('network-label');
  });

  it('a bad table stops the replay, naming the file and the entry, before anything is written', async () => {
    await writeFile(path.join(folder, 'bad.csv'), '10.0.0.0/8,corp\n10.0.0.1/8,typo\n');
    const run = await cli([
      'replay',
      path.join(ROOT, CONNECTIONS[0] as string),
      '--out',
      path.join(folder, 'bad'),
      '--network-labels',
      path.join(folder, 'bad.csv'),
    ]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/bad\.csv.*10\.0\.0\.1\/8.*host bits set/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    await expect(readdir(path.join(folder, 'bad'))).rejects.toThrow(/ENOENT/);
  });
});
