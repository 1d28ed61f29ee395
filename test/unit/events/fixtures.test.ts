/**
 * Every fixture under events/ is valid input except events/invalid/; every format fixture is the same
 * Sysmon 3 connection and must normalise to the same canonical event, whatever its shipper or wrapping.
 */

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readRecord } from '../../../src/events/read-record.js';
import { expectedSysmon3, summary } from './factories.js';

const root = path.resolve(process.cwd(), 'events');

function filesUnder(folder: string): string[] {
  return readdirSync(path.join(root, folder))
    .filter((name) => !name.endsWith('.md'))
    .map((name) => `${folder}/${name}`);
}

const FORMAT_FIXTURES: Array<[string, string[]]> = [
  ['evtx-json/sysmon3-powershell.json', ['evtx-json']],
  ['evtx-json/sysmon3-evtx-dump.json', ['evtx-json']],
  ['evtx-json/sysmon3-data-pairs.json', ['evtx-json']],
  ['nxlog/sysmon3-powershell.json', ['nxlog']],
  ['winlogbeat/sysmon3-powershell.json', ['winlogbeat']],
  ['winlogbeat/sysmon3-winlogbeat6.json', ['winlogbeat']],
  ['kinesis-agent/sysmon3-powershell.json', ['kinesis-agent']],
  ['xml/sysmon3-powershell.xml', ['xml']],
  ['xml/sysmon3-json-string.json', ['xml']],
  ['fluent-bit/sysmon3-string-inserts.json', ['fluent-bit']],
  ['fluent-bit/sysmon3-event-data-map.json', ['fluent-bit']],
  ['cloudwatch-logs/sysmon3-envelope.json.gz', ['xml']],
  ['kpl/sysmon3-aggregated.kpl', ['evtx-json', 'fluent-bit']],
  ['zstd/sysmon3-winlogbeat.json.zst', ['winlogbeat']],
  ['ndjson/sysmon3-three-shippers.ndjson', ['evtx-json', 'winlogbeat', 'nxlog']],
  ['splunk-hec/sysmon3-nxlog-event.json', ['nxlog']],
  ['splunk-hec/sysmon3-batch.json', ['xml', 'winlogbeat']],
];

describe('events/ format fixtures', () => {
  it.each(FORMAT_FIXTURES)('%s normalises to the powershell.exe connection', (file, formats) => {
    // Act
    const outcomes = readRecord(readFileSync(path.join(root, file)));
    // Assess
    expect(summary(outcomes)).toEqual(formats.map((format) => `event:${format}`));
    for (const outcome of outcomes) {
      if (outcome.kind !== 'event') continue;
      const { format, ...rest } = outcome.event;
      expect(rest).toEqual(expectedSysmon3());
    }
  });

  it('lists every fixture folder file in the table (so a new fixture cannot go untested)', () => {
    const folders = readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !['invalid', 'seed', 'scenario'].includes(entry.name))
      .flatMap((entry) => filesUnder(entry.name));
    expect(folders.sort()).toEqual(FORMAT_FIXTURES.map(([file]) => file).sort());
  });
});

describe('events/seed', () => {
  it.each(filesUnder('seed'))('%s is one event', (file) => {
    expect(summary(readRecord(readFileSync(path.join(root, file))))).toEqual(['event:evtx-json']);
  });
});

describe('events/scenario', () => {
  it.each(filesUnder('scenario'))('%s is one event', (file) => {
    expect(summary(readRecord(readFileSync(path.join(root, file))))).toEqual(['event:nxlog']);
  });
});

describe('events/invalid', () => {
  const expected: Record<string, string> = {
    'invalid/deep-nesting.json': 'document nested too deeply',
    'invalid/empty.json': 'record empty',
    'invalid/eventdata-number.json': 'EventData is not an object',
    'invalid/eventid-abc.json': 'EventID is not an integer',
    'invalid/host-missing.json': 'host missing',
    'invalid/not-json.json': 'not JSON or XML',
    'invalid/time-invalid.json': 'time missing or invalid',
    'invalid/truncated-json.json': 'truncated JSON',
    'invalid/truncated.json.gz': 'truncated gzip',
    'invalid/unknown-shape.json': 'unknown event shape',
  };

  it('has a stated reason for every file', () => {
    expect(filesUnder('invalid').sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('%s is rejected: %s', (file, reason) => {
    expect(summary(readRecord(readFileSync(path.join(root, file))))).toEqual([`rejected:${reason}`]);
  });
});
