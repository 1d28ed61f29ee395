/**
 * Comparing the output rows of two runs over the same records where the process-tracking hook may legitimately
 * know less in one of them (dev: the stream in send order, a batch at a time, a host's records possibly on several
 * shards) than in the other (replay: the whole input in event-time order). Rows are matched on everything but the
 * fields the hook writes; those fields are then compared side by side (a side: the event's own process, or the
 * source / target of Sysmon 8 and 10) and every difference is classed as `lacking` (the reference has the field,
 * the other run not), `cut` (an Ancestors chain that is a proper suffix of the reference's: the oldest images
 * missing), `extra` (the other run has a field the reference has not) or `conflicting` (both have it, different).
 * Only `lacking` and `cut` are explained by the order of processing; `extra` and `conflicting` would be another
 * process's or host's context.
 */
import { DNS_CLIENT_CHANNEL } from '../../src/events/canonical-event.js';
import { ANCESTORS_SEPARATOR, PROCESS_CONTEXT_FIELDS } from '../../src/hooks/process-tracking-fields.js';
import { canonicalJson } from './dev-session.js';
import { eventIdOfRow } from './lambda-records.js';

type Row = Record<string, unknown>;

const PREFIXES = ['', 'Source', 'Target'] as const;

/** The fields the hook writes for one side (3008 events: also `ProcessGuid`, from the PID). */
function sideFields(row: Row, prefix: (typeof PREFIXES)[number]): string[] {
  const names = PROCESS_CONTEXT_FIELDS.map((field) => `${prefix}${field}`);
  return prefix === '' && row.channel === DNS_CLIENT_CHANNEL ? ['ProcessGuid', ...names] : names;
}

/** Every field the process-tracking hook may have written into this output row. */
export function trackedFieldsOf(row: Row): string[] {
  return PREFIXES.flatMap((prefix) => sideFields(row, prefix));
}

/** The row without the fields the hook may write. */
export function withoutTracked(row: Row): Row {
  const copy = { ...row };
  for (const name of trackedFieldsOf(row)) delete copy[name];
  return copy;
}

/** An event's identity from the fields as sent (not a 3008's hook-written `ProcessGuid`): see eventIdOfRow. */
export const sentEventIdOfRow = eventIdOfRow;

/** An alert's identity: the rule and its event, identified as sent. */
export function sentAlertIdOfRow(row: Row): string {
  return `${row.rule_id}|${sentEventIdOfRow((row.event ?? {}) as Row)}`;
}

/** An alert row without the tracked fields of its event. */
export function alertWithoutTracked(row: Row): Row {
  return { ...row, event: withoutTracked((row.event ?? {}) as Row) };
}

export interface TrackedDifference {
  id: string;
  field: string;
  reference: string | undefined;
  other: string | undefined;
}

export interface TrackedComparison {
  /** Row pairs matched (equal apart from tracked fields). */
  pairs: number;
  /** Pairs whose tracked fields differ. */
  rowsDiffering: number;
  /** Sides with at least one tracked field, in the reference and in the other run. */
  referenceSides: number;
  otherSides: number;
  /** Reference sides the other run carries context on (at least one field, none conflicting or extra). */
  carried: number;
  /** Of those, sides with every field equal to the reference's. */
  complete: number;
  lacking: number;
  cut: number;
  /** Reference sides the other run has nothing on. */
  sidesLacking: TrackedDifference[];
  extra: TrackedDifference[];
  conflicting: TrackedDifference[];
  /** A sample of lacking and cut fields, for the log. */
  sample: TrackedDifference[];
}

