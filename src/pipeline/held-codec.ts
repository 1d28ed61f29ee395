import type { CanonicalEvent } from '../events/canonical-event.js';
import { LIMITS } from '../limits.js';
import type { HeldConnection } from './ports.js';
import { toServiceSafeJson, utf8Length } from './service-text.js';

export interface HoldMessages {
  /** Message bodies, each at most LIMITS.holdMessageBytes, in a deterministic order. */
  bodies: string[];
  /** The ids carried by each body, same order. */
  ids: string[][];
  /** Connections too large to fit one message on their own: the caller finalises them instead of holding them. */
  tooLarge: HeldConnection[];
}

function compareHeld(a: HeldConnection, b: HeldConnection): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Hold-queue messages for the held connections: sorted by id, packed greedily up to `maxBytes` per body (an entry
 * never split). Deterministic for the same input, so a batch that holds the same connections twice sends the same
 * bodies (which the hold handler de-duplicates by content).
 */
export function encodeHoldMessages(
  items: readonly HeldConnection[],
  maxBytes: number = LIMITS.holdMessageBytes,
): HoldMessages {
  const result: HoldMessages = { bodies: [], ids: [], tooLarge: [] };
  const envelope = utf8Length(toServiceSafeJson({ v: 2, held: [] }));
  let current: string[] = [];
  let currentIds: string[] = [];
  let size = envelope;
  const flush = () => {
    if (current.length === 0) return;
    result.bodies.push(`{"v":2,"held":[${current.join(',')}]}`);
    result.ids.push(currentIds);
    current = [];
    currentIds = [];
    size = envelope;
  };
  for (const item of [...items].sort(compareHeld)) {
    const text = toServiceSafeJson(item);
    const bytes = utf8Length(text) + 1;
    if (envelope + bytes > maxBytes) {
      result.tooLarge.push(item);
      continue;
    }
    if (size + bytes > maxBytes) flush();
    current.push(text);
    currentIds.push(item.id);
    size += bytes;
  }
  flush();
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

/** Parses a hold-queue message; never throws. */
export function decodeHeld(body: string): HeldDecode {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'hold message is not JSON' };
  }
  const held = (parsed as { held?: unknown } | null)?.held;
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
