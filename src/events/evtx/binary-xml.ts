/**
 * Binary XML (libevtx "Binary XML", MS-EVEN6) of one EVTX chunk: tokens parsed into a small tree, template
 * definitions parsed and compiled once (per chunk, and shared by later chunks and files that hold the same
 * definition: see sharedTemplates) for every record that instantiates them, and the tree turned into the JSON
 * evtx_dump writes for it (`{"Event": {"#attributes", "System", "EventData"}}`), so that the evtx-json format
 * normalises an EVTX record exactly as it normalises evtx_dump's output. A record's values go straight into the
 * objects its template's plan lays out (each element's plan compiled into object literals on its second use, see
 * plan-builder.ts); no XML is ever built as text.
 *
 * Every read is bounds-checked against its stream (a record, a template definition, a Binary XML value); damage
 * throws EvtxDamage with a reason, which costs the record, never the chunk. Nesting (elements, Binary XML values
 * inside substitutions, template instances inside them) is limited by {@link MAX_DEPTH}, and what one record may
 * expand to (a template instantiated with one large Binary XML value in many places) by {@link MAX_NODES}.
 */

import { closeValues, deferValue, endDefer, openValues, resetTexts } from './ascii-text.js';
import { damaged } from './damage.js';
import { type CompiledPlan, compilePlanBuilder } from './plan-builder.js';
import { bufferOf, utf16 } from './utf16.js';
import { BINXML_TYPE, decodeValue } from './value-types.js';

/** Most nested elements, Binary XML values and template instances on one path, together. */
export const MAX_DEPTH = 64;
/** Most elements one record may expand to. */
export const MAX_NODES = 100_000;

const SUBSTITUTION = 0;
const ELEMENT = 1;
const INSTANCE = 2;

interface Substitution {
  kind: typeof SUBSTITUTION;
  index: number;
}

interface Attribute {
  name: string;
  parts: Array<string | Substitution>;
}

interface Element {
  kind: typeof ELEMENT;
  name: string;
  attributes: Attribute[];
  children: XmlNode[];
}

/** A template instance: the chunk's parsed definition and this record's values for its substitutions. */
interface Instance {
  kind: typeof INSTANCE;
  template: Template;
  values: unknown[];
  /** Whether a value is Binary XML (then the compiled plan does not apply). */
  hasXml: boolean;
}

/** A parsed template definition, and its compiled plan when it has one (see compilePlan). */
interface Template {
  nodes: XmlNode[];
  plan: Plan | undefined;
}

/** Text (value text, character and entity references, CDATA) is a plain string. */
type XmlNode = string | Substitution | Element | Instance;

/** A Binary XML substitution value (type 0x21), parsed; spliced into the element that substitutes it. */
class XmlValue {
  constructor(readonly nodes: XmlNode[]) {}
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Parsed template definitions shared by every chunk of every file, by chunk offset and bytes (GUID, size, Binary
 * XML): a definition means the same wherever its bytes recur at the same offset, given the same names at the
 * offsets it reads names from outside itself (checked on each use). Logs of one host repeat their templates chunk
 * after chunk. A definition that differs in one byte is parsed anew; one that fails is kept for its own chunk only.
 * Keyed by a hash of the offset, GUID and size ({@link sharedKey}): the first definition of every chunk lies at one
 * offset, so by offset alone a log of many templates (or many small files) would compare against a long list.
 */
const sharedTemplates = new Map<number, Array<{ bytes: Buffer; template: Template; external: ExternalNames }>>();

/**
 * The names a shared definition reads from outside itself: each one's chunk offset and bytes (character count and
 * UTF-16 text). The same bytes are the same name, so a later chunk is checked without decoding its names.
 */
interface ExternalNames {
  /** Each distinct name's chunk offset and the length of its bytes in `bytes`, in turn. */
  readonly offsets: Int32Array;
  /** The names' bytes, one after the other. */
  readonly bytes: Uint8Array;
  readonly view: DataView;
}
let sharedCount = 0;
const MAX_SHARED_TEMPLATES = 4096;
const MAX_SHARED_BYTES = 16384;

/** The names and template definitions of one chunk, each parsed once, by their offset in the chunk. */
export class ChunkContext {
  // Made on first use: a chunk of one record whose templates are shared reads no name and sets two templates.
  private names: Map<number, { text: string; size: number }> | undefined;
  private templates: Map<number, Template | string> | undefined;

  /**
   * `bytes`: the chunk from its header on (offsets in Binary XML are relative to it); `view`: a DataView over the
   * same bytes (the chunk reader's own).
   */
  constructor(
    readonly bytes: Uint8Array,
    readonly view: DataView,
  ) {}

  /** A name structure: 4 unknown bytes, a 2-byte hash, a 2-byte character count, UTF-16 text, a NUL. */
  name(offset: number): { text: string; size: number } {
    const known = this.names?.get(offset);
    if (known !== undefined) return known;
    if (offset + 8 > this.bytes.length) damaged('EVTX name out of bounds');
    const units = this.view.getUint16(offset + 6, true);
    const size = 8 + 2 * units + 2;
    if (offset + size > this.bytes.length) damaged('EVTX name out of bounds');
    const name = { text: utf16(this.bytes, offset + 8, units, false), size };
    if (this.names === undefined) this.names = new Map();
    this.names.set(offset, name);
    return name;
  }

