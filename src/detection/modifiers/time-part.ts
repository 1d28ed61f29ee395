import type { Modifier, RuleValue, TimePart } from './modifier.js';

/** Builds the time modifiers (`minute` ... `year`): compare that part of a date field with a number. */
export function timePart(part: TimePart): Modifier {
  return (state) => {
    const values: RuleValue[] = [];
    for (const v of state.values) {
      const n = v.type === 'number' ? v.n : v.type === 'string' ? Number(v.s.raw) : Number.NaN;
      if (!Number.isInteger(n)) return `modifier ${part} needs integer values`;
      values.push({ type: 'number', n, text: String(n) });
    }
    state.values = values;
    state.kind = 'number';
    state.timePart = part;
    return undefined;
  };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?/;

/** Extracts a part of a `YYYY-MM-DD[ T]HH:MM...` date (Sysmon `UtcTime`, ISO 8601); NaN when it is not one. */
export function extractTimePart(value: string, part: TimePart): number {
  const m = DATE.exec(value);
  if (!m) return Number.NaN;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  switch (part) {
    case 'year':
      return year;
    case 'month':
      return month;
    case 'day':
      return day;
    case 'hour':
      return m[4] === undefined ? Number.NaN : Number(m[4]);
    case 'minute':
      return m[5] === undefined ? Number.NaN : Number(m[5]);
    case 'week':
      return isoWeek(year, month, day);
  }
}

/** ISO 8601 week number (1-53). */
function isoWeek(year: number, month: number, day: number): number {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  return Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7);
}
