/**
 * Hostile records for the fault soak and the integration tests (issue 9): each one once made a function fail its
 * whole batch forever, or lost the good events around it. Every record says what the pipeline must do with it
 * (`outcome`), how many events it must yield, the exact bytes it must leave in `rejected/`, and why.
 *
 * Each record's events carry a host name of their own (`host`), so a test can count what became of one record in
 * the output without knowing its sequence number. No answer anywhere names their destination addresses
 * (documentation ranges, RFC 5737), so their connections are held until the DNS consumer has caught up, as a
 * connection with no name is.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/** What the pipeline must do with a hostile record. */
export type HostileOutcome = 'rejected' | 'kept';

export interface HostileRecord {
  /** Short name, for reports. */
  name: string;
  /** The Kinesis record's data. */
  data: Uint8Array;
  /**
   * `rejected`: the whole record goes to `rejected/` once, with its original bytes and a reason, and writes no
   * event. `kept`: each of its `events` is written once, as replay writes it (and `rejectedRaw` lists the parts of
   * it that must be rejected on their own).
   */
  outcome: HostileOutcome;
  /** Events the record must yield in `events/`. */
  events: number;
  /** The exact bytes of each line it must leave in `rejected/` (the whole record, or one bad line of it). */
  rejectedRaw: Uint8Array[];
  /** The host name its events carry (unique to the record). */
  host: string;
  /** Whether its connections go through the hold queue (no answer names them). */
  held: boolean;
  /**
   * A partition key to put it with: records that share one land on one shard, in order, so that they can meet in
   * one batch (undefined: any key).
   */
  partitionKey?: string;
  /** The limit it tests and why the outcome is the right one. */
  reason: string;
}

export interface HostileOptions {
  /** Event time of every hostile event, epoch ms (put it among records of about the same time). */
  time: number;
  /** Distinguishes the host names of several sets in one stream. Default `soak`. */
  tag?: string;
}

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';

/** Sysmon's UtcTime text, `YYYY-MM-DD HH:MM:SS.mmm`. */
function utcTime(time: number): string {
  return new Date(time).toISOString().replace('T', ' ').replace('Z', '');
}

type Line = Record<string, string | number>;

/** A flat NXLog line (the shape of the OTRF recordings). */
function nxlog(host: string, eventId: number, time: number, recordNumber: number, data: Line): Line {
  return {
    EventID: eventId,
    Channel: SYSMON,
    SourceName: 'Microsoft-Windows-Sysmon',
    Hostname: host,
    RecordNumber: recordNumber,
    UtcTime: utcTime(time),
    ...data,
  };
}

/** A Sysmon 3 connection from `host` to a documentation address no answer names. */
function connection(host: string, time: number, index: number, extra: Line = {}): Line {
  return nxlog(host, 3, time, 100_000 + index, {
    ProcessGuid: '{5eed0000-0000-4000-8000-000000000003}',
    ProcessId: '4242',
    Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    User: 'SOAK\\tester',
    Protocol: 'tcp',
    Initiated: 'true',
    SourceIsIpv6: 'false',
    SourceIp: '192.0.2.10',
    SourceHostname: '-',
    SourcePort: String(20_000 + index),
    SourcePortName: '-',
    DestinationIsIpv6: 'false',
    DestinationIp: `203.0.113.${1 + (index % 254)}`,
    DestinationHostname: '-',
    DestinationPort: '443',
    DestinationPortName: '-',
    ...extra,
  });
}

/** A Sysmon 1 process creation (never held, never looked up). */
function processCreation(host: string, time: number, index: number): Line {
  return nxlog(host, 1, time, 200_000 + index, {
    ProcessGuid: `{5eed0000-0000-4000-8000-${String(index).padStart(12, '0')}}`,
    ProcessId: String(5000 + index),
    Image: 'C:\\Windows\\System32\\cmd.exe',
    CommandLine: `cmd.exe /c echo soak ${index}`,
    User: 'SOAK\\tester',
    ParentImage: 'C:\\Windows\\explorer.exe',
  });
}

const bytes = (line: Line | string): Uint8Array => Buffer.from(typeof line === 'string' ? line : JSON.stringify(line));

/**
 * The hostile records of issue 9, in a fixed order: a host name over 2,048 bytes, a DNS answer with 36,000 CNAME
 * steps, a held connection with U+FFFF in a field, two held connections of about 1 MB each, one gzip record of
 * 2,000 ordinary held connections, and an NDJSON record with a truncated line between good ones.
 */