  /**
   * The template definition at `offset`: 4 bytes (next definition), a GUID, a 4-byte data size, then Binary XML
   * (fragment header, element, end of file). A definition that fails is remembered with its reason, so every
   * record that uses it is rejected alike without parsing it again.
   */
  template(offset: number): Template {
    const known = this.templates?.get(offset);
    if (typeof known === 'string') damaged(known);
    if (known !== undefined) return known;
    if (offset + 24 > this.bytes.length) this.failTemplate(offset, 'EVTX template definition out of bounds');
    const end = offset + 24 + this.view.getUint32(offset + 20, true);
    if (end > this.bytes.length) this.failTemplate(offset, 'EVTX template definition out of bounds');
    const shareable = end - offset <= MAX_SHARED_BYTES;
    const shared = shareable ? this.shared(offset, end) : undefined;
    if (shared !== undefined) {
      this.setTemplate(offset, shared);
      return shared;
    }
    // Remembered as failed while being parsed: a definition cannot (legally) refer to itself.
    this.setTemplate(offset, 'EVTX template definition refers to itself');
    try {
      const parser = new StreamParser(this, offset + 24, end, true, 0);
      const nodes = parser.nodes();
      const template = { nodes, plan: compilePlan(nodes) };
      this.setTemplate(offset, template);
      if (shareable) {
        if (sharedCount >= MAX_SHARED_TEMPLATES) {
          sharedTemplates.clear();
          sharedCount = 0;
        }
        const key = this.sharedKey(offset);
        let entries = sharedTemplates.get(key);
        if (entries === undefined) {
          entries = [];
          sharedTemplates.set(key, entries);
        }
        const bytes = Buffer.from(this.bytes.subarray(offset + 4, end));
        entries.push({ bytes, template, external: this.externalNames(parser.external) });
        sharedCount++;
      }
      return template;
    } catch (error) {
      const reason = (error as { reason?: unknown }).reason;
      this.setTemplate(offset, typeof reason === 'string' ? reason : 'EVTX template definition damaged');
      throw error;
    }
  }

  /** The shared parse of the definition `bytes[offset, end)`, if one has the same bytes and reads the same names. */
  private shared(offset: number, end: number): Template | undefined {
    const entries = sharedTemplates.get(this.sharedKey(offset));
    if (entries === undefined) return undefined;
    const buffer = bufferOf(this.bytes);
    for (const entry of entries) {
      if (entry.bytes.length !== end - offset - 4) continue;
      if (buffer.compare(entry.bytes, 0, entry.bytes.length, offset + 4, end) !== 0) continue;
      if (this.sameNames(entry.external)) return entry.template;
    }
    return undefined;
  }

  /**
   * The {@link sharedTemplates} key of the definition at `offset` (its 24-byte header in the chunk): a hash of the
   * offset, the GUID and the data size. Equal definitions have equal keys; the bytes are compared all the same.
   */
  private sharedKey(offset: number): number {
    const view = this.view;
    let h = Math.imul(offset ^ view.getInt32(offset + 20, true), 0x9e3779b1);
    h = Math.imul(h ^ view.getInt32(offset + 4, true) ^ (h >>> 15), 0x85ebca6b);
    h = Math.imul(h ^ view.getInt32(offset + 8, true) ^ (h >>> 13), 0xc2b2ae35);
    h = Math.imul(h ^ view.getInt32(offset + 12, true) ^ (h >>> 16), 0x9e3779b1);
    h = Math.imul(h ^ view.getInt32(offset + 16, true) ^ (h >>> 15), 0x85ebca6b);
    // A small integer (31 bits) keeps the map's keys unboxed.
    return (h ^ (h >>> 13)) & 0x3fffffff;
  }

  /**
   * The bytes of the names at the offsets of `external` (offset, text, …: names this chunk has read), each offset
   * once (a template refers to `Data` and `Name` once per field).
   */
  private externalNames(external: ReadonlyArray<number | string>): ExternalNames {
    const distinct = new Set<number>();
    for (let i = 0; i < external.length; i += 2) distinct.add(external[i] as number);
    const offsets = new Int32Array(2 * distinct.size);
    let total = 0;
    let k = 0;
    for (const offset of distinct) {
      const size = 2 + 2 * this.view.getUint16(offset + 6, true);
      offsets[k++] = offset;
      offsets[k++] = size;
      total += size;
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (let i = 0; i < offsets.length; i += 2) {
      const size = offsets[i + 1] as number;
      bytes.set(this.bytes.subarray((offsets[i] as number) + 6, (offsets[i] as number) + 6 + size), at);
      at += size;
    }
    return { offsets, bytes, view: new DataView(bytes.buffer) };
  }

  /**
   * Whether this chunk holds the same names at the same offsets (a name cut by the chunk's end is not the same).
   * Compared two bytes at a time (a name's count and text are whole UTF-16 units).
   */
  private sameNames(external: ExternalNames): boolean {
    const length = this.bytes.length;
    const view = this.view;
    const { offsets, view: names } = external;
    let base = 0;
    for (let k = 0; k < offsets.length; k += 2) {
      const at = (offsets[k] as number) + 6;
      const size = offsets[k + 1] as number;
      // The structure's 8 bytes, its text and its NUL lie in the chunk, as ChunkContext.name requires.
      if (at + size + 2 > length) return false;
      for (let i = 0; i < size; i += 2)
        if (view.getUint16(at + i, true) !== names.getUint16(base + i, true)) return false;
      base += size;
    }
    return true;
  }

  private setTemplate(offset: number, template: Template | string): void {
    if (this.templates === undefined) this.templates = new Map();
    this.templates.set(offset, template);
  }

  private failTemplate(offset: number, reason: string): never {
    this.setTemplate(offset, reason);
    return damaged(reason);
  }
}

const NO_NAMES: Array<number | string> = [];

/**
 * The lists of values and nodes a record's parse makes, kept for the next record (they are read only while the
 * record's document is built, never kept in it): one record's parse allocates none once the pool has grown.
 */
const valuePool: unknown[][] = [];
const nodePool: XmlNode[][] = [];
let usedValues = 0;
let usedNodes = 0;
const POOL_KEPT = 64;

/** An instance's list of `count` values (every one set by the caller before it is read). */
function recordValues(count: number): unknown[] {
  let values = valuePool[usedValues];
  if (values === undefined) {
    values = new Array(count);
    valuePool[usedValues] = values;
  } else if (values.length !== count) {
    // Setting the length costs more than making a list: done only when it changes (mostly, records in a row are
    // instances of one template).
    values.length = count;
  }
  usedValues++;
  return values;
}

/** A list for nodes (its old ones are overwritten by index, then cut by {@link sized}). */
function recordNodes(): XmlNode[] {
  let nodes = nodePool[usedNodes];
  if (nodes === undefined) {
    nodes = [];
    nodePool[usedNodes] = nodes;
  }
  usedNodes++;
  return nodes;
}

/** `nodes` cut to its first `count`. */
function sized(nodes: XmlNode[], count: number): XmlNode[] {
  if (nodes.length !== count) nodes.length = count;
  return nodes;
}

/** Value types whose text (GUID, size_t, FILETIME, SYSTEMTIME, SID, hex integers) is kept until the instance's values are read (see ascii-text.ts). */
const KEPT_TEXT_TYPES = (() => {
  const types = new Uint8Array(256);
  for (const type of [0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15]) types[type] = 1;
  return types;
})();

function isValueToken(token: number | undefined): boolean {
  switch (token) {
    case 0x05:
    case 0x45:
    case 0x0d:
    case 0x0e:
    case 0x08:
    case 0x48:
    case 0x09:
    case 0x49:
      return true;
    default:
      return false;
  }
}

/**
 * One Binary XML stream, `bytes[pos, end)` of the chunk. `inTemplate`: a template definition, whose element
 * starts carry a 2-byte dependency identifier and which may hold substitutions (a record's own stream and a
 * Binary XML value have neither).
 */
class StreamParser {
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  /** The names read from elsewhere in the chunk (not inline in a template definition): offset, text, … */
  readonly external: Array<number | string>;

