import { RESOLUTION_PREFIX, resolutionKey, resolutionSchema } from '../../../src/dns/resolution-state.js';
import { createDnsAnswersHook } from '../../../src/hooks/dns-answers.js';
import { createEnrichmentContext } from '../../../src/hooks/enrichment-context.js';
import { createHooks, HOOK_NAMES, runPicks } from '../../../src/hooks/index.js';
import { LIMITS } from '../../../src/limits.js';
import { dnsClient3008, sysmon3, sysmon22 } from './event-factories.js';

const schema = resolutionSchema();

describe('dns-answers', () => {
  it('puts every answer of Sysmon 22 and DNS-Client 3008 events into the resolution state and counts them', () => {
    // Prepare
    const hook = createDnsAnswersHook();
    const context = createEnrichmentContext();
    // Act
    runPicks(
      [
        sysmon22({ results: '::ffff:23.63.247.25;::ffff:23.63.247.34;' }),
        dnsClient3008({ processId: 5196 }),
        sysmon22({ status: '9701', results: '-' }),
        sysmon3({}),
      ],
      [hook],
      context,
    );
    // Assess
    expect(context.counters['dns-answers']).toMatchObject({ answerEvents: 2, answers: 3 });
    expect(context.local.read(schema, resolutionKey('workstation5', '23.63.247.34'))).toHaveLength(1);
    expect(context.local.read(schema, resolutionKey('workstation5', '62.210.16.62'))?.[0]).toMatchObject({
      name: 'rawsec.lu',
      processId: 5196,
      source: 'dns-client-3008',
    });
  });

  it('puts the first addresses of an answer over the caps and counts what was dropped', () => {
    // Prepare
    const hook = createDnsAnswersHook();
    const context = createEnrichmentContext();
    const ips = Array.from({ length: LIMITS.ipsPerAnswer + 10 }, (_v, i) => `10.1.0.${i}`);
    const steps = Array.from({ length: LIMITS.cnamesPerAnswer + 4 }, (_v, i) => `type:  5 s${i}.example`);
    // Act
    runPicks([sysmon22({ results: `${[...steps, ...ips].join(';')};` }), sysmon22({})], [hook], context);
    // Assess
    expect(context.counters['dns-answers']).toEqual({
      answerEvents: 2,
      answers: LIMITS.ipsPerAnswer + 1,
      ipsDropped: 10,
      cnamesDropped: 4,
    });
    const key = (i: number) => resolutionKey('workstation5', `10.1.0.${i}`);
    expect(context.local.read(schema, key(LIMITS.ipsPerAnswer - 1))).toHaveLength(1);
    expect(context.local.read(schema, key(LIMITS.ipsPerAnswer))).toBeUndefined();
  });

  it('queues what it puts for the store only in a collecting context', () => {
    const events = [sysmon22({ results: '::ffff:23.63.247.25;::ffff:23.63.247.34;' })];
    const collecting = createEnrichmentContext({}, { collect: true });
    const plain = createEnrichmentContext();
    runPicks(events, [createDnsAnswersHook()], collecting);
    runPicks(events, [createDnsAnswersHook()], plain);
    const [pending] = collecting.takePending();
    expect(pending?.schema.prefix).toBe(RESOLUTION_PREFIX);
    expect(pending?.items.map((item) => item.key)).toEqual([
      resolutionKey('workstation5', '23.63.247.25'),
      resolutionKey('workstation5', '23.63.247.34'),
    ]);
    expect(collecting.takePending()).toEqual([]);
    expect(plain.takePending()).toEqual([]);
  });

  it('picks Sysmon 22 and DNS-Client 3008, pokes nothing, and persists its state', () => {
    const hook = createDnsAnswersHook();
    expect(hook.picks.map((s) => [s.channel, [...s.eventIds]])).toEqual([
      ['Microsoft-Windows-Sysmon/Operational', [22]],
      ['Microsoft-Windows-DNS-Client/Operational', [3008]],
    ]);
    expect(hook.pokes).toEqual([]);
    expect(hook.state?.persists).toBe(true);
  });
});

describe('hook registry', () => {
  it('lists the hooks in run order and builds them with the options', () => {
    // process-tracking first: its pick gives DNS-Client 3008 events the ProcessGuid dns-answers stores.
    expect(HOOK_NAMES.slice(0, 3)).toEqual(['process-tracking', 'dns-answers', 'netconn-hostname']);
    expect(
      createHooks({}, ['dns-answers', 'netconn-hostname']).map((h) => [h.name, h.picks.length, h.pokes.length]),
    ).toEqual([
      ['dns-answers', 2, 0],
      ['netconn-hostname', 0, 1],
    ]);
    expect(createHooks({}, ['netconn-hostname']).map((h) => h.name)).toEqual(['netconn-hostname']);
  });

  it('gives every hook a distinct name and every persisted state one schema prefix', () => {
    const hooks = createHooks();
    expect(new Set(hooks.map((h) => h.name)).size).toBe(hooks.length);
    const byPrefix = new Map<string, string[]>();
    for (const hook of hooks) {
      if (hook.state === undefined) continue;
      byPrefix.set(hook.state.schema.prefix, [...(byPrefix.get(hook.state.schema.prefix) ?? []), hook.name]);
    }
    expect(byPrefix.get(RESOLUTION_PREFIX)).toEqual(['dns-answers', 'netconn-hostname']);
  });
});