function text(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

/** `other` is `reference` with its oldest images removed. */
function isCutChain(other: string, reference: string): boolean {
  const a = other.split(ANCESTORS_SEPARATOR);
  const b = reference.split(ANCESTORS_SEPARATOR);
  return a.length < b.length && a.every((image, i) => image === b[b.length - a.length + i]);
}

/**
 * Compares the tracked fields of `other`'s rows with `reference`'s. Rows are paired by `idOf` plus everything but
 * the tracked fields (`eventOf` gives the part holding them: the row, or an alert's `event`); rows with no partner
 * are not counted here (the untracked comparison reports them).
 */
export function compareTracked(
  other: readonly Row[],
  reference: readonly Row[],
  idOf: (row: Row) => string,
  eventOf: (row: Row) => Row = (row) => row,
  strip: (row: Row) => Row = withoutTracked,
): TrackedComparison {
  const groups = new Map<string, { other: Row[]; reference: Row[] }>();
  const add = (row: Row, side: 'other' | 'reference') => {
    const key = `${idOf(row)}\n${canonicalJson(strip(row))}`;
    const group = groups.get(key) ?? { other: [], reference: [] };
    groups.set(key, group);
    group[side].push(row);
  };
  for (const row of other) add(row, 'other');
  for (const row of reference) add(row, 'reference');

  const result: TrackedComparison = {
    pairs: 0,
    rowsDiffering: 0,
    referenceSides: 0,
    otherSides: 0,
    carried: 0,
    complete: 0,
    lacking: 0,
    cut: 0,
    sidesLacking: [],
    extra: [],
    conflicting: [],
    sample: [],
  };
  for (const group of groups.values()) {
    // Identical rows first, so that duplicates of one event pair with their equals.
    const others = [...group.other];
    const pairs: [Row, Row][] = [];
    const unpaired: Row[] = [];
    for (const ref of group.reference) {
      const at = others.findIndex((row) => canonicalJson(row) === canonicalJson(ref));
      if (at >= 0) pairs.push([ref, ...others.splice(at, 1)] as [Row, Row]);
      else unpaired.push(ref);
    }
    for (const ref of unpaired) {
      const row = others.shift();
      if (row !== undefined) pairs.push([ref, row]);
    }
    for (const [refRow, otherRow] of pairs) {
      result.pairs++;
      const ref = eventOf(refRow);
      const oth = eventOf(otherRow);
      const id = idOf(refRow);
      let differs = false;
      for (const prefix of PREFIXES) {
        const fields = sideFields(ref, prefix);
        const inRef = fields.filter((f) => text(ref[f]) !== undefined);
        const inOther = fields.filter((f) => text(oth[f]) !== undefined);
        if (inRef.length > 0) result.referenceSides++;
        if (inOther.length > 0) result.otherSides++;
        let wrong = false;
        let equal = 0;
        for (const field of fields) {
          const a = text(ref[field]);
          const b = text(oth[field]);
          if (a === b) {
            if (a !== undefined) equal++;
            continue;
          }
          differs = true;
          const difference = { id, field, reference: a, other: b };
          if (b === undefined) {
            result.lacking++;
            if (result.sample.length < 20) result.sample.push(difference);
          } else if (a === undefined) {
            result.extra.push(difference);
            wrong = true;
          } else if (field.endsWith('Ancestors') && isCutChain(b, a)) {
            result.cut++;
            if (result.sample.length < 20) result.sample.push(difference);
          } else {
            result.conflicting.push(difference);
            wrong = true;
          }
        }
        if (inRef.length > 0 && inOther.length > 0 && !wrong) {
          result.carried++;
          if (equal === inRef.length && inOther.length === inRef.length) result.complete++;
        }
        if (inRef.length > 0 && inOther.length === 0) {
          result.sidesLacking.push({
            id,
            field: `${prefix || '(own)'} side`,
            reference: ref[inRef[0] as string] as string,
            other: undefined,
          });
        }
      }
      if (differs) result.rowsDiffering++;
    }
  }
  return result;
}

/** One line for the log. */
export function formatTracked(name: string, c: TrackedComparison): string {
  const share = c.referenceSides === 0 ? 1 : c.carried / c.referenceSides;
  return (
    `${name}: ${c.pairs} rows paired, ${c.rowsDiffering} differing in tracked fields; tracked sides replay ` +
    `${c.referenceSides}, dev ${c.otherSides}; dev carries ${c.carried} (${(share * 100).toFixed(2)}%), ` +
    `${c.complete} complete; fields lacking ${c.lacking}, Ancestors cut ${c.cut}, extra ${c.extra.length}, ` +
    `conflicting ${c.conflicting.length}`
  );
}

/** The share of the reference's tracked sides the other run carries. */
export function carriedShare(c: TrackedComparison): number {
  return c.referenceSides === 0 ? 1 : c.carried / c.referenceSides;
}