  constructor(
    private readonly chunk: ChunkContext,
    private pos: number,
    private readonly end: number,
    private readonly inTemplate: boolean,
    private readonly depth: number,
  ) {
    this.bytes = chunk.bytes;
    this.view = chunk.view;
    // Only a template definition's names are listed (see name()): other streams share an empty list.
    this.external = inTemplate ? [] : NO_NAMES;
    if (depth > MAX_DEPTH) damaged('EVTX Binary XML nested too deeply');
  }

  private need(bytes: number): void {
    if (this.pos + bytes > this.end) damaged('EVTX Binary XML truncated');
  }

  private u8(): number {
    this.need(1);
    return this.bytes[this.pos++] as number;
  }

  private u16(): number {
    this.need(2);
    const value = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return value;
  }

  private u32(): number {
    this.need(4);
    const value = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return value;
  }

  /** A name by its 4-byte chunk offset; when it points right after the offset, the name is inline: skipped. */
  private name(): string {
    const offset = this.u32();
    const name = this.chunk.name(offset);
    if (offset === this.pos) {
      this.need(name.size);
      this.pos += name.size;
    } else if (this.inTemplate) {
      this.external.push(offset, name.text);
    }
    return name.text;
  }

  /** A 2-byte character count and that many UTF-16 units (value text, CDATA, PI data). */
  private text(): string {
    const units = this.u16();
    this.need(2 * units);
    const text = utf16(this.bytes, this.pos, units, false);
    this.pos += 2 * units;
    return text;
  }

  /** The stream's top level: fragment headers, elements, template instances, processing instructions. */
  nodes(): XmlNode[] {
    // A record's or a Binary XML value's nodes live until its record is built: from the record's pool.
    const out: XmlNode[] = this.inTemplate ? [] : recordNodes();
    // Set by index, the length once at the end (a pooled list mostly has the length it needs already).
    let count = 0;
    while (this.pos < this.end) {
      const token = this.u8();
      switch (token) {
        case 0x00:
          return sized(out, count);
        case 0x0f:
          this.need(3);
          this.pos += 3;
          break;
        case 0x01:
        case 0x41:
          out[count++] = this.element(token, this.depth + 1);
          break;
        case 0x0c:
          if (this.inTemplate) damaged('EVTX template instance inside a template definition');
          out[count++] = this.instance();
          break;
        case 0x0a:
          this.name();
          break;
        case 0x0b:
          this.text();
          break;
        default:
          damaged(`EVTX token 0x${token.toString(16)} unexpected`);
      }
    }
    return sized(out, count);
  }

  private element(token: number, depth: number): Element {
    if (depth > MAX_DEPTH) damaged('EVTX Binary XML nested too deeply');
    if (this.inTemplate) this.u16(); // dependency identifier
    this.u32(); // data size: the tokens say where the element ends, each read is checked against the stream
    const name = this.name();
    const attributes: Attribute[] = [];
    if (token & 0x40) {
      this.u32(); // attribute list size
      while (this.pos < this.end && ((this.bytes[this.pos] as number) & 0xbf) === 0x06) {
        this.pos++;
        const attributeName = this.name();
        const parts: Array<string | Substitution> = [];
        while (this.pos < this.end && isValueToken(this.bytes[this.pos])) this.part(this.u8(), parts);
        attributes.push({ name: attributeName, parts });
      }
    }
    const element: Element = { kind: ELEMENT, name, attributes, children: [] };
    const close = this.u8();
    if (close === 0x03) return element;
    if (close !== 0x02) damaged('EVTX element start not closed');
    for (;;) {
      const next = this.u8();
      if (next === 0x04) return element;
      if (next === 0x01 || next === 0x41) element.children.push(this.element(next, depth + 1));
      else if (next === 0x0c) element.children.push(this.instance());
      else if (next === 0x07 || next === 0x47) element.children.push(this.text());
      else if (next === 0x0a) this.name();
      else if (next === 0x0b) this.text();
      else if (isValueToken(next)) this.part(next, element.children);
      else damaged(`EVTX token 0x${next.toString(16)} unexpected`);
    }
  }

