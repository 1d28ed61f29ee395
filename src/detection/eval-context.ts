/**
 * Field access for evaluation. Rule field names are resolved once, at compile time, to a slot in a
 * {@link FieldTable} whose accessor is a direct property read; per event, an {@link EvalContext} caches
 * each field's folded (lower-cased, dash-folded) value, so a field tested by hundreds of rules is folded once.
 */
import type { CanonicalEvent } from '../events/canonical-event.js';
import { foldDashes } from './modifiers/windash.js';

export type Accessor = (event: CanonicalEvent, ctx: EvalContext) => string | undefined;

/** How a value is prepared before comparison. */
export const RAW = 0;
export const LOWER = 1;
export const DASH = 2;
export const DASH_LOWER = 3;
export type Variant = typeof RAW | typeof LOWER | typeof DASH | typeof DASH_LOWER;

export function variantOf(cased: boolean, windash: boolean): Variant {
  return ((windash ? 2 : 0) + (cased ? 0 : 1)) as Variant;
}

/**
 * Case folding for case-insensitive comparison: lower case, with the final sigma `ς` read as `σ`.
 * `toLowerCase` picks `ς` or `σ` for a capital `Σ` from its neighbours, so the same word lower-cases
 * differently at the end of a value and inside one; one sigma makes the comparison context-free. (A test
 * on a one-byte string, as most values are, is answered without reading it: `ς` is not Latin-1.)
 */
export function foldCase(text: string): string {
  const lower = text.toLowerCase();
  return lower.includes('\u03c2') ? lower.replaceAll('\u03c2', '\u03c3') : lower;
}

/** Applies a variant's folding to a rule literal (the event side does the same in {@link EvalContext.get}). */
export function foldFor(variant: Variant): (text: string) => string {
  switch (variant) {
    case RAW:
      return (t) => t;
    case LOWER:
      return foldCase;
    case DASH:
      return foldDashes;
    case DASH_LOWER:
      return (t) => foldDashes(foldCase(t));
  }
}

/** Loose field-name key: case-insensitive and without spaces (the spec strips spaces from Windows names). */
export function looseKey(name: string): string {
  return (name.includes(' ') ? name.replaceAll(' ', '') : name).toLowerCase();
}

function dataField(name: string): Accessor {
  const lower = looseKey(name);
  return (event, ctx) => {
    const v = event.data[name];
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return ctx.caseInsensitive(lower);
  };
}

const UNNAMED = /^Data([1-9][0-9]{0,3})$/;

/** The event's unnamed EventData values (Data1..DataN) in their order, joined by a newline; undefined if none. */
export function unnamedValues(event: CanonicalEvent): string | undefined {
  const values: [number, string][] = [];
  for (const key in event.data) {
    const m = UNNAMED.exec(key);
    const v = event.data[key];
    if (m !== null && typeof v === 'string') values.push([Number(m[1]), v]);
  }
  if (values.length === 0) return undefined;
  values.sort((a, b) => a[0] - b[0]);
  return values.map((entry) => entry[1]).join('\n');
}

/** System fields under their Sigma (Windows XML) names; a few fall back from EventData to System. */
function accessorFor(name: string): Accessor {
  const data = dataField(name);
  switch (name) {
    case 'EventID':
      // Read at most once per event: EvalContext.raw caches every slot's value.
      return (event) => String(event.eventId);
    case 'Channel':
      return (event) => event.channel;
    case 'Computer':
      return (event) => event.host;
    case 'Provider_Name':
      return (event) => event.provider;
    case 'EventRecordID':
      return (event) => (event.recordId === undefined ? undefined : String(event.recordId));
    case 'Execution_ProcessID':
      return (event) => (event.processId === undefined ? undefined : String(event.processId));
    case 'ProcessId':
      // DNS-Client 3008 names its querying process only in System/Execution.
      return (event, ctx) => data(event, ctx) ?? (event.processId === undefined ? undefined : String(event.processId));
    case 'Data':
      // Sigma's `Data` is "any unnamed EventData value" (classic PowerShell, Application events); readers name
      // those values Data1..DataN. Without a field named Data, they are read joined by a newline: `contains`
      // (and `contains|all`) then means "some value contains", as a multi-valued field would; `startswith`,
      // `endswith` and equality see only the first, the last, or none (docs/detection.md, "Field names").
      return (event, ctx) => data(event, ctx) ?? unnamedValues(event);
    default:
      return data;
  }
}

