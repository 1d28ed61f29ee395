import { createDnsAnswersHook } from '../../../src/hooks/dns-answers.js';
import { createEnrichmentContext } from '../../../src/hooks/enrichment-context.js';
import { createHooks, HOOK_NAMES } from '../../../src/hooks/index.js';
import { LIMITS } from '../../../src/limits.js';
import { dnsClient3008, sysmon3, sysmon22 } from './event-factories.js';

describe('dns-answers', () => {
  it('adds every answer of Sysmon 22 and DNS-Client 3008 events to the batch table and counts them', () => {
    // Prepare
    const hook = createDnsAnswersHook();
    const context = createEnrichmentContext();
    // Act
    hook.apply(sysmon22({ results: '::ffff:23.63.247.25;::ffff:23.63.247.34;' }), context);
    hook.apply(dnsClient3008({ processId: 5196 }), context);
    hook.apply(sysmon22({ status: '9701', results: '-' }), context);
    hook.apply(sysmon3({}), context);
    // Assess
    expect(context.counters).toMatchObject({ dnsAnswerEvents: 2, dnsAnswers: 3 });
    expect(context.resolutions.candidates('workstation5', '23.63.247.34')).toHaveLength(1);
    expect(context.resolutions.candidates('workstation5', '62.210.16.62')[0]).toMatchObject({
      name: 'rawsec.lu',
      processId: 5196,
      source: 'dns-client-3008',
    });
  });

  it('adds the first addresses of an answer over the caps and counts what was dropped', () => {
    // Prepare
    const hook = createDnsAnswersHook();
    const context = createEnrichmentContext();
    const ips = Array.from({ length: LIMITS.ipsPerAnswer + 10 }, (_v, i) => `10.1.0.${i}`);
    const steps = Array.from({ length: LIMITS.cnamesPerAnswer + 4 }, (_v, i) => `type:  5 s${i}.example`);
    // Act
    hook.apply(sysmon22({ results: `${[...steps, ...ips].join(';')};` }), context);
    hook.apply(sysmon22({}), context);
    // Assess
    expect(context.counters).toMatchObject({
      dnsAnswerEvents: 2,
      dnsAnswers: LIMITS.ipsPerAnswer + 1,
      dnsAnswerIpsDropped: 10,
      dnsAnswerCnamesDropped: 4,
    });
    expect(context.resolutions.candidates('workstation5', `10.1.0.${LIMITS.ipsPerAnswer - 1}`)).toHaveLength(1);
    expect(context.resolutions.candidates('workstation5', `10.1.0.${LIMITS.ipsPerAnswer}`)).toHaveLength(0);
  });

  it('is a pick hook on Sysmon 22 and DNS-Client 3008', () => {
    const hook = createDnsAnswersHook();
    expect(hook.stage).toBe('pick');
    expect(hook.selects.map((s) => [s.channel, [...s.eventIds]])).toEqual([
      ['Microsoft-Windows-Sysmon/Operational', [22]],
      ['Microsoft-Windows-DNS-Client/Operational', [3008]],
    ]);
  });
});

describe('hook registry', () => {
  it('lists the hooks in run order and builds them with the options', () => {
    expect(HOOK_NAMES).toEqual(['dns-answers', 'netconn-hostname']);
    expect(createHooks().map((h) => [h.name, h.stage])).toEqual([
      ['dns-answers', 'pick'],
      ['netconn-hostname', 'poke'],
    ]);
    expect(createHooks({}, ['netconn-hostname']).map((h) => h.name)).toEqual(['netconn-hostname']);
  });
});
