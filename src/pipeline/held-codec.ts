import { gunzipSync, gzipSync } from 'node:zlib';
import type { CanonicalEvent } from '../events/canonical-event.js';
import { LIMITS } from '../limits.js';
import type { HeldConnection } from './ports.js';

/**
 * Hold-queue message bodies. Version 3 (written): `{"v":3,"gz":"<base64>"}`, the base64 of the gzip of the JSON
 * list of held connections; base64 keeps any byte SQS-safe, and gzip packs about 13 connections in the bytes of one
 * (test/unit/pipeline/held-codec.test.ts measures it on the OTRF connections). Version 2 (still read, for messages
 * in flight during a deploy): `{"v":2,"held":[...]}`, the plain list.
 */
export interface HoldMessages {
  /** Message bodies, each at most `maxBytes` (LIMITS.holdMessageBytes) as sent, in a deterministic order. */
  bodies: string[];
  /** The ids carried by each body, same order. */
  ids: string[][];
  /** Connections too large for one message on their own, compressed: the caller finalises them instead of holding them. */
  tooLarge: HeldConnection[];
}

export interface HoldPacking {
  /** Bytes of one body as sent. Default LIMITS.holdMessageBytes. */
  maxBytes?: number;
  /** Bytes of the JSON list one body carries, before compression. Default LIMITS.holdDecodedBytes. */
  maxDecodedBytes?: number;
}

function compareHeld(a: HeldConnection, b: HeldConnection): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The v3 body of some entries' JSON texts: ASCII only (base64), so its length is its bytes. */
function encodeV3(texts: readonly string[]): string {
  // Level 6 (zlib's default) and no timestamp in the header: the same entries give the same bytes.
  const gz = gzipSync(`[${texts.join(',')}]`, { level: 6 });
  return `{"v":3,"gz":"${gz.toString('base64')}"}`;
}

/**
 * Hold-queue messages (v3) for the held connections: sorted by id, packed greedily by JSON bytes up to
 * `maxDecodedBytes` per body (an entry never split), compressed; a body over `maxBytes` is cut to the share of its
 * entries that the ratio says fits (95% of it) and compressed again, until it fits. An entry that does not fit on
 * its own, compressed, is tooLarge. Deterministic for the same input, so a batch that holds the same connections
 * twice sends the same bodies (which the hold handler de-duplicates by content).
 */
export function encodeHoldMessages(items: readonly HeldConnection[], packing: HoldPacking = {}): HoldMessages {
  const maxBytes = packing.maxBytes ?? LIMITS.holdMessageBytes;
  const maxDecoded = packing.maxDecodedBytes ?? LIMITS.holdDecodedBytes;
  const result: HoldMessages = { bodies: [], ids: [], tooLarge: [] };
  const sorted = [...items].sort(compareHeld);
  // JSON.stringify escapes control characters and lone surrogates; U+FFFE/U+FFFF and the rest go into gzip as
  // UTF-8 and come back the same: the body itself is base64.
  const texts = sorted.map((item) => JSON.stringify(item));
  const sizes = texts.map((text) => Buffer.byteLength(text) + 1);
  let start = 0;
  // JSON bytes the next body is first tried with: the whole allowance, then what the last body's ratio says fits
  // (so that many bodies of poorly compressing entries do not each compress the allowance first).
  let budget = maxDecoded;
  while (start < sorted.length) {
    // The list `[a,b]`: 2 brackets, one comma fewer than entries; `sizes` counts one separator each.
    if (1 + (sizes[start] as number) > maxDecoded) {
      result.tooLarge.push(sorted[start] as HeldConnection);
      start++;
      continue;
    }
    let end = start;
    let listBytes = 1;
    while (end < sorted.length && (end === start || listBytes + (sizes[end] as number) <= budget)) {
      listBytes += sizes[end] as number;
      end++;
    }
    for (;;) {
      const body = encodeV3(texts.slice(start, end));
      budget = Math.min(maxDecoded, Math.max(1, Math.floor((listBytes * maxBytes) / body.length)));
      if (body.length <= maxBytes) {
        result.bodies.push(body);
        result.ids.push(sorted.slice(start, end).map((item) => item.id));
        start = end;
        break;
      }
      const count = end - start;
      if (count === 1) {
        result.tooLarge.push(sorted[start] as HeldConnection);
        start++;
        break;
      }
      end = start + Math.max(1, Math.min(count - 1, Math.floor(((count * maxBytes) / body.length) * 0.95)));
      listBytes = 1 + sizes.slice(start, end).reduce((sum, size) => sum + size, 0);
    }
  }
  return result;
}

export type HeldDecode = { ok: true; items: HeldConnection[] } | { ok: false; reason: string };

function isEvent(value: unknown): value is CanonicalEvent {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.host === 'string' &&
    typeof e.channel === 'string' &&
    typeof e.provider === 'string' &&
    Number.isInteger(e.eventId) &&
    Number.isFinite(e.time) &&
    typeof e.format === 'string' &&
    typeof e.data === 'object' &&
    e.data !== null &&
    Object.values(e.data).every((field) => typeof field === 'string')
  );
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The JSON list a v3 body carries, or why not; decompression stops at `maxDecoded` bytes. */
function inflateV3(gz: unknown, maxDecoded: number): { ok: true; list: unknown } | { ok: false; reason: string } {
  if (typeof gz !== 'string' || gz.length % 4 !== 0 || !BASE64.test(gz)) {
    return { ok: false, reason: 'hold message v3 is not base64' };
  }
  let text: string;
  try {
    text = gunzipSync(Buffer.from(gz, 'base64'), { maxOutputLength: maxDecoded }).toString('utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      return { ok: false, reason: `hold message v3 decompresses past ${maxDecoded} bytes (LIMITS.holdDecodedBytes)` };
    }
    return { ok: false, reason: 'hold message v3 is not gzip' };
  }
  try {
    return { ok: true, list: JSON.parse(text) };
  } catch {
    return { ok: false, reason: 'hold message v3 does not decompress to JSON' };
  }
}

/**
 * Parses a hold-queue message, v3 (compressed) or v2 (plain); never throws. A v3 body is decompressed up to
 * `maxDecoded` bytes (LIMITS.holdDecodedBytes) and refused beyond, with a reason.
 */
export function decodeHeld(body: string, maxDecoded: number = LIMITS.holdDecodedBytes): HeldDecode {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'hold message is not JSON' };
  }
  const message = parsed as { v?: unknown; held?: unknown; gz?: unknown } | null;
  let held: unknown;
  if (message?.v === 3) {
    const inflated = inflateV3(message.gz, maxDecoded);
    if (!inflated.ok) return inflated;
    held = inflated.list;
  } else {
    held = message?.held;
  }
  if (!Array.isArray(held)) return { ok: false, reason: 'hold message has no held list' };
  const items: HeldConnection[] = [];
  for (const item of held) {
    const h = item as Partial<HeldConnection> | null;
    if (
      h === null ||
      !isEvent(h.event) ||
      typeof h.origin !== 'string' ||
      typeof h.id !== 'string' ||
      !Number.isFinite(h.arrival) ||
      !Number.isFinite(h.firstHeldAt) ||
      !Number.isInteger(h.round)
    ) {
      return { ok: false, reason: 'hold message has a malformed entry' };
    }
    const out: HeldConnection = {
      id: h.id,
      event: h.event,
      origin: h.origin,
      arrival: h.arrival as number,
      firstHeldAt: h.firstHeldAt as number,
      round: h.round as number,
    };
    if (typeof h.sequence === 'string') out.sequence = h.sequence;
    items.push(out);
  }
  return { ok: true, items };
}
