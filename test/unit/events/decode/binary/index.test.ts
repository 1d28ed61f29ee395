import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { BINARY_LAYERS, findBinaryLayer } from '../../../../../src/events/decode/binary/index.js';
import { binaryLayer } from '../../../../../src/events/decode/binary-layers.js';

const events = path.resolve(process.cwd(), 'events');

describe('binary layer registry', () => {
  it('holds one layer per magic, in a fixed order', () => {
    expect(BINARY_LAYERS.map((layer) => layer.name)).toEqual(['gzip', 'zstd', 'kpl', 'evtx']);
  });

  it.each<[string, () => Uint8Array, string | undefined]>([
    ['gzip', () => gzipSync('{}'), 'gzip'],
    ['zstd', () => readFileSync(path.join(events, 'zstd/sysmon3-winlogbeat.json.zst')), 'zstd'],
    ['KPL', () => readFileSync(path.join(events, 'kpl/sysmon3-aggregated.kpl')), 'kpl'],
    ['JSON text', () => new TextEncoder().encode('{"a":1}'), undefined],
    ['text starting with E', () => new TextEncoder().encode('Event'), undefined],
  ])('%s: the registry and binaryLayer agree', (_name, make, expected) => {
    const bytes = make();
    expect(findBinaryLayer(bytes)?.name).toBe(expected);
    expect(binaryLayer(bytes)).toBe(expected);
  });
});
