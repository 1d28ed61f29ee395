import { canonicalIp, isEnrichableDestination } from '../dns/canonical-ip.js';
import { type HostIp, resolutionKey } from '../dns/resolution.js';
import { type CanonicalEvent, hostKey, SYSMON_CHANNEL } from '../events/canonical-event.js';

/** Sysmon's network-connection event. */
export const NETWORK_CONNECTION_EVENT_ID = 3;

/** True for a Sysmon event 3. */
export function isConnection(event: CanonicalEvent): boolean {
  return event.eventId === NETWORK_CONNECTION_EVENT_ID && event.channel === SYSMON_CHANNEL;
}

/** The (host, destination IP) a connection is looked up by, or undefined when it is not looked up at all. */
export function connectionKey(event: CanonicalEvent): HostIp | undefined {
  if (!isConnection(event)) return undefined;
  const ip = canonicalIp(event.data.DestinationIp ?? '');
  if (ip === undefined || !isEnrichableDestination(ip)) return undefined;
  const host = hostKey(event.host);
  return host === '' ? undefined : { host, ip };
}

/** The distinct lookup keys of a batch's connections. */
export function connectionKeys(events: Iterable<CanonicalEvent>): HostIp[] {
  const keys = new Map<string, HostIp>();
  for (const event of events) {
    const key = connectionKey(event);
    if (key !== undefined) keys.set(resolutionKey(key.host, key.ip), key);
  }
  return [...keys.values()];
}