  /** One piece of content or attribute value: value text, a substitution, a character or entity reference. */
  private part(token: number, into: Array<XmlNode>): void {
    switch (token) {
      case 0x05:
      case 0x45: {
        const type = this.u8();
        if (type !== 0x01) damaged('EVTX value text is not a string');
        into.push(this.text());
        return;
      }
      case 0x0d:
      case 0x0e: {
        if (!this.inTemplate) damaged('EVTX substitution outside a template');
        const index = this.u16();
        this.u8(); // the declared type; the value's own descriptor is what it is
        into.push({ kind: SUBSTITUTION, index });
        return;
      }
      case 0x08:
      case 0x48:
        into.push(String.fromCharCode(this.u16()));
        return;
      default: {
        const entity = this.name();
        into.push(ENTITIES[entity] ?? `&${entity};`);
      }
    }
  }

  /**
   * A template instance: 1 unknown byte, a 4-byte identifier, the definition's chunk offset (the definition
   * follows inline when the offset points right after it), then the values: a count, (size, type) descriptors,
   * the values' bytes.
   */
  private instance(): Instance {
    if (this.depth + 1 > MAX_DEPTH) damaged('EVTX Binary XML nested too deeply');
    this.u8();
    this.u32();
    const offset = this.u32();
    if (offset === this.pos) {
      this.need(24);
      const size = this.view.getUint32(this.pos + 20, true);
      this.need(24 + size);
      this.pos += 24 + size;
    }
    const template = this.chunk.template(offset);
    const count = this.u32();
    if (count * 4 > this.end - this.pos) damaged('EVTX template values truncated');
    const descriptors = this.pos;
    this.pos += count * 4;
    const values = recordValues(count);
    let hasXml = false;
    openValues(values);
    for (let i = 0; i < count; i++) {
      const size = this.view.getUint16(descriptors + 4 * i, true);
      const type = this.bytes[descriptors + 4 * i + 2] as number;
      this.need(size);
      if (type === BINXML_TYPE) {
        values[i] =
          size === 0
            ? null
            : new XmlValue(new StreamParser(this.chunk, this.pos, this.pos + size, false, this.depth + 1).nodes());
        hasXml ||= size > 0;
      } else if (KEPT_TEXT_TYPES[type] === 1) {
        deferValue(i);
        values[i] = decodeValue(type, this.bytes, this.view, this.pos, size);
        endDefer();
      } else {
        values[i] = decodeValue(type, this.bytes, this.view, this.pos, size);
      }
      this.pos += size;
    }
    closeValues();
    return { kind: INSTANCE, template, values, hasXml };
  }
}

/** Sets `key` even when it is `__proto__` (an element may be named anything). */
function setKey(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

/**
 * evtx_dump's naming of repeated children: `Header`, `Header_1`, `Header_2`, … `next` remembers each key's next
 * number, so thousands of children of one name cost linear time, not quadratic.
 */
function putChild(object: Record<string, unknown>, key: string, value: unknown, numbers: Numbering): void {
  if (!Object.hasOwn(object, key)) {
    setKey(object, key, value);
    return;
  }
  numbers.next ??= new Map();
  let i = numbers.next.get(key) ?? 1;
  while (Object.hasOwn(object, `${key}_${i}`)) i++;
  setKey(object, `${key}_${i}`, value);
  numbers.next.set(key, i + 1);
}

/** Each repeated key's next number, made when a key first repeats (most objects have none). */
interface Numbering {
  next: Map<string, number> | undefined;
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(textOf).join(',');
  return String(value);
}

/** An element's or attribute's content: nothing (null), one value as it is (typed), or several as one string. */
function joined(values: unknown[]): unknown {
  if (values.length === 0) return null;
  if (values.length === 1) return values[0];
  return values.map(textOf).join('');
}

interface Built {
  name: string;
  /** The Name of a `<Data Name=…>`, which evtx_dump uses as its key. */
  dataName: string | undefined;
  json: unknown;
}

class JsonBuilder {
  /** `nodes`: the elements the record may still expand to. */
  constructor(private nodes = MAX_NODES) {}

  add(node: XmlNode, values: unknown[] | undefined, texts: unknown[], kids: Built[], depth: number): void {
    if (typeof node === 'string') {
      texts.push(node);
      return;
    }
    if (depth > MAX_DEPTH) damaged('EVTX Binary XML nested too deeply');
    if (node.kind === ELEMENT) {
      kids.push(this.element(node, values, depth + 1));
    } else if (node.kind === INSTANCE) {
      const plan = node.template.plan;
      if (plan !== undefined) {
        this.spend(plan.element.nodes);
        const json = buildPlanned(plan.element, node.values, node.hasXml ? this : undefined, depth + 1);
        kids.push({ name: plan.name, dataName: plan.dataName, json });
      } else {
        for (const child of node.template.nodes) this.add(child, node.values, texts, kids, depth + 1);
      }
    } else {
      const value = values?.[node.index];
      if (value === undefined) damaged('EVTX substitution without a value');
      if (value instanceof XmlValue) {
        for (const child of value.nodes) this.add(child, undefined, texts, kids, depth + 1);
      } else if (value !== null) {
        texts.push(value);
      }
    }
  }

  /** Takes `nodes` elements from the record's budget. */
  spend(nodes: number): void {
    this.nodes -= nodes;
    if (this.nodes < 0) damaged('EVTX record expands too large');
  }

  /** An attribute's value, or null when it has none (evtx_dump leaves out attributes substituted by NULL). */
  private attributeValue(parts: Array<string | Substitution>, values: unknown[] | undefined): unknown {
    if (parts.length === 0) return '';
    const found: unknown[] = [];
    for (const part of parts) {
      if (typeof part === 'string') {
        found.push(part);
        continue;
      }
      const value = values?.[part.index];
      if (value === undefined) damaged('EVTX substitution without a value');
      if (value instanceof XmlValue) damaged('EVTX Binary XML in an attribute');
      if (value !== null) found.push(value);
    }
    return joined(found);
  }

  element(element: Element, values: unknown[] | undefined, depth: number): Built {
    if (--this.nodes < 0) damaged('EVTX record expands too large');
    let attributes: Record<string, unknown> | undefined;
    for (const attribute of element.attributes) {
      const value = this.attributeValue(attribute.parts, values);
      if (value === null) continue;
      attributes ??= {};
      setKey(attributes, attribute.name, value);
    }
    const texts: unknown[] = [];
    const kids: Built[] = [];
    for (const child of element.children) this.add(child, values, texts, kids, depth);
    const text = joined(texts);
    const dataName = element.name === 'Data' ? attributes?.Name : undefined;
    if (typeof dataName === 'string' && dataName !== '') {
      return { name: element.name, dataName, json: kids.length === 0 ? text : objectOf(undefined, kids, text) };
    }
    let json: unknown;
    if (kids.length > 0) json = objectOf(attributes, kids, text);
    else if (attributes === undefined) json = text;
    else json = text === null ? { '#attributes': attributes } : { '#attributes': attributes, '#text': text };
    return { name: element.name, dataName: undefined, json };
  }
}

/**
 * An element with children, as evtx_dump writes it: `#attributes`, each child by its name (repeated names
 * numbered), `<Data Name="X">` as `X`, unnamed `<Data>` values together as `"Data": {"#text": […]}` (one value:
 * not a list), then any text as `#text`.
 */
function objectOf(
  attributes: Record<string, unknown> | undefined,
  kids: Built[],
  text: unknown,
): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  const next: Numbering = { next: undefined };
  if (attributes !== undefined) object['#attributes'] = attributes;
  let unnamed: unknown[] | undefined;
  let holder: Record<string, unknown> | undefined;
  for (const kid of kids) {
    if (kid.dataName !== undefined) {
      putChild(object, kid.dataName, kid.json, next);
    } else if (kid.name === 'Data' && (typeof kid.json !== 'object' || kid.json === null || Array.isArray(kid.json))) {
      if (unnamed === undefined) {
        unnamed = [];
        holder = { '#text': unnamed };
        putChild(object, 'Data', holder, next);
      }
      unnamed.push(kid.json ?? '');
    } else {
      putChild(object, kid.name, kid.json, next);
    }
  }
  if (holder !== undefined && unnamed?.length === 1) holder['#text'] = unnamed[0];
  if (text !== null) object['#text'] = text;
  return object;
}

/**
 * The compiled form of a template: the JSON the generic builder above would make, with every key, repeated-name
 * number and `Data` grouping decided once per template instead of once per record. Templates it cannot decide
 * statically (a `Data` whose Name is substituted, an unnamed `Data` with attributes, more than one root, a
 * `__proto__` key) have no plan and use the generic builder. An element whose content receives a Binary XML value
 * is spliced (see spliced); any other element with children is built by its plan compiled into one function
 * (plan-builder.ts) from its second use on, and by the plan's interpreter (interpretPlanned) before.
 */
interface AttributePlan {
  name: string;
  /** A literal value, or undefined when substituted. */
  literal: string | undefined;
  /** The substitution index when the value is one substitution, else -1. */
  sub: number;
  /** Mixed literal and substituted parts, when neither of the above. */
  parts: Array<string | Substitution> | undefined;
}

interface ChildPlan {
  key: string;
  element: ElementPlan;
  /** An unnamed text-only `Data`: gathered with the others under one `Data: {"#text": …}` at the first's key. */
  grouped: boolean;
}

interface ElementPlan {
  /** The element itself, built by the generic builder when a Binary XML value lands in its content. */
  source: Element;
  /** The substitution indexes in its content (where a Binary XML value would splice elements in). */
  subs: number[];
  attributes: AttributePlan[];
  /** Content text: literals and substitution indexes. */
  text: Array<string | number>;
  /** Child elements; undefined when there are none. */
  children: ChildPlan[] | undefined;
  /** A `<Data Name="literal">`: its JSON is its content alone. */
  isNamedData: boolean;
  /** That literal Name. */
  dataName: string | undefined;
  /** Elements in this subtree, for the record's expansion budget. */
  nodes: number;
  /** The object of an element with children, keys in place and values null, by {@link shapeIndex}; made on first use. */
  shapes: Array<Record<string, unknown> | undefined>;
  /** The attributes' object when none is left out, keys in place and values null; made on first use. */
  attributeShape: Record<string, unknown> | undefined;
  /** When the element's JSON is one substituted value as it is (no attributes, no children): its index; else -1. */
  leaf: number;
  /** Every substitution index its subtree reads. */
  used: number[];
  /** The element (with children) as one function (plan-builder.ts), made on its second use: one used once costs no compile. */
  compiled: CompiledPlan | undefined;
  /** Times it was built before it had one. */
  uses: number;
}

interface Plan {
  name: string;
  dataName: string | undefined;
  element: ElementPlan;
  /** The plan as one function (plan-builder.ts), made on the plan's second use: a template used once costs no compile. */
}

function literalName(element: Element): string | undefined {
  const name = element.attributes.find((attribute) => attribute.name === 'Name');
  if (name === undefined) return undefined;
  const [only, ...rest] = name.parts;
  return typeof only === 'string' && rest.length === 0 && only !== '' ? only : '';
}

function compileElement(element: Element): ElementPlan | undefined {
  const attributes: AttributePlan[] = [];
  for (const attribute of element.attributes) {
    if (attribute.name === '__proto__') return undefined;
    const [only, ...rest] = attribute.parts;
    if (attribute.parts.length === 0) attributes.push({ name: attribute.name, literal: '', sub: -1, parts: undefined });
    else if (rest.length === 0 && typeof only === 'string')
      attributes.push({ name: attribute.name, literal: only, sub: -1, parts: undefined });
    else if (rest.length === 0 && only !== undefined && typeof only !== 'string')
      attributes.push({ name: attribute.name, literal: undefined, sub: only.index, parts: undefined });
    else attributes.push({ name: attribute.name, literal: undefined, sub: -1, parts: attribute.parts });
  }
  const dataName = element.name === 'Data' ? literalName(element) : undefined;
  if (dataName === '') return undefined;
  const text: Array<string | number> = [];
  const kids: Element[] = [];
  for (const child of element.children) {
    if (typeof child === 'string') text.push(child);
    else if (child.kind === SUBSTITUTION) text.push(child.index);
    else if (child.kind === ELEMENT) kids.push(child);
    else return undefined;
  }
  let nodes = 1;
  let children: ChildPlan[] | undefined;
  if (kids.length > 0) {
    children = [];
    const used = new Set<string>(element.attributes.length > 0 && dataName === undefined ? ['#attributes'] : []);
    const next = new Map<string, number>();
    const keyFor = (key: string): string => {
      if (!used.has(key)) return key;
      let i = next.get(key) ?? 1;
      while (used.has(`${key}_${i}`)) i++;
      next.set(key, i + 1);
      return `${key}_${i}`;
    };
    let grouping = false;
    for (const kid of kids) {
      const plan = compileElement(kid);
      if (plan === undefined) return undefined;
      nodes += plan.nodes;
      const kidName = kid.name === 'Data' ? literalName(kid) : undefined;
      let key: string;
      let grouped = false;
      if (kidName !== undefined) {
        key = kidName;
      } else if (kid.name === 'Data' && plan.children === undefined) {
        // Grouped only when its JSON is a plain value: with attributes that would depend on their values.
        if (kid.attributes.length > 0) return undefined;
        grouped = true;
        key = 'Data';
      } else {
        key = kid.name;
      }
      if (key === '__proto__') return undefined;
      if (grouped && grouping) {
        children.push({ key: '', element: plan, grouped });
        continue;
      }
      if (grouped) grouping = true;
      const numbered = keyFor(key);
      used.add(numbered);
      children.push({ key: numbered, element: plan, grouped });
    }
  }
  const subs = text.filter((part): part is number => typeof part === 'number');
  const used = [...subs];
  for (const attribute of attributes) {
    if (attribute.sub >= 0) used.push(attribute.sub);
    for (const part of attribute.parts ?? []) if (typeof part !== 'string') used.push(part.index);
  }
  for (const child of children ?? []) used.push(...child.element.used);
  return {
    source: element,
    subs,
    attributes,
    text,
    children,
    isNamedData: dataName !== undefined,
    dataName,
    nodes,
    shapes: [],
    attributeShape: undefined,
    leaf:
      children === undefined &&
      (dataName !== undefined || attributes.length === 0) &&
      text.length === 1 &&
      typeof text[0] === 'number'
        ? text[0]
        : -1,
    used: [...new Set(used)],
    compiled: undefined,
    uses: 0,
  };
}

/** The plan of a template whose content is one element, or undefined (see the interfaces above). */
function compilePlan(nodes: XmlNode[]): Plan | undefined {
  const [root, ...rest] = nodes;
  if (root === undefined || rest.length > 0 || typeof root === 'string' || root.kind !== ELEMENT) return undefined;
  const element = compileElement(root);
  if (element === undefined) return undefined;
  const dataName = root.name === 'Data' ? literalName(root) : undefined;
  return { name: root.name, dataName, element };
}

/** The interpreter of one element's plan, for its compiled builder to hand elements back to. */
function interpreted(plan: ElementPlan, values: unknown[], depth: number): unknown {
  return interpretPlanned(plan, values, undefined, depth);
}

/** Whether a value the element's subtree substitutes is Binary XML (then its compiled builder does not apply). */
function usesXml(plan: ElementPlan, values: unknown[]): boolean {
  for (const index of plan.used) if (values[index] instanceof XmlValue) return true;
  return false;
}

function valueAt(values: unknown[], index: number): unknown {
  const value = values[index];
  if (value === undefined) damaged('EVTX substitution without a value');
  return value;
}

function plannedText(parts: ReadonlyArray<string | number>, values: unknown[]): unknown {
  if (parts.length === 0) return null;
  if (parts.length === 1) {
    const only = parts[0] as string | number;
    return typeof only === 'string' ? only : valueAt(values, only);
  }
  const found: unknown[] = [];
  for (const part of parts) {
    const value = typeof part === 'string' ? part : valueAt(values, part);
    if (value !== null) found.push(value);
  }
  return joined(found);
}

function plannedAttribute(plan: AttributePlan, values: unknown[]): unknown {
  if (plan.literal !== undefined) return plan.literal;
  if (plan.sub >= 0) return attributeValueAt(values, plan.sub);
  const found: unknown[] = [];
  for (const part of plan.parts ?? []) {
    const value = typeof part === 'string' ? part : attributeValueAt(values, part.index);
    if (value !== null) found.push(value);
  }
  return joined(found);
}

function attributeValueAt(values: unknown[], index: number): unknown {
  const value = valueAt(values, index);
  if (value instanceof XmlValue) damaged('EVTX Binary XML in an attribute');
  return value;
}

function needsGeneric(plan: ElementPlan, values: unknown[]): boolean {
  if (hasXmlIn(plan.subs, values)) return true;
  for (const child of plan.children ?? []) if (child.grouped && hasXmlIn(child.element.subs, values)) return true;
  return false;
}

function hasXmlIn(subs: readonly number[], values: unknown[]): boolean {
  for (const index of subs) if (values[index] instanceof XmlValue) return true;
  return false;
}

/**
 * The JSON of an element whose content receives Binary XML (a record's EventData or UserData, mostly): its content
 * in document order, each child element from its own plan and each Binary XML value by the generic builder (whose
 * template instances use their plans), then named and grouped as the generic builder does (objectOf).
 */
function spliced(plan: ElementPlan, values: unknown[], generic: JsonBuilder, depth: number): unknown {
  const element = plan.source;
  if (plan.isNamedData) return generic.element(element, values, depth).json;
  let attributes: Record<string, unknown> | undefined;
  for (const attribute of plan.attributes) {
    const value = plannedAttribute(attribute, values);
    if (value === null) continue;
    attributes ??= {};
    attributes[attribute.name] = value;
  }
  const children = plan.children ?? [];
  if (splicesPlainly(element, children, values))
    return splicedPlainly(element, children, values, attributes, generic, depth);
  const texts: unknown[] = [];
  const kids: Built[] = [];
  let next = 0;
  for (const child of element.children) {
    if (typeof child !== 'string' && child.kind === ELEMENT) {
      const childPlan = children[next++] as ChildPlan;
      const json = buildPlanned(childPlan.element, values, generic, depth + 1);
      kids.push({ name: child.name, dataName: childPlan.element.dataName, json });
    } else {
      generic.add(child, values, texts, kids, depth);
    }
  }
  const text = joined(texts);
  if (kids.length > 0) return objectOf(attributes, kids, text);
  if (attributes === undefined) return text;
  return text === null ? { '#attributes': attributes } : { '#attributes': attributes, '#text': text };
}

/** Most children {@link splicesPlainly} takes (their keys are compared pair by pair). */
const PLAIN_KIDS = 8;
/** The keys of the children {@link splicesPlainly} has found so far (its scratch: compared for repeats, then dropped). */
const plainKeys: string[] = [];

/**
 * Whether {@link spliced}'s element (a record's `<Event>`: its `System`, then a Binary XML value holding the
 * `EventData` template's instance) is one whose JSON is its attributes and then each child under its own name, so
 * that objectOf's numbering and `Data` grouping do nothing: its content is child elements and substitutions only,
 * each substitution NULL or Binary XML of planned instances alone, at least one child, at most {@link PLAIN_KIDS},
 * none named `Data` (or with a `Data` Name), `__proto__` or `#attributes`, no two of the same name. Reads the
 * values only (no budget spent, nothing built), so the other path can still be taken.
 */
function splicesPlainly(element: Element, children: ChildPlan[], values: unknown[]): boolean {
  let count = 0;
  let next = 0;
  for (const child of element.children) {
    if (typeof child === 'string') return false;
    if (child.kind === ELEMENT) {
      const childPlan = children[next++] as ChildPlan;
      if (childPlan.element.dataName !== undefined || !plainKey(child.name, count)) return false;
      plainKeys[count++] = child.name;
    } else if (child.kind === SUBSTITUTION) {
      const value = values[child.index];
      if (value === null) continue;
      if (!(value instanceof XmlValue)) return false;
      for (const node of value.nodes) {
        if (typeof node === 'string' || node.kind !== INSTANCE) return false;
        const plan = node.template.plan;
        if (plan === undefined || plan.dataName !== undefined || !plainKey(plan.name, count)) return false;
        plainKeys[count++] = plan.name;
      }
    } else {
      return false;
    }
  }
  return count > 0;
}

/** Whether `key` may be set as it is after the `count` keys in {@link plainKeys}. */
function plainKey(key: string, count: number): boolean {
  if (count >= PLAIN_KIDS || key === 'Data' || key === '__proto__' || key === '#attributes') return false;
  for (let i = 0; i < count; i++) if (plainKeys[i] === key) return false;
  return true;
}

/**
 * {@link spliced} of an element {@link splicesPlainly} took: the same checks, budget and builds in the same order
 * as JsonBuilder.add and objectOf, each child's JSON set on the object as it is built.
 */
function splicedPlainly(
  element: Element,
  children: ChildPlan[],
  values: unknown[],
  attributes: Record<string, unknown> | undefined,
  generic: JsonBuilder,
  depth: number,
): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  if (attributes !== undefined) object['#attributes'] = attributes;
  let next = 0;
  for (const child of element.children) {
    if (typeof child === 'string') continue;
    if (child.kind === ELEMENT) {
      const childPlan = children[next++] as ChildPlan;
      object[child.name] = buildPlanned(childPlan.element, values, generic, depth + 1);
      continue;
    }
    if (depth > MAX_DEPTH) damaged('EVTX Binary XML nested too deeply');
    const value = values[(child as Substitution).index];
    if (!(value instanceof XmlValue)) continue;
    for (const node of value.nodes) {
      if (depth + 1 > MAX_DEPTH) damaged('EVTX Binary XML nested too deeply');
      const instance = node as Instance;
      const plan = instance.template.plan as Plan;
      generic.spend(plan.element.nodes);
      object[plan.name] = buildPlanned(plan.element, instance.values, instance.hasXml ? generic : undefined, depth + 2);
    }
  }
  return object;
}

/**
 * Objects of more keys than this start as a copy of their shape (see makeShape); smaller ones are built key by
 * key, which is quicker and stays a fast object.
 */
const SHAPED_KEYS = 12;

/** The attribute values of one element, while they are gathered (attribute values never nest). */
const attributeValues: unknown[] = [];

/**
 * An element's attributes as an object, or undefined when every one is substituted by NULL (left out, as
 * evtx_dump does). Many attributes, none left out: a copy of the element's attribute shape (see makeShape).
 */
function plannedAttributes(plan: ElementPlan, values: unknown[]): Record<string, unknown> | undefined {
  const list = plan.attributes;
  if (list.length <= SHAPED_KEYS) {
    let attributes: Record<string, unknown> | undefined;
    for (const attribute of list) {
      const value = plannedAttribute(attribute, values);
      if (value === null) continue;
      attributes ??= {};
      attributes[attribute.name] = value;
    }
    return attributes;
  }
  let present = 0;
  for (let i = 0; i < list.length; i++) {
    const value = plannedAttribute(list[i] as AttributePlan, values);
    attributeValues[i] = value;
    if (value !== null) present++;
  }
  if (present === 0) return undefined;
  let attributes: Record<string, unknown>;
  if (present === list.length) {
    plan.attributeShape ??= keyShape(list.map((attribute) => attribute.name));
    attributes = { ...plan.attributeShape };
  } else {
    attributes = {};
  }
  for (let i = 0; i < list.length; i++) {
    const value = attributeValues[i];
    if (value !== null) attributes[(list[i] as AttributePlan).name] = value;
  }
  return attributes;
}

/** An object with `keys` in this order, values null, made by JSON.parse (see makeShape). */
function keyShape(keys: readonly string[]): Record<string, unknown> {
  return JSON.parse(`{${keys.map((key) => `${JSON.stringify(key)}:null`).join(',')}}`) as Record<string, unknown>;
}

function shapeIndex(attributes: boolean, text: boolean): number {
  return (attributes ? 1 : 0) + (text ? 2 : 0);
}

/**
 * The object an element's JSON starts as (copied per record, then its values set): every key in the order the
 * builder sets them, made by JSON.parse. An object built key by key turns into a slow dictionary past a dozen keys
 * set by computed name (a Sysmon EventData has 20 and more); a copy of one JSON.parse made keeps its keys in the
 * object itself, as JSON.parse's own objects do, and setting a key it has changes nothing of its layout.
 */
function makeShape(plan: ElementPlan, index: number): Record<string, unknown> {
  const keys: string[] = [];
  if (index & 1) keys.push('#attributes');
  for (const child of plan.children ?? []) if (!child.grouped || child.key !== '') keys.push(child.key);
  if (index & 2) keys.push('#text');
  const shape = keyShape(keys);
  plan.shapes[index] = shape;
  return shape;
}

/**
 * An element's JSON from its plan and the instance's values. `generic` is given when some value is Binary XML: an
 * element whose content receives one (or whose grouped `Data` children do) is built by it instead, as a whole.
 */
function buildPlanned(plan: ElementPlan, values: unknown[], generic: JsonBuilder | undefined, depth: number): unknown {
  // An element with children whose subtree substitutes no Binary XML: by its compiled builder, once it has one.
  if (plan.children !== undefined && (generic === undefined || !usesXml(plan, values))) {
    if (plan.compiled !== undefined) return plan.compiled(values, depth);
    if (++plan.uses >= 2) {
      plan.compiled = compilePlanBuilder(plan, interpreted, plannedText, MAX_DEPTH);
      return plan.compiled(values, depth);
    }
  }
  return interpretPlanned(plan, values, generic, depth);
}

/** {@link buildPlanned} by the plan's interpreter, for this element (its children are built by buildPlanned). */
function interpretPlanned(
  plan: ElementPlan,
  values: unknown[],
  generic: JsonBuilder | undefined,
  depth: number,
): unknown {
  if (depth > MAX_DEPTH) damaged('EVTX Binary XML nested too deeply');
  if (generic !== undefined && needsGeneric(plan, values)) return spliced(plan, values, generic, depth);
  const attributes = plan.isNamedData || plan.attributes.length === 0 ? undefined : plannedAttributes(plan, values);
  const text = plannedText(plan.text, values);
  const children = plan.children;
  if (children === undefined) {
    if (attributes === undefined) return text;
    return text === null ? { '#attributes': attributes } : { '#attributes': attributes, '#text': text };
  }
  const index = shapeIndex(attributes !== undefined, text !== null);
  const object: Record<string, unknown> =
    children.length < SHAPED_KEYS ? {} : { ...(plan.shapes[index] ?? makeShape(plan, index)) };
  if (attributes !== undefined) object['#attributes'] = attributes;
  let group: unknown[] | undefined;
  let holder: Record<string, unknown> | undefined;
  for (const child of children) {
    const leaf = child.element.leaf;
    const json =
      leaf >= 0 && !(values[leaf] instanceof XmlValue)
        ? valueAt(values, leaf)
        : buildPlanned(child.element, values, generic, depth + 1);
    if (!child.grouped) {
      object[child.key] = json;
    } else {
      if (group === undefined) {
        group = [];
        holder = { '#text': group };
        object[child.key] = holder;
      }
      group.push(json ?? '');
    }
  }
  if (holder !== undefined && group?.length === 1) holder['#text'] = group[0];
  if (text !== null) object['#text'] = text;
  return object;
}

/**
 * One record's Binary XML, `chunk.bytes[start, end)`, as the JSON document evtx_dump writes for it: its root
 * element by name (`{"Event": …}`). Throws EvtxDamage when the markup is damaged or has no element.
 */
export function recordDocument(chunk: ChunkContext, start: number, end: number): Record<string, unknown> {
  resetTexts();
  // A record of many instances leaves a large pool: kept up to a size most records stay under.
  if (usedValues > POOL_KEPT) valuePool.length = POOL_KEPT;
  if (usedNodes > POOL_KEPT) nodePool.length = POOL_KEPT;
  usedValues = 0;
  usedNodes = 0;
  const nodes = new StreamParser(chunk, start, end, false, 0).nodes();
  const only = nodes.length === 1 ? nodes[0] : undefined;
  if (only !== undefined && typeof only !== 'string' && only.kind === INSTANCE && only.template.plan !== undefined) {
    // What JsonBuilder.add does with one planned instance, without its lists (nearly every record is one).
    const plan = only.template.plan;
    if (plan.element.nodes > MAX_NODES) damaged('EVTX record expands too large');
    const document: Record<string, unknown> = {};
    const generic = only.hasXml ? new JsonBuilder(MAX_NODES - plan.element.nodes) : undefined;
    const json = buildPlanned(plan.element, only.values, generic, 1);
    setKey(document, plan.name, json);
    return document;
  }
  const builder = new JsonBuilder();
  const texts: unknown[] = [];
  const kids: Built[] = [];
  for (const node of nodes) builder.add(node, undefined, texts, kids, 0);
  const root = kids[0];
  if (root === undefined) damaged('EVTX record without an element');
  const document: Record<string, unknown> = {};
  setKey(document, root.name, root.json);
  return document;
}
