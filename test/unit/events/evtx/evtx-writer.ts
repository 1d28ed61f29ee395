/**
 * Test helper: writes small EVTX files byte by byte (file header, chunks with their checksums, records, Binary
 * XML with inline names and template definitions), so tests can make every value type, token and kind of damage
 * that real logs seldom show. Written from the format documentation, like the reader, but as a separate
 * implementation: it shares no code with src/events/evtx beyond the CRC-32.
 */
import { crc32 } from '../../../../src/events/evtx/crc32.js';

/** A substitution value: its type and bytes, or (type 0x21) Binary XML written in place. */
export type Value = { type: number; bytes: Uint8Array } | { type: 0x21; xml: (w: XmlWriter) => void };

const CHUNK = 65536;

class ByteWriter {
  readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    public pos: number,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  u8(n: number): void {
    this.view.setUint8(this.pos, n);
    this.pos += 1;
  }

  u16(n: number): void {
    this.view.setUint16(this.pos, n, true);
    this.pos += 2;
  }

  u32(n: number): void {
    this.view.setUint32(this.pos, n, true);
    this.pos += 4;
  }

  u64(n: bigint): void {
    this.view.setBigUint64(this.pos, n, true);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  chars(text: string): void {
    for (let i = 0; i < text.length; i++) this.u16(text.charCodeAt(i));
  }
}

/** Writes Binary XML at an absolute chunk offset (names and definitions are written inline, where they are used). */
export class XmlWriter extends ByteWriter {
  constructor(
    buf: Uint8Array,
    pos: number,
    readonly inTemplate: boolean,
  ) {
    super(buf, pos);
  }

  /** A name offset pointing right after itself, then the name: the inline form. */
  name(text: string): void {
    this.u32(this.pos + 4);
    this.u32(0);
    this.u16(0);
    this.u16(text.length);
    this.chars(text);
    this.u16(0);
  }

  /** A name offset pointing elsewhere (a name written earlier in the chunk). */
  nameAt(offset: number): void {
    this.u32(offset);
  }

  fragment(): void {
    this.u8(0x0f);
    this.u8(1);
    this.u8(1);
    this.u8(0);
  }

  eof(): void {
    this.u8(0);
  }

  element(name: string, attributes: Array<[string, (w: XmlWriter) => void]>, content?: (w: XmlWriter) => void): void {
    this.u8(attributes.length > 0 ? 0x41 : 0x01);
    if (this.inTemplate) this.u16(0xffff);
    const sizeAt = this.pos;
    this.u32(0);
    this.name(name);
    if (attributes.length > 0) {
      const listAt = this.pos;
      this.u32(0);
      attributes.forEach(([attribute, value], i) => {
        this.u8(i === attributes.length - 1 ? 0x06 : 0x46);
        this.name(attribute);
        value(this);
      });
      this.view.setUint32(listAt, this.pos - listAt - 4, true);
    }
    if (content === undefined) {
      this.u8(0x03);
    } else {
      this.u8(0x02);
      content(this);
      this.u8(0x04);
    }
    this.view.setUint32(sizeAt, this.pos - sizeAt - 4, true);
  }

  text(text: string, more = false): void {
    this.u8(more ? 0x45 : 0x05);
    this.u8(0x01);
    this.u16(text.length);
    this.chars(text);
  }

  sub(index: number, type: number, optional = false): void {
    this.u8(optional ? 0x0e : 0x0d);
    this.u16(index);
    this.u8(type);
  }

  charRef(code: number): void {
    this.u8(0x08);
    this.u16(code);
  }

  entityRef(name: string): void {
    this.u8(0x09);
    this.name(name);
  }

  cdata(text: string): void {
    this.u8(0x07);
    this.u16(text.length);
    this.chars(text);
  }

  pi(target: string, data: string): void {
    this.u8(0x0a);
    this.name(target);
    this.u8(0x0b);
    this.u16(data.length);
    this.chars(data);
  }

