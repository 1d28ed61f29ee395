import { gzipSync, zlibSync } from 'fflate';
import {
  binaryLayer,
  deaggregate,
  gunzip,
  recordBudget,
  unzstd,
  zstdContentSize,
  zstdWindowSize,
} from '../../../../src/events/decode/binary-layers.js';
import { LIMITS } from '../../../../src/limits.js';

const text = new TextEncoder().encode('{"a":1}');

describe('binaryLayer', () => {
  it.each<[string, Uint8Array, string | undefined]>([
    ['gzip', gzipSync(text), 'gzip'],
    ['zstd', new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0]), 'zstd'],
    ['KPL', new Uint8Array([0xf3, 0x89, 0x9a, 0xc2, 0]), 'kpl'],
    ['zlib (not a supported wrapper)', zlibSync(text), undefined],
    ['JSON', text, undefined],
    ['one byte', new Uint8Array([0x1f]), undefined],
  ])('%s', (_name, bytes, expected) => {
    expect(binaryLayer(bytes)).toBe(expected);
  });
});

describe('gunzip', () => {
  it('reads every member of a multi-member gzip', () => {
    const a = gzipSync(new TextEncoder().encode('{"a":1}\n'));
    const b = gzipSync(new TextEncoder().encode('{"b":2}\n'));
    const both = new Uint8Array([...a, ...b]);
    const result = gunzip(both);
    expect(result.ok && new TextDecoder().decode(result.value[0])).toBe('{"a":1}\n{"b":2}\n');
  });

  it('spends one budget across calls: the second layer gets only what the first left', () => {
    // Prepare
    const budget = recordBudget(150_000);
    const layer = gzipSync(new Uint8Array(100_000));
    // Act
    const first = gunzip(layer, budget);
    const second = gunzip(layer, budget);
    // Assess
    expect(first.ok && first.value[0]?.length).toBe(100_000);
    expect(second).toEqual({ ok: false, error: 'gzip too large' });
  });

  it('stops inflating a bomb at the budget instead of decoding it whole', () => {
    // Prepare: 8 MiB of zeros compress to ~8 KB; the budget allows 1 MiB.
    const budget = recordBudget(1024 * 1024);
    // Act
    const result = gunzip(gzipSync(new Uint8Array(8 * 1024 * 1024)), budget);
    // Assess: what was inflated before stopping is at most one push (4 KiB in, ~4 MiB out) past the budget.
    expect(result).toEqual({ ok: false, error: 'gzip too large' });
    expect(budget.remaining).toBeLessThan(0);
    expect(budget.remaining).toBeGreaterThan(-5 * 1024 * 1024);
  });

  it('defaults to the per-record limit', () => {
    expect(recordBudget().remaining).toBe(LIMITS.decompressedBytesPerRecord);
  });

  it('rejects a truncated gzip without trusting its size trailer', () => {
    expect(gunzip(gzipSync(new Uint8Array(100_000)).subarray(0, 50))).toEqual({ ok: false, error: 'truncated gzip' });
  });
});

describe('unzstd and deaggregate', () => {
  it('rejects a zstd frame header alone', () => {
    expect(unzstd(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd]))).toEqual({ ok: false, error: 'truncated zstd' });
  });

  it('rejects a KPL aggregate with a wrong checksum', () => {
    expect(deaggregate(new Uint8Array([0xf3, 0x89, 0x9a, 0xc2, ...new Uint8Array(20)]))).toEqual({
      ok: false,
      error: 'invalid KPL aggregate',
    });
  });
});

describe('zstdContentSize', () => {
  it.each<[string, number[], number | undefined]>([
    ['single segment, 1-byte size', [0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x2a], 42],
    ['2-byte size (+256), as the fixture', [0x28, 0xb5, 0x2f, 0xfd, 0x64, 0xb9, 0x05], 0x05b9 + 256],
    ['4-byte size with a window byte', [0x28, 0xb5, 0x2f, 0xfd, 0x80, 0x68, 0x00, 0x00, 0x00, 0x20], 0x20000000],
    ['no size (streamed frame)', [0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x68], undefined],
    ['a header cut short', [0x28, 0xb5, 0x2f, 0xfd, 0x80, 0x68, 0x00], undefined],
  ])('%s', (_name, bytes, expected) => {
    expect(zstdContentSize(new Uint8Array(bytes))).toBe(expected);
  });

  it('rejects a frame declaring more than the decompression cap before decompressing', () => {
    const header = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x80, 0x68, 0x00, 0x00, 0x00, 0x20, 0, 0, 0]);
    expect(unzstd(header)).toEqual({ ok: false, error: 'zstd too large' });
  });

  it('rejects a frame declaring a content size over what the record has left', () => {
    const header = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x2a, 0, 0, 0]);
    expect(unzstd(header, recordBudget(41))).toEqual({ ok: false, error: 'zstd too large' });
  });
});

describe('zstdWindowSize', () => {
  it.each<[string, number[], number | undefined]>([
    ['1 MiB (exponent 10)', [0x28, 0xb5, 0x2f, 0xfd, 0x04, 10 << 3], 1024 * 1024],
    ['8 MiB (zstd -19 from a pipe)', [0x28, 0xb5, 0x2f, 0xfd, 0x04, 13 << 3], 8 * 1024 * 1024],
    ['1 KiB plus 7/8 (mantissa 7)', [0x28, 0xb5, 0x2f, 0xfd, 0x04, 7], 1024 + 7 * 128],
    ['single segment: none (the content size is the window)', [0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x2a], undefined],
    ['a header cut short', [0x28, 0xb5, 0x2f, 0xfd, 0x04], undefined],
  ])('%s', (_name, bytes, expected) => {
    expect(zstdWindowSize(new Uint8Array(bytes))).toBe(expected);
  });

  it('rejects a frame whose window is larger than the budget before allocating it', () => {
    // A 13-byte frame declaring a 2 GiB window (exponent 21): fzstd would allocate the window first.
    const header = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x04, 21 << 3, 0, 0, 0, 0, 0, 0, 0]);
    expect(unzstd(header)).toEqual({ ok: false, error: 'zstd too large' });
  });
});
