/**
 * Recordings for the project's correlation rules (rules/windows/correlation/): OTRF recordings from ../shared, as
 * NDJSON records, optionally with the behaviour each rule looks for added from the recording's own events.
 */

import type { InputRecord } from '../../../src/pipeline/decode-batch.js';
import { readOtrfObjects } from '../../helpers/otrf.js';

type Line = Record<string, unknown>;

/** Sysmon `UtcTime` (`YYYY-MM-DD HH:MM:SS.mmm`) of an epoch ms. */
function utcTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function sysmonMs(line: Line): number {
  return Date.parse(`${String(line.UtcTime).replace(' ', 'T')}Z`);
}

/** Shifts a flat NXLog Sysmon line by `ms` (UtcTime and the shipper's times). */
function shifted(line: Line, ms: number, changes: Line): Line {
  const at = (text: unknown) => new Date(Date.parse(String(text)) + ms).toISOString();
  return {
    ...line,
    UtcTime: utcTime(sysmonMs(line) + ms),
    TimeCreated: at(line.TimeCreated),
    '@timestamp': at(line['@timestamp']),
    ...changes,
  };
}

/** A recording's lines as one record, the way `replay` reads a file. */
export function asRecord(name: string, lines: readonly Line[]): InputRecord {
  const text = `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
  return { origin: name, data: new TextEncoder().encode(text), arrival: 0 };
}

export function recording(fileName: string): Line[] {
  return readOtrfObjects(fileName);
}

/** psh_cmstp_execution_bypassuac's powershell.exe connection to 151.101.248.133 (raw.githubusercontent.com). */
const BEACON_IP = '151.101.248.133';

/**
 * psh_cmstp_execution_bypassuac with a beacon: the recorded powershell.exe connection to raw.githubusercontent.com
 * repeated every `periodSeconds` (new source ports), `copies` times after the original. Sysmon logged the
 * destination name as "-": only the enrichment (from the recorded DNS answer of the same process) names it.
 */
export function withBeacon(lines: readonly Line[], copies = 8, periodSeconds = 60): Line[] {
  const connection = lines.find((line) => line.EventID === 3 && line.DestinationIp === BEACON_IP);
  if (connection === undefined) throw new Error('the recording has no connection to 151.101.248.133');
  const beacon = Array.from({ length: copies }, (_, i) =>
    shifted(connection, (i + 1) * periodSeconds * 1000, { SourcePort: String(52100 + i) }),
  );
  return [...lines, ...beacon];
}

/** A deterministic hex label (no randomness in tests). */
function label(i: number): string {
  let x = (i + 1) * 2654435761;
  let out = '';
  for (let k = 0; k < 12; k++) {
    out += ((x >>> 0) % 16).toString(16);
    x = Math.imul(x ^ (x >>> 13), 1103515245) + 12345;
  }
  return out;
}

/** The parent domain the tunnelling additions use. */
export const TUNNEL_DOMAIN = 'exfil-example.net';

/**
 * psh_cmstp_execution_bypassuac with DNS tunnelling: the recorded Sysmon 22 query of powershell.exe repeated
 * `count` times over 50 seconds, each for a distinct name `<hex>.t.exfil-example.net`, answered NXDOMAIN.
 */
export function withSysmonTunnel(lines: readonly Line[], count = 60): Line[] {
  const query = lines.find((line) => line.EventID === 22 && line.QueryName === 'raw.githubusercontent.com');
  if (query === undefined) throw new Error('the recording has no Sysmon 22 query for raw.githubusercontent.com');
  const added = Array.from({ length: count }, (_, i) =>
    shifted(query, 60_000 + Math.floor((i * 50_000) / count), {
      QueryName: `${label(i)}.t.${TUNNEL_DOMAIN}`,
      QueryStatus: '9003',
      QueryResults: '-',
    }),
  );
  return [...lines, ...added];
}

/**
 * empire_mimikatz_opth (Winlogbeat) with DNS tunnelling seen by DNS-Client 3008 only: one recorded 3008 event
 * repeated `count` times over 50 seconds for distinct names under exfil-example.net.
 */
export function withDnsClientTunnel(lines: readonly Line[], count = 60): Line[] {
  const query = lines.find((line) => line.event_id === 3008);
  if (query === undefined) throw new Error('the recording has no DNS-Client 3008 event');
  const start = Date.parse(String(query['@timestamp']));
  const added = Array.from({ length: count }, (_, i) => ({
    ...query,
    '@timestamp': new Date(start + 60_000 + Math.floor((i * 50_000) / count)).toISOString(),
    record_number: String(900_000 + i),
    event_data: { ...(query.event_data as Line), QueryName: `${label(i)}.t.${TUNNEL_DOMAIN}`, QueryStatus: '9003' },
  }));
  return [...lines, ...added];
}