  /**
   * A template instance: the definition inline (a function writing it) or by the offset of one written before;
   * returns the definition's offset, for later records to refer to.
   */
  instance(definition: ((w: XmlWriter) => void) | number, values: readonly Value[]): number {
    this.u8(0x0c);
    this.u8(1);
    this.u32(0);
    let offset: number;
    if (typeof definition === 'number') {
      offset = definition;
      this.u32(offset);
    } else {
      offset = this.pos + 4;
      this.u32(offset);
      this.u32(0);
      this.bytes(new Uint8Array(16));
      const sizeAt = this.pos;
      this.u32(0);
      const body = new XmlWriter(this.buf, this.pos, true);
      definition(body);
      this.pos = body.pos;
      this.view.setUint32(sizeAt, this.pos - sizeAt - 4, true);
    }
    this.u32(values.length);
    const descriptors = this.pos;
    for (const value of values) {
      this.u16(0);
      this.u8(value.type);
      this.u8(0);
    }
    values.forEach((value, i) => {
      const start = this.pos;
      if ('bytes' in value) {
        this.bytes(value.bytes);
      } else {
        const inner = new XmlWriter(this.buf, this.pos, false);
        value.xml(inner);
        this.pos = inner.pos;
      }
      this.view.setUint16(descriptors + 4 * i, this.pos - start, true);
    });
    return offset;
  }
}

/** Where one written record lies in the file. */
export interface WrittenRecord {
  start: number;
  end: number;
}

/** Builds a whole file: records go into the current chunk; `chunk()` starts the next one. */
export class EvtxWriter {
  private readonly chunks: Array<{ buf: Uint8Array; pos: number; first: bigint; last: bigint; lastRecord: number }> =
    [];
  private nextId = 1n;
  readonly records: WrittenRecord[] = [];

  constructor() {
    this.chunk();
  }

  chunk(): void {
    this.chunks.push({
      buf: new Uint8Array(CHUNK),
      pos: 512,
      first: this.nextId,
      last: this.nextId - 1n,
      lastRecord: 0,
    });
  }

  /** One record whose Binary XML `build` writes (normally: fragment, instance, eof). Returns its chunk offset. */
  record(build: (w: XmlWriter) => void, fileTime = 133000000000000000n): number {
    const chunk = this.chunks[this.chunks.length - 1] as (typeof this.chunks)[number];
    const w = new ByteWriter(chunk.buf, chunk.pos);
    const start = w.pos;
    w.bytes(new Uint8Array([0x2a, 0x2a, 0, 0]));
    w.u32(0);
    w.u64(this.nextId);
    w.u64(fileTime);
    const xml = new XmlWriter(chunk.buf, w.pos, false);
    build(xml);
    w.pos = xml.pos;
    while ((w.pos + 4 - start) % 8 !== 0) w.u8(0);
    const size = w.pos + 4 - start;
    w.u32(size);
    w.view.setUint32(start + 4, size, true);
    chunk.pos = w.pos;
    chunk.last = this.nextId;
    chunk.lastRecord = start;
    this.nextId++;
    this.records.push({
      start: 4096 + (this.chunks.length - 1) * CHUNK + start,
      end: 4096 + (this.chunks.length - 1) * CHUNK + start + size,
    });
    return start;
  }

