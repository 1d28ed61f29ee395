import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { LIMITS } from '../../../src/limits.js';
import { decodeHeld, encodeHoldMessages } from '../../../src/pipeline/held-codec.js';
import type { HeldConnection } from '../../../src/pipeline/ports.js';

function held(n: number, data: Record<string, string> = {}): HeldConnection {
  return {
    id: `shardId-000000000001/4965${String(n).padStart(6, '0')}#0`,
    sequence: `4965${String(n).padStart(6, '0')}`,
    event: {
      host: 'ws1.corp.example',
      channel: 'Microsoft-Windows-Sysmon/Operational',
      provider: 'Microsoft-Windows-Sysmon',
      eventId: 3,
      time: 1_764_700_000_000 + n,
      format: 'nxlog',
      data: {
        Image: 'C:\\Windows\\System32\\svchost.exe',
        DestinationIp: '198.51.100.7',
        SourcePort: String(50_000 + n),
        ...data,
      },
    },
    origin: `shardId-000000000001/4965${String(n).padStart(6, '0')}`,
    arrival: 1_764_700_001_000,
    firstHeldAt: 1_764_700_001_000,
    round: 1,
  };
}

/** Text gzip can hardly shrink: base64 of a sha256 chain (deterministic), 6 bits of entropy per character. */
function incompressible(chars: number, seed: string): string {
  let out = '';
  let block = seed;
  while (out.length < chars) {
    block = createHash('sha256').update(block).digest('base64');
    out += block;
  }
  return out.slice(0, chars);
}

const v3Body = (list: unknown) => `{"v":3,"gz":"${gzipSync(JSON.stringify(list)).toString('base64')}"}`;

describe('encodeHoldMessages (v3, compressed)', () => {
  it('round-trips through decodeHeld, sorted by id, and names each body its ids', () => {
    const items = [held(3), held(1, { CommandLine: 'a\uffffb\ufffec', User: 'CORP\\jürgen 東京 😀' }), held(2)];
    const { bodies, ids, tooLarge } = encodeHoldMessages(items);
    expect(tooLarge).toEqual([]);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatch(/^\{"v":3,"gz":"[A-Za-z0-9+/]+={0,2}"\}$/);
    expect(ids).toEqual([[held(1).id, held(2).id, held(3).id]]);
    expect(decodeHeld(bodies[0] ?? '')).toEqual({ ok: true, items: [items[1], items[2], items[0]] });
  });

  it('is deterministic: the same connections in any order give the same bytes', () => {
    const items = Array.from({ length: 300 }, (_, i) => held(i, { CommandLine: incompressible(200, `c${i}`) }));
    const once = encodeHoldMessages(items);
    const again = encodeHoldMessages([...items].reverse());
    expect(again.bodies).toEqual(once.bodies);
    expect(createHash('sha256').update(again.bodies.join('\n')).digest('hex')).toBe(
      createHash('sha256').update(once.bodies.join('\n')).digest('hex'),
    );
  });

  it('packs by encoded size: many connections in one body that plain JSON would have split', () => {
    const items = Array.from({ length: 600 }, (_, i) => held(i));
    const plainBytes = items.reduce((sum, item) => sum + Buffer.byteLength(JSON.stringify(item)) + 1, 0);
    expect(plainBytes).toBeGreaterThan(LIMITS.holdMessageBytes);
    const { bodies } = encodeHoldMessages(items);
    expect(bodies).toHaveLength(1);
    expect(Buffer.byteLength(bodies[0] ?? '')).toBeLessThan(plainBytes / 5);
  });

  it('never makes a body over the limit, and loses or repeats no connection', () => {
    // Poorly compressing connections of various sizes, over many bodies, with a small limit to make many cuts.
    const items = Array.from({ length: 400 }, (_, i) =>
      held(i, { CommandLine: incompressible(100 + ((i * 7919) % 3000), `s${i}`) }),
    );
    for (const maxBytes of [10_000, 33_333, LIMITS.holdMessageBytes]) {
      const { bodies, ids, tooLarge } = encodeHoldMessages(items, { maxBytes });
      expect(tooLarge).toEqual([]);
      expect(bodies.length).toBeGreaterThan(maxBytes === LIMITS.holdMessageBytes ? 3 : 20);
      for (const body of bodies) expect(Buffer.byteLength(body)).toBeLessThanOrEqual(maxBytes);
      const decoded = bodies.flatMap((body) => {
        const result = decodeHeld(body);
        if (!result.ok) throw new Error(result.reason);
        return result.items.map((item) => item.id);
      });
      expect(decoded).toEqual(ids.flat());
      expect(decoded).toEqual(items.map((item) => item.id).sort());
    }
  });

  it('keeps each body within the decoded allowance too', () => {
    const items = Array.from({ length: 200 }, (_, i) => held(i));
    const maxDecodedBytes = 20_000;
    const { bodies, tooLarge } = encodeHoldMessages(items, { maxDecodedBytes });
    expect(tooLarge).toEqual([]);
    const plainBytes = items.reduce((sum, item) => sum + Buffer.byteLength(JSON.stringify(item)) + 1, 0);
    expect(bodies.length).toBeGreaterThanOrEqual(Math.ceil(plainBytes / maxDecodedBytes));
    for (const body of bodies) {
      const gz = (JSON.parse(body) as { gz: string }).gz;
      expect(gunzipSync(Buffer.from(gz, 'base64')).length).toBeLessThanOrEqual(maxDecodedBytes);
    }
  });

  it('reports tooLarge a connection over the limit compressed, and holds one that only its plain JSON passes', () => {
    const padding = (text: (field: number) => string) =>
      Object.fromEntries(Array.from({ length: 10 }, (_, f) => [`Padding${f}`, text(f)]));
    // 250 KB of plain JSON each: over LIMITS.holdMessageBytes, which v2 (plain) applied to the JSON itself.
    const random = held(
      7,
      padding((f) => incompressible(25_000, `p${f}`)),
    );
    const repetitive = held(
      8,
      padding((f) => String.fromCharCode(97 + f).repeat(25_000)),
    );
    expect(Buffer.byteLength(JSON.stringify(repetitive))).toBeGreaterThan(LIMITS.holdMessageBytes);
    const { bodies, ids, tooLarge } = encodeHoldMessages([held(1), random, repetitive, held(9)]);
    expect(tooLarge.map((item) => item.id)).toEqual([random.id]);
    expect(ids.flat()).toEqual([held(1).id, repetitive.id, held(9).id]);
    for (const body of bodies) expect(Buffer.byteLength(body)).toBeLessThanOrEqual(LIMITS.holdMessageBytes);
  });

  it('reports tooLarge a connection whose plain JSON alone passes the decoded allowance', () => {
    const big = held(2, { CommandLine: 'a'.repeat(5000) });
    const { bodies, tooLarge } = encodeHoldMessages([held(1), big], { maxDecodedBytes: 4000 });
    expect(tooLarge).toEqual([big]);
    expect(bodies).toHaveLength(1);
  });
});

