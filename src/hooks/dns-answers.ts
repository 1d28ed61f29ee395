/**
 * Pick hook: the DNS answers of Sysmon 22 and DNS-Client 3008 events into the batch's resolution table.
 */
import { answersFromEvent, DNS_CLIENT_COMPLETED_EVENT_ID, SYSMON_DNS_EVENT_ID } from '../dns/answers-from-event.js';
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
      const answers = answersFromEvent(event);
      if (answers.length === 0) return;
      context.counters.dnsAnswerEvents++;
      context.counters.dnsAnswers += answers.length;
      for (const answer of answers) context.resolutions.add(answer);
    },
  };
}
