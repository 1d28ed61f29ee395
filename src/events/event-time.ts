/**
 * Event time parsing: Sysmon `UtcTime` by hand (it has no zone and must be read as UTC), everything else
 * through Date.parse with zone-less text read as UTC.
 */

/** Earliest and latest event times accepted (1990-01-01 .. 2100-01-01 UTC). */
const MIN_TIME = 631152000000;
const MAX_TIME = 4102444800000;

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return n;
}

/** Sysmon `UtcTime` ("2020-10-22 05:54:21.520", UTC) as epoch ms, or undefined when it is not one. */
export function parseSysmonUtcTime(text: string): number | undefined {
  if (text.length < 19 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const sep = text.charCodeAt(10);
  if (sep !== 32 && sep !== 84) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  let ms = 0;
  if (text.length > 19) {
    if (text.charCodeAt(19) !== 46) return undefined;
    const frac = text.slice(20, 23);
    ms = digits(frac.padEnd(3, '0'), 0, 3);
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  return inRange(t);
}

/**
 * A shipper or System time as epoch ms: an ISO 8601 / RFC 2822-ish string (no zone means UTC), or a number
 * (epoch seconds below 1e11, else epoch ms). Undefined when absent, unparsable or outside 1990..2100.
 */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number') return inRange(value < 1e11 ? value * 1000 : value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text.length < 10) return undefined;
  return inRange(Date.parse(hasZone(text) ? text : `${text.replace(' ', 'T')}Z`));
}

function hasZone(text: string): boolean {
  const last = text.charCodeAt(text.length - 1);
  if (last === 90 || last === 122) return true; // Z, z
  // a numeric offset after the time: +hh:mm, +hhmm, -hh
  for (let i = text.length - 1; i > 10 && i >= text.length - 6; i--) {
    const c = text.charCodeAt(i);
    if (c === 43 || c === 45) return true;
  }
  return /[A-Za-z]{3}$/.test(text) && !text.includes('T');
}

function inRange(t: number): number | undefined {
  return Number.isFinite(t) && t >= MIN_TIME && t < MAX_TIME ? Math.trunc(t) : undefined;
}
