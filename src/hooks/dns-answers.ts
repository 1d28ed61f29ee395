/**
 * Pick hook: the DNS answers of Sysmon 22 and DNS-Client 3008 events into the resolution state (persisted: the
 * dns-answers function writes them to the store), with the addresses and CNAME steps the per-answer caps dropped
 * counted.
 */
import { DNS_CLIENT_COMPLETED_EVENT_ID, readDnsAnswers, SYSMON_DNS_EVENT_ID } from '../dns/answers-from-event.js';
import { answerEntry, type Resolutions, resolutionKey, resolutionSchema } from '../dns/resolution-state.js';
import { DNS_CLIENT_CHANNEL, SYSMON_CHANNEL } from '../events/canonical-event.js';
import type { EnrichmentOptions } from './enrichment-context.js';
import type { Hook } from './hook.js';

/** The counters of `dns-answers`. */
export const DNS_ANSWERS_COUNTERS = [
  /** Events that carried at least one answer. */
  'answerEvents',
  /** (name, IP) answers put into the state. */
  'answers',
  /** Addresses left out of answers over the per-answer cap (LIMITS.ipsPerAnswer). */
  'ipsDropped',
  /** CNAME steps left out of answers over the per-answer cap (LIMITS.cnamesPerAnswer). */
  'cnamesDropped',
] as const;

export type DnsAnswersCounter = (typeof DNS_ANSWERS_COUNTERS)[number];

/** Creates the `dns-answers` pick hook. */
export function createDnsAnswersHook(options: EnrichmentOptions = {}): Hook<Resolutions, DnsAnswersCounter> {
  return {
    name: 'dns-answers',
    picks: [
      { channel: SYSMON_CHANNEL, eventIds: [SYSMON_DNS_EVENT_ID] },
      { channel: DNS_CLIENT_CHANNEL, eventIds: [DNS_CLIENT_COMPLETED_EVENT_ID] },
    ],
    pokes: [],
    counters: DNS_ANSWERS_COUNTERS,
    state: { schema: resolutionSchema(options), persists: true },
    pick(event, { counters, state }) {
      const { answers, dropped } = readDnsAnswers(event);
      counters.ipsDropped += dropped.ips;
      counters.cnamesDropped += dropped.cnames;
      if (answers.length === 0) return;
      counters.answerEvents++;
      counters.answers += answers.length;
      for (const answer of answers) state.put(resolutionKey(answer.host, answer.ip), [answerEntry(answer)]);
    },
  };
}