  /** The file: header and chunks, every checksum right. */
  file(): Uint8Array {
    const out = new Uint8Array(4096 + CHUNK * this.chunks.length);
    const header = new ByteWriter(out, 0);
    header.bytes(new TextEncoder().encode('ElfFile\0'));
    header.u64(0n);
    header.u64(BigInt(this.chunks.length - 1));
    header.u64(this.nextId);
    header.u32(128);
    header.u16(1);
    header.u16(3);
    header.u16(4096);
    header.u16(this.chunks.length);
    header.view.setUint32(124, crc32(out, 0, 120), true);
    this.chunks.forEach((chunk, i) => {
      const buf = chunk.buf;
      const h = new ByteWriter(buf, 0);
      h.bytes(new TextEncoder().encode('ElfChnk\0'));
      h.u64(chunk.first);
      h.u64(chunk.last);
      h.u64(chunk.first);
      h.u64(chunk.last);
      h.u32(128);
      h.u32(chunk.lastRecord);
      h.u32(chunk.pos);
      h.u32(crc32(buf, 512, chunk.pos));
      h.view.setUint32(124, crc32(buf, 128, 512, crc32(buf, 0, 120)), true);
      out.set(buf, 4096 + i * CHUNK);
    });
    return out;
  }
}

// Value bytes.
const le = (size: number, set: (view: DataView) => void): Uint8Array => {
  const bytes = new Uint8Array(size);
  set(new DataView(bytes.buffer));
  return bytes;
};
export const utf16z = (text: string): Uint8Array =>
  le(2 * text.length + 2, (v) => {
    for (let i = 0; i < text.length; i++) v.setUint16(2 * i, text.charCodeAt(i), true);
  });
export const u16 = (n: number) => le(2, (v) => v.setUint16(0, n, true));
export const u32 = (n: number) => le(4, (v) => v.setUint32(0, n, true));
export const u64 = (n: bigint) => le(8, (v) => v.setBigUint64(0, n, true));
export const string = (text: string): Value => ({ type: 0x01, bytes: utf16z(text) });

/** The System part every test event needs, from template values 0..6 (see {@link systemValues}). */
export function system(w: XmlWriter): void {
  w.element('System', [], (s) => {
    s.element('Provider', [['Name', (a) => a.sub(0, 0x01)]]);
    s.element('EventID', [['Qualifiers', (a) => a.sub(7, 0x06, true)]], (e) => e.sub(1, 0x06));
    s.element('TimeCreated', [['SystemTime', (a) => a.sub(2, 0x11)]]);
    s.element('EventRecordID', [], (e) => e.sub(3, 0x0a));
    s.element('Execution', [['ProcessID', (a) => a.sub(4, 0x08)]]);
    s.element('Channel', [], (e) => e.sub(5, 0x01));
    s.element('Computer', [], (e) => e.sub(6, 0x01));
  });
}

/** Values 0..7 for {@link system}: provider, event id, time, record id, process id, channel, computer, null. */
export function systemValues(eventId: number, recordId = 1n, channel = 'Application'): Value[] {
  return [
    string('Test-Provider'),
    { type: 0x06, bytes: u16(eventId) },
    { type: 0x11, bytes: u64(133000000000000000n) }, // 2022-06-18T04:26:40Z
    { type: 0x0a, bytes: u64(recordId) },
    { type: 0x08, bytes: u32(4242) },
    string(channel),
    string('host-1'),
    { type: 0x00, bytes: new Uint8Array(0) },
  ];
}

/** A template: Event, System, then EventData with `<Data Name=…>` substituted from values 8, 9, … */
export function eventTemplate(names: readonly string[]): (w: XmlWriter) => void {
  return (w) => {
    w.fragment();
    w.element('Event', [['xmlns', (a) => a.text('http://schemas.microsoft.com/win/2004/08/events/event')]], (e) => {
      system(e);
      e.element('EventData', [], (d) => {
        names.forEach((name, i) => {
          d.element('Data', [['Name', (a) => a.text(name)]], (v) => v.sub(8 + i, 0x01, true));
        });
      });
    });
    w.eof();
  };
}

/** One record holding an instance of `template` (inline, or by offset) with `values`; returns the template offset. */
export function eventRecord(
  w: XmlWriter,
  template: ((w: XmlWriter) => void) | number,
  values: readonly Value[],
): number {
  w.fragment();
  const offset = w.instance(template, values);
  w.eof();
  return offset;
}