export function hostileRecords(options: HostileOptions): HostileRecord[] {
  const { time } = options;
  const tag = options.tag ?? 'soak';
  const hostOf = (name: string) => `${name}.${tag}.hostile.example`;
  const records: HostileRecord[] = [];

  // Over DynamoDB's 2,048-byte partition key, the limit that made the whole batch fail; a Windows FQDN is at most
  // 255 bytes, so this is no Windows host at all.
  const longHost = `${'h'.repeat(2_100)}.${tag}.hostile.example`;
  const longHostLine = bytes(connection(longHost, time, 1));
  records.push({
    name: 'host name over 2,048 bytes',
    data: longHostLine,
    outcome: 'rejected',
    events: 0,
    rejectedRaw: [longHostLine],
    host: longHost,
    held: false,
    reason: 'Computer over the 255-byte host name limit (LIMITS.hostBytes): no valid key for any table',
  });

  // 36,000 CNAME steps (about 690 KB of QueryResults, under Kinesis's 1 MiB record): a resolution item would be far
  // over DynamoDB's 400 KB. The
  // steps past the cap are dropped and counted, the field is cut to the field limit, and the event is kept. The
  // name ends in .com so that the soak's DNS rule alerts on it: the alert path carries a large event too.
  const cnameHost = hostOf('cnames');
  const steps = Array.from({ length: 36_000 }, (_, i) => `type:  5 c${i}.hx;`).join('');
  const cnames = bytes(
    nxlog(cnameHost, 22, time, 300_001, {
      ProcessGuid: '{5eed0000-0000-4000-8000-000000000022}',
      ProcessId: '4242',
      Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      QueryName: `cnames.${tag}.hostile.com`,
      QueryStatus: '0',
      QueryResults: `${steps}::ffff:198.51.100.22;`,
    }),
  );
  records.push({
    name: 'DNS answer with 36,000 CNAME steps',
    data: cnames,
    outcome: 'kept',
    events: 1,
    rejectedRaw: [],
    host: cnameHost,
    held: false,
    reason: 'CNAME steps over LIMITS.cnamesPerAnswer dropped and counted; the answer and its event are kept',
  });

  // SQS refuses U+FFFF in a message body (valid: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF); the held
  // connection must still travel through the hold queue, and be written with the character intact.
  const ffffHost = hostOf('uffff');
  records.push({
    name: 'held connection with U+FFFF',
    data: bytes(connection(ffffHost, time, 2, { Image: 'C:\\Users\\tester\\evil\uffff.exe' })),
    outcome: 'kept',
    events: 1,
    rejectedRaw: [],
    host: ffffHost,
    held: true,
    reason: 'hold messages encoded so that any string is valid in SQS; written once, as it came',
  });

  // Thirty fields of 32,000 characters: under the field (32 KiB) and event (1 MiB) limits, so it decodes, but no
  // SQS message (256 KiB) can hold it, even compressed (base64 of a sha256 chain: gzip gains less than base64
  // costs). It can never be held, so it is final at once, unresolved; no answer names its address, so that is what
  // replay writes too. It must neither fail its batch nor be lost.
  for (const index of [3, 4]) {
    const bigHost = hostOf(`big${index - 2}`);
    const padding: Line = {};
    for (let field = 1; field <= 30; field++) {
      let text = '';
      for (let block = `${index}-${field}`; text.length < 32_000; text += block) {
        block = createHash('sha256').update(block).digest('base64');
      }
      padding[`Padding${String(field).padStart(2, '0')}`] = text.slice(0, 32_000);
    }
    const data = bytes(connection(bigHost, time, index, padding));
    records.push({
      name: `held connection of ${Math.round(data.byteLength / 1000)} KB (${index - 2} of 2)`,
      data,
      outcome: 'kept',
      events: 1,
      rejectedRaw: [],
      host: bigHost,
      held: true,
      // Both on one shard, next to each other: together they are also over one SendMessageBatch.
      partitionKey: `${tag}-big`,
      reason: 'too large for one hold message (LIMITS.holdMessageBytes): final at once, written unresolved',
    });
  }

  // 2,000 ordinary connections in one gzip record: their hold messages are far over one SendMessageBatch's
  // 256 KiB, so the holds must be split by bytes, not only by entries.
  const gzipHost = hostOf('gzip');
  const gzipLines = Array.from({ length: 2_000 }, (_, i) => JSON.stringify(connection(gzipHost, time + i, 1_000 + i)));
  records.push({
    name: 'gzip record of 2,000 held connections',
    data: gzipSync(Buffer.from(`${gzipLines.join('\n')}\n`)),
    outcome: 'kept',
    events: 2_000,
    rejectedRaw: [],
    host: gzipHost,
    held: true,
    reason:
      'ordinary connections: every one written once; SendMessageBatch sized by bytes (LIMITS.sendMessageBatchBytes)',
  });

  // A truncated line between good ones: that line alone is rejected, with its bytes, and the lines after it are read.
  const ndjsonHost = hostOf('ndjson');
  const good = Array.from({ length: 6 }, (_, i) => JSON.stringify(processCreation(ndjsonHost, time + i, i)));
  const truncated = JSON.stringify(processCreation(ndjsonHost, time + 3, 99)).slice(0, 90);
  const ndjson = [...good.slice(0, 3), truncated, ...good.slice(3)].join('\n');
  records.push({
    name: 'NDJSON record with a truncated line',
    data: bytes(`${ndjson}\n`),
    outcome: 'kept',
    events: good.length,
    rejectedRaw: [bytes(truncated)],
    host: ndjsonHost,
    held: false,
    reason: 'the bad line is rejected alone with its exact bytes; the six good lines around it are written',
  });

  return records;
}