describe('decodeHeld', () => {
  it('still reads v2 bodies (messages in flight during a deploy)', () => {
    const items = [held(1), held(2, { User: 'CORP\\jürgen' })];
    const body = `{"v":2,"held":[${items.map((item) => JSON.stringify(item)).join(',')}]}`;
    expect(decodeHeld(body)).toEqual({ ok: true, items });
  });

  it('reads a v3 body another encoder made', () => {
    expect(decodeHeld(v3Body([held(5)]))).toEqual({ ok: true, items: [held(5)] });
  });

  it('refuses a gzip bomb with a reason, decompressing no further than LIMITS.holdDecodedBytes', () => {
    // 64 MiB of zeros in a 65 KB gzip: a list of one string, so only the size check can refuse it.
    const bomb = gzipSync(Buffer.concat([Buffer.from('["'), Buffer.alloc(64 * 1024 * 1024, 48), Buffer.from('"]')]));
    expect(bomb.length).toBeLessThan(LIMITS.holdMessageBytes);
    const body = `{"v":3,"gz":"${bomb.toString('base64')}"}`;
    const result = decodeHeld(body);
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/decompresses past 4194304 bytes/) });
    // Just under the allowance decodes (to a list that is then refused as malformed, not as too large).
    const fits = v3Body(['x'.repeat(LIMITS.holdDecodedBytes - 4)]);
    expect(decodeHeld(fits)).toEqual({ ok: false, reason: 'hold message has a malformed entry' });
    expect(decodeHeld(fits, LIMITS.holdDecodedBytes - 1)).toEqual({
      ok: false,
      reason: expect.stringMatching(/decompresses past/),
    });
  });

  it.each([
    ['not JSON', 'x', /not JSON/],
    ['no held list', '{"v":2}', /no held list/],
    ['v3 without gz', '{"v":3}', /not base64/],
    ['v3 gz not base64', '{"v":3,"gz":"ab$d"}', /not base64/],
    ['v3 gz not gzip', `{"v":3,"gz":"${Buffer.from('plain text').toString('base64')}"}`, /not gzip/],
    ['v3 truncated gzip', `{"v":3,"gz":"${gzipSync('[1,2,3]').subarray(0, 12).toString('base64')}"}`, /not gzip/],
    ['v3 not JSON inside', `{"v":3,"gz":"${gzipSync('[{').toString('base64')}"}`, /not decompress to JSON/],
    ['v3 not a list inside', v3Body({ held: [] }), /no held list/],
    ['v3 malformed entry', v3Body([{ ...held(1), round: 'one' }]), /malformed entry/],
  ])('refuses %s with a reason, never throwing', (_, body, reason) => {
    const result = decodeHeld(body);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(reason);
  });
});
