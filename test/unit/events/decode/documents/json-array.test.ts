/**
 * A top-level JSON array of events is read as a list of documents, one per element: a bad element is rejected
 * alone, with its own bytes, and the elements after it are read.
 */

import { readRecord } from '../../../../../src/events/read-record.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function event(n: number): Record<string, unknown> {
  return {
    EventID: 1,
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    SourceName: 'Microsoft-Windows-Sysmon',
    Hostname: `HOST-${n}`,
    EventTime: '2020-10-22 05:54:21',
    UtcTime: `2020-10-22 05:54:${String(n % 60).padStart(2, '0')}.520`,
    Image: `C:\\p${n}.exe`,
    ProcessGuid: `{${n}}`,
  };
}

function outcomes(bytes: Uint8Array): string[] {
  return readRecord(bytes).map((o) =>
    o.kind === 'event'
      ? `event ${o.event.host}${o.invalidUtf8 ? ' invalid' : ''}`
      : o.kind === 'rejected'
        ? `rejected ${o.reason}: ${decoder.decode(o.raw)}${o.invalidUtf8 ? ' invalid' : ''}`
        : `filtered ${o.reason}`,
  );
}

const text = (value: string) => outcomes(encoder.encode(value));

describe('a top-level JSON array of events', () => {
  it('gives each element as a document, compact or pretty-printed (ConvertTo-Json)', () => {
    const events = [event(1), event(2), event(3)];
    const expected = ['event HOST-1', 'event HOST-2', 'event HOST-3'];
    expect(text(JSON.stringify(events))).toEqual(expected);
    expect(text(`\uFEFF${JSON.stringify(events, null, 4)}\r\n`)).toEqual(expected);
  });

  it('rejects a bad element alone, with its own bytes', () => {
    const broken = JSON.stringify(event(2), null, 4).replace('"Image"', '"Image" "x"').replace(/\n/g, '\n    ');
    const pretty = JSON.stringify([event(1), 42, event(3)], null, 4).replace('42', `42,\n    ${broken}`);
    expect(text(pretty)).toEqual([
      'event HOST-1',
      'rejected unknown event shape: 42',
      `rejected not JSON or XML: ${broken}`,
      'event HOST-3',
    ]);
  });

  it('ends an element cut short where the next element starts, in its column or left of it', () => {
    const lines = JSON.stringify([event(1), event(2), event(3)], null, 2).split('\n');
    // Cut the second element inside a string value (a log copied while written, then appended to).
    const second = lines.findIndex((line) => line.includes('HOST-2'));
    const cut = [...lines.slice(0, second), '    "Hostname": "HO'];
    const rest = lines.slice(lines.findIndex((line, i) => i > second && line === '  {'));
    const start = lines.lastIndexOf('  {', second);
    expect(text([...cut, ...rest].join('\n'))).toEqual([
      'event HOST-1',
      `rejected truncated JSON: ${cut.slice(start).join('\n').trimStart()}`,
      'event HOST-3',
    ]);
    // One element per line in column 0: a line cut short, then the next element.
    const perLine = `[\n${JSON.stringify(event(1))},\n${JSON.stringify(event(2)).slice(0, 30)}\n${JSON.stringify(event(3))}\n]`;
    expect(text(perLine)).toEqual([
      'event HOST-1',
      `rejected truncated JSON: ${JSON.stringify(event(2)).slice(0, 30)}`,
      'event HOST-3',
    ]);
  });

  it('flags only the element an invalid byte is in, and reads what follows the array', () => {
    const bytes = encoder.encode(`${JSON.stringify([event(1), event(2)])}\n${JSON.stringify(event(3))}\n`);
    bytes[Buffer.from(bytes).indexOf('p2.exe')] = 0xff;
    expect(outcomes(bytes)).toEqual(['event HOST-1', 'event HOST-2 invalid', 'event HOST-3']);
  });

  it('leaves other arrays one document, as before', () => {
    expect(text('[1,2,3]')).toEqual(['rejected unknown event shape: [1,2,3]']);
    expect(text('[]')).toEqual(['rejected unknown event shape: []']);
    expect(text(`[[${JSON.stringify(event(1))}]]`)).toEqual([
      `rejected unknown event shape: [[${JSON.stringify(event(1))}]]`,
    ]);
  });
});
