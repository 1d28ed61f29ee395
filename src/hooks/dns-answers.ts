/**
 * Pick hook: the DNS answers of Sysmon 22 and DNS-Client 3008 events into the batch's resolution table, with the
 * addresses and CNAME steps the per-answer caps dropped counted.
 */
import { DNS_CLIENT_COMPLETED_EVENT_ID, readDnsAnswers, SYSMON_DNS_EVENT_ID } from '../dns/answers-from-event.js';
import { DNS_CLIENT_CHANNEL, SYSMON_CHANNEL } from '../events/canonical-event.js';
import type { EnrichmentContext } from './enrichment-context.js';
import type { Hook } from './hook.js';

/** Creates the `dns-answers` pick hook. */
export function createDnsAnswersHook(): Hook<EnrichmentContext> {
  return {
    name: 'dns-answers',
    stage: 'pick',
    selects: [
      { channel: SYSMON_CHANNEL, eventIds: [SYSMON_DNS_EVENT_ID] },
      { channel: DNS_CLIENT_CHANNEL, eventIds: [DNS_CLIENT_COMPLETED_EVENT_ID] },
    ],
    apply(event, context) {
      const { answers, dropped } = readDnsAnswers(event);
      if (answers.length === 0) return;
      context.counters.dnsAnswerEvents++;
      context.counters.dnsAnswers += answers.length;
      context.counters.dnsAnswerIpsDropped += dropped.ips;
      context.counters.dnsAnswerCnamesDropped += dropped.cnames;
      for (const answer of answers) context.resolutions.add(answer);
    },
  };
}
