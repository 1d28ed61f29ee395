import type { CanonicalEvent } from '../events/canonical-event.js';
import type { HeldConnection } from './ports.js';

/** One hold-queue message: a list of held connections. Deterministic for the same input (sorted by origin). */
export function encodeHeld(items: readonly HeldConnection[]): string {
  const sorted = [...items].sort((a, b) =>
    a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : a.event.time - b.event.time,
  );
  return JSON.stringify({ v: 1, held: sorted });
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
      !Number.isFinite(h.arrival) ||
      !Number.isFinite(h.firstHeldAt)
    ) {
      return { ok: false, reason: 'hold message has a malformed entry' };
    }
    items.push({
      event: h.event,
      origin: h.origin,
      arrival: h.arrival as number,
      firstHeldAt: h.firstHeldAt as number,
    });
  }
  return { ok: true, items };
}