/** Field names -> slots, shared by every rule of a RuleSet. */
export class FieldTable {
  private readonly slots = new Map<string, number>();
  readonly accessors: Accessor[] = [];
  /** Each slot's field name (a compile record names the prefilter's fields by it, compile-rules.ts). */
  readonly names: string[] = [];

  slot(name: string): number {
    let s = this.slots.get(name);
    if (s === undefined) {
      s = this.accessors.length;
      this.slots.set(name, s);
      this.accessors.push(accessorFor(name));
      this.names.push(name);
    }
    return s;
  }

  get size(): number {
    return this.accessors.length;
  }
}

/** Distinct event field names whose loose keys are memoised (Windows logs use a few hundred). */
const MAX_LOOSE_KEYS = 10_000;

/** Per-event evaluation state; one instance is reused across events (evaluation is synchronous). */
export class EvalContext {
  event!: CanonicalEvent;
  private epoch = 0;
  private readonly values: (string | undefined)[][] = [[], [], [], []];
  private readonly stamps: number[][] = [[], [], [], []];
  /** Event field name -> its loose key; bounded, since field names come from the events. */
  private readonly looseKeys = new Map<string, string>();
  private keywordValues: string[][] = [[], [], [], []];
  private keywordEpoch: number[] = [-1, -1, -1, -1];

  constructor(private readonly fields: FieldTable) {}

  reset(event: CanonicalEvent): void {
    this.event = event;
    this.epoch++;
  }

  /** The field's value as the event has it (read once per event and slot), or undefined when absent. */
  raw(slot: number): string | undefined {
    const stamps = this.stamps[RAW] as number[];
    const values = this.values[RAW] as (string | undefined)[];
    if (stamps[slot] === this.epoch) return values[slot];
    const v = (this.fields.accessors[slot] as Accessor)(this.event, this);
    stamps[slot] = this.epoch;
    values[slot] = v;
    return v;
  }

  /** The field's value prepared for `variant`, or undefined when the field is absent. */
  get(slot: number, variant: Variant): string | undefined {
    if (variant === RAW) return this.raw(slot);
    const stamps = this.stamps[variant] as number[];
    const values = this.values[variant] as (string | undefined)[];
    if (stamps[slot] === this.epoch) return values[slot];
    const raw = this.raw(slot);
    const v = raw === undefined ? undefined : fold(raw, variant);
    stamps[slot] = this.epoch;
    values[slot] = v;
    return v;
  }

  /**
   * Loose field-name lookup (case-insensitive, spaces ignored, so `ThreatName` finds `Threat Name`), used
   * only after an exact lookup missed (and then once per event and field, see {@link raw}). Event field
   * names repeat across events, so their loose keys are memoised rather than rebuilt per event. When two
   * names fold alike, the last string-valued one wins.
   */
  caseInsensitive(lowerName: string): string | undefined {
    const data = this.event.data;
    let found: string | undefined;
    for (const key in data) {
      let loose = this.looseKeys.get(key);
      if (loose === undefined) {
        loose = looseKey(key);
        if (this.looseKeys.size < MAX_LOOSE_KEYS) this.looseKeys.set(key, loose);
      }
      if (loose !== lowerName) continue;
      const v = data[key];
      if (typeof v === 'string') found = v;
    }
    return found;
  }

  /** Every value of the event (EventData, then host, channel, provider), prepared for keyword search. */
  keywordValuesFor(variant: Variant): string[] {
    if (this.keywordEpoch[variant] === this.epoch) return this.keywordValues[variant] as string[];
    const out: string[] = [];
    for (const v of Object.values(this.event.data)) {
      if (typeof v === 'string') out.push(fold(v, variant));
    }
    out.push(fold(this.event.host, variant), fold(this.event.channel, variant), fold(this.event.provider, variant));
    this.keywordValues[variant] = out;
    this.keywordEpoch[variant] = this.epoch;
    return out;
  }
}

function fold(v: string, variant: Variant): string {
  switch (variant) {
    case RAW:
      return v;
    case LOWER:
      return foldCase(v);
    case DASH:
      return foldDashes(v);
    case DASH_LOWER:
      return foldDashes(foldCase(v));
  }
}
