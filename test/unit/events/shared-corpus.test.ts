/**
 * The shared corpora (../shared, beside the checkout) through readRecord: SigmaHQ regression samples and the
 * seed events must give zero rejections; so must every line of the OTRF recordings, with Sysmon 3/22 and
 * DNS-Client 3008 carrying the fields the DNS hooks read.
 */

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Gunzip, unzipSync } from 'fflate';
import type { CanonicalEvent } from '../../../src/events/canonical-event.js';
import { type RecordOutcome, readRecord } from '../../../src/events/read-record.js';
import { describeUnless, missing, SHARED_DIR } from '../../helpers/skip.js';

const shared = SHARED_DIR;
const describeShared = describeUnless(missing(shared));

function jsonFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return jsonFilesUnder(full);
    return entry.name.endsWith('.json') ? [full] : [];
  });
}

function rejections(outcomes: RecordOutcome[], source: string): string[] {
  return outcomes.flatMap((o) => (o.kind === 'rejected' ? [`${source}: ${o.reason}`] : []));
}

/** Each non-empty line as its own record (the bytes, as Kinesis would carry them). */
function* lines(bytes: Uint8Array): Generator<Uint8Array> {
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 10) {
      if (i > start) yield bytes.subarray(start, i);
      start = i + 1;
    }
  }
}

/** Gunzip as far as the data goes: the stored empire_mimikatz_opth.tar.gz is cut short. */
function gunzipPrefix(bytes: Uint8Array): Uint8Array {
  const chunks: Uint8Array[] = [];
  try {
    new Gunzip((chunk) => chunks.push(chunk)).push(bytes, true);
  } catch {
    // truncated: keep what was inflated
  }
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The regular files of a (possibly truncated) ustar archive; a cut last file is cut at its last full line. */
function untar(tar: Uint8Array): Array<[string, Uint8Array]> {
  const files: Array<[string, Uint8Array]> = [];
  const text = new TextDecoder();
  let at = 0;
  while (at + 512 <= tar.length) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const name = text.decode(header.subarray(0, 100)).replace(/\0.*$/s, '');
    const size = Number.parseInt(text.decode(header.subarray(124, 136)).replace(/\0.*$/s, '').trim() || '0', 8);
    const type = header[156];
    const body = tar.subarray(at + 512, Math.min(at + 512 + size, tar.length));
    if (type === 48 || type === 0) {
      const complete = body.length === size;
      files.push([name, complete ? body : body.subarray(0, body.lastIndexOf(10) + 1)]);
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

describeShared('shared corpora through readRecord', () => {
  it('reads every SigmaHQ regression sample and seed event with zero rejections', () => {
    const files = [
      ...jsonFilesUnder(path.join(shared, 'sigma/regression_data')),
      ...jsonFilesUnder(path.join(shared, 'seed-events')),
    ];
    const rejected: string[] = [];
    let events = 0;
    for (const file of files) {
      const outcomes = readRecord(readFileSync(file));
      rejected.push(...rejections(outcomes, path.relative(shared, file)));
      events += outcomes.filter((o) => o.kind === 'event').length;
    }
    expect(rejected).toEqual([]);
    // Some regression files hold several concatenated documents: more events than files.
    expect(events).toBeGreaterThan(files.length);
  });

  it('reads every line of the OTRF recordings with zero rejections, DNS and connection fields intact', () => {
    const otrf = path.join(shared, 'datasets/otrf');
    const sources: Array<[string, Uint8Array]> = [];
    for (const archive of readdirSync(otrf)) {
      const bytes = readFileSync(path.join(otrf, archive));
      if (archive.endsWith('.zip')) sources.push(...Object.entries(unzipSync(bytes)));
      else if (archive.endsWith('.tar.gz')) sources.push(...untar(gunzipPrefix(bytes)));
    }
    const rejected: string[] = [];
    const byId = new Map<string, CanonicalEvent[]>();
    let read = 0;
    for (const [name, content] of sources) {
      for (const line of lines(content)) {
        read++;
        const outcomes = readRecord(line);
        if (outcomes.length !== 1) rejected.push(`${name}: ${outcomes.length} outcomes for one line`);
        rejected.push(...rejections(outcomes, name));
        for (const o of outcomes) {
          if (o.kind !== 'event') continue;
          const key = `${o.event.channel}|${o.event.eventId}`;
          const list = byId.get(key);
          if (list) list.push(o.event);
          else byId.set(key, [o.event]);
        }
      }
    }
    expect(rejected).toEqual([]);
    expect(read).toBeGreaterThan(30000);

    const required: Array<[string, string[]]> = [
      [
        'Microsoft-Windows-Sysmon/Operational|3',
        ['UtcTime', 'ProcessGuid', 'Image', 'DestinationIp', 'DestinationPort', 'SourceIp'],
      ],
      ['Microsoft-Windows-Sysmon/Operational|22', ['UtcTime', 'ProcessGuid', 'Image', 'QueryName', 'QueryStatus']],
      ['Microsoft-Windows-DNS-Client/Operational|3008', ['QueryName', 'QueryType', 'QueryStatus']],
    ];
    for (const [key, fields] of required) {
      const events = byId.get(key) ?? [];
      expect([key, events.length > 0]).toEqual([key, true]);
      const missing = events.filter((e) => fields.some((f) => e.data[f] === undefined));
      expect([key, missing.map((e) => fields.filter((f) => e.data[f] === undefined))]).toEqual([key, []]);
    }
    // (ProcessId is not required: one OTRF recording lost it to HELK's ExecutionProcessID rename, Message too.)
    // Sysmon time is UtcTime, never NXLog's hours-off TimeCreated.
    for (const event of byId.get('Microsoft-Windows-Sysmon/Operational|3') ?? []) {
      expect(new Date(event.time).toISOString().slice(0, 23).replace('T', ' ')).toBe(event.data.UtcTime);
    }
    // The founding answer of the fixtures: powershell.exe resolving raw.githubusercontent.com on WORKSTATION5.
    const answer = (byId.get('Microsoft-Windows-Sysmon/Operational|22') ?? []).find(
      (e) => e.data.QueryName === 'raw.githubusercontent.com' && e.data.ProcessId === '6708',
    );
    expect(answer && [answer.host, answer.time, answer.data.QueryResults]).toEqual([
      'WORKSTATION5',
      Date.UTC(2020, 9, 22, 5, 54, 21, 525),
      'type:  5 github.map.fastly.net;::ffff:151.101.248.133;',
    ]);
  });
});
