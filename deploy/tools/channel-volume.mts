/**
 * Events per channel per host-hour in the OTRF recordings (../shared/datasets/otrf), for the volume estimate of
 * docs/deploy.md: every line read by hookstream's own reader. A host's hours in a recording are the sum of the
 * gaps between its consecutive events, leaving out gaps over 10 minutes (psh_cmstp's lines carry two clocks 4 h
 * apart, which a first-to-last span would count as 4 hours of logging). A channel's rate is its events over the
 * host-hours of the hosts that logged it. These are short attack recordings: the rates are of busy hosts.
 * Run: npx tsx deploy/tools/channel-volume.mts [folder]
 */

import { readdirSync } from 'node:fs';
import { readRecord } from '../../src/events/read-record.js';
import { readOtrfObjects } from '../../test/helpers/otrf.js';

const folder = process.argv[2];
const files = readdirSync(folder ?? new URL('../../../shared/datasets/otrf', import.meta.url).pathname)
  .filter((name) => name.endsWith('.zip') || name.endsWith('.tar.gz'))
  .sort();

interface Tally {
  events: number;
  bytes: number;
  hosts: Set<string>;
}
const channels = new Map<string, Tally>();
/** `${file}|${host}` -> its event times. */
const times = new Map<string, number[]>();
const MAX_GAP_MS = 600_000;
const eventIds = new Map<string, Map<number, number>>();

for (const file of files) {
  for (const object of readOtrfObjects(file)) {
    const bytes = Buffer.from(JSON.stringify(object));
    for (const outcome of readRecord(bytes)) {
      if (outcome.kind !== 'event') continue;
      const event = outcome.event;
      const key = `${file}|${event.host.toLowerCase()}`;
      times.set(key, [...(times.get(key) ?? []), event.time]);
      const tally = channels.get(event.channel) ?? { events: 0, bytes: 0, hosts: new Set() };
      tally.events++;
      tally.bytes += bytes.length;
      tally.hosts.add(key);
      channels.set(event.channel, tally);
      const ids = eventIds.get(event.channel) ?? new Map();
      ids.set(event.eventId, (ids.get(event.eventId) ?? 0) + 1);
      eventIds.set(event.channel, ids);
    }
  }
}

const activeMs = new Map<string, number>();
for (const [key, list] of times) {
  const sorted = list.filter(Number.isFinite).sort((a, b) => a - b);
  let ms = 0;
  for (let i = 1; i < sorted.length; i++) {
    const gap = (sorted[i] as number) - (sorted[i - 1] as number);
    if (gap <= MAX_GAP_MS) ms += gap;
  }
  activeMs.set(key, ms);
}
const hours = (keys: Iterable<string>) => [...keys].reduce((sum, key) => sum + (activeMs.get(key) ?? 0) / 3_600_000, 0);
console.log(`${files.length} recordings, ${times.size} host-recordings, ${hours(times.keys()).toFixed(2)} host-hours`);
console.log(
  'channel | events | host-recordings | host-hours | events per host-hour | mean bytes (NXLog/Winlogbeat JSON) | top IDs',
);
for (const [channel, tally] of [...channels].sort((a, b) => b[1].events - a[1].events)) {
  const h = hours(tally.hosts);
  const top = [...(eventIds.get(channel) ?? [])]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([id, n]) => `${id}:${n}`)
    .join(' ');
  console.log(
    `${channel} | ${tally.events} | ${tally.hosts.size} | ${h.toFixed(2)} | ${(tally.events / h).toFixed(0)} | ${(tally.bytes / tally.events).toFixed(0)} | ${top}`,
  );
}
console.log('\nhost-recording | minutes counted');
for (const [key, ms] of activeMs) console.log(`${key} | ${(ms / 60_000).toFixed(1)}`);
