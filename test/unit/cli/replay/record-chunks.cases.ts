/**
 * Shared by record-chunks.test.ts (small inputs, every path) and record-chunks.heavy.test.ts (the same paths on
 * larger inputs and more read sizes, HOOKSTREAM_TESTS=full): inputs, and the pieces' outcomes beside the whole's.
 */

import type { InputStream } from '../../../../cli/io/input-files.js';
import { type RecordPiece, recordPieces } from '../../../../cli/replay/record-chunks.js';
import { addEvtxChecksums, type EvtxChecksums, noEvtxChecksums } from '../../../../src/events/evtx/index.js';
import { type RecordOutcome, readRecord } from '../../../../src/events/read-record.js';

export const encoder = new TextEncoder();

export function sysmon(n: number, extra = ''): string {
  return JSON.stringify({
    EventID: 1,
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    SourceName: 'Microsoft-Windows-Sysmon',
    Hostname: `HOST-${n % 3}`,
    EventTime: '2020-10-22 05:54:21',
    UtcTime: `2020-10-22 05:54:${String(n % 60).padStart(2, '0')}.520`,
    Image: `C:\\Windows\\p${n}.exe${extra}`,
    ProcessGuid: `{${n}}`,
  });
}

/** Newline-delimited documents with damage between them: every case the whole-text splitter treats specially. */
export function mixedText(): Uint8Array {
  const lines: string[] = [];
  for (let n = 0; n < 60; n++) {
    lines.push(sysmon(n));
    if (n % 7 === 0) lines.push('not json at all');
    if (n % 11 === 0) lines.push(sysmon(n).slice(0, 40)); // a cut line
    if (n % 13 === 0) lines.push(`{\n  "EventID": 3,\n  "Channel": "Security"\n}`); // pretty-printed
    if (n % 17 === 0) lines.push('', '   ');
    if (n % 19 === 0) lines.push(`${sysmon(n)}\r`);
    if (n % 23 === 0) lines.push(`${sysmon(n)}${sysmon(n + 1)}`); // two on one line
    if (n % 29 === 0) lines.push('{"Channel": "Security", "EventID": "x"}'); // rejected by the normaliser
    if (n % 31 === 0) lines.push('<Event><System></System></Event>');
  }
  const text = encoder.encode(`${lines.join('\n')}\n`);
  // One invalid UTF-8 byte inside a document's string value (a piece decoded as U+FFFD).
  const bad = new Uint8Array(text.length + 1);
  const at = text.indexOf(0x5c); // the first backslash, inside an Image value
  bad.set(text.subarray(0, at));
  bad[at] = 0xff;
  bad.set(text.subarray(at), at + 1);
  return bad;
}

export async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

export function input(bytes: Uint8Array, size = 97): InputStream {
  return { source: 'x', chunks: chunksOf(bytes, size), reopen: () => chunksOf(bytes, size) };
}

/** A piece as bytes; these inputs hold no line over the limit, so a part of one is a failure. */
export function textPiece(piece: RecordPiece): Uint8Array {
  if (!(piece instanceof Uint8Array)) throw new Error(`unexpected part of a long line (${piece.bytes.length} bytes)`);
  return piece;
}

export async function collect(pieces: AsyncIterable<RecordPiece>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  // A piece is valid until the next one is asked for: keep copies.
  for await (const piece of pieces) out.push(Uint8Array.from(textPiece(piece)));
  return out;
}

/** Outcomes as compared: raw bytes as hex, and without the EVTX checksum counts (one per piece; see evtxCounts). */
export function comparable(outcomes: RecordOutcome[]): unknown[] {
  return outcomes.map(({ evtx: _counts, ...outcome }) =>
    outcome.kind === 'rejected' ? { ...outcome, raw: Buffer.from(outcome.raw).toString('hex') } : outcome,
  );
}

/** The EVTX checksum counts of the outcomes, added up (a cut file's pieces count each chunk once, in its piece). */
export function evtxCounts(outcomes: RecordOutcome[]): EvtxChecksums {
  const total = noEvtxChecksums();
  for (const outcome of outcomes) if (outcome.evtx !== undefined) addEvtxChecksums(total, outcome.evtx);
  return total;
}

export const LIMITS = { decompressedBytes: 2 * 1024 ** 3, documents: Number.POSITIVE_INFINITY };

/** UTF-16LE text with its byte order mark, as PowerShell's Out-File writes it. */
export function utf16(text: string): Uint8Array {
  return new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
}

/** The outcomes of the pieces, in order, beside the whole input's; and the pieces. */
export async function pieceWise(bytes: Uint8Array, pieceBytes: number, chunkBytes = 97, reopen = true) {
  const stream = input(bytes, chunkBytes);
  const pieces = await collect(recordPieces(reopen ? stream : { ...stream, reopen: undefined }, pieceBytes));
  return {
    pieces,
    cut: comparable(pieces.flatMap((piece) => readRecord(piece, LIMITS))),
    whole: comparable(readRecord(bytes, LIMITS)),
  };
}

/** A Sysmon 1 event as rendered XML; `extra` goes inside its EventData. */
export function xmlEvent(n: number, extra = ''): string {
  const host = n % 5 === 0 ? '' : `<Computer>HOST-${n % 3}</Computer>`; // every fifth: rejected, host missing
  return (
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>" +
    `<Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID><TimeCreated SystemTime='2020-10-22T05:54:${String(n % 60).padStart(2, '0')}.520Z'/>` +
    `<EventRecordID>${n}</EventRecordID><Channel>Microsoft-Windows-Sysmon/Operational</Channel>${host}</System>` +
    `<EventData><Data Name='Image'>C:\\Windows\\p${n}.exe</Data><Data Name="CommandLine">p${n}.exe "a &gt; b" &amp; 'c'</Data>${extra}</EventData></Event>`
  );
}

/** An export of `count` events: one after another (wevtutil qe /f:xml) or in `<Events>`, with markup to follow. */
export function xmlExport(count: number, wrapped: boolean): string {
  const events: string[] = [];
  for (let n = 0; n < count; n++) {
    let extra = '';
    if (n % 7 === 0) extra = "<Data Name='Note'><![CDATA[</Event><Event> inside CDATA]]></Data>";
    if (n % 11 === 0)
      extra = "<!-- a comment with </Event> in it --><Data Name='Quote'>a 'b' \"c\" &lt;/Event&gt;</Data>";
    if (n % 13 === 0) extra = "<Data Name='Emoji'>\u{1F600}\u{1F4A9} caf\u00e9</Data>";
    events.push(xmlEvent(n, extra));
  }
  const body = events.join(wrapped ? '\r\n  ' : '\r\n');
  return wrapped
    ? `<?xml version="1.0" encoding="UTF-8"?>\r\n<!-- export -->\r\n<Events xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>\r\n  ${body}\r\n</Events>\r\n`
    : `<?xml version="1.0"?>\r\n${body}\r\n`;
}

/** Newline-delimited JSON of `count` lines in UTF-16LE with surrogate pairs, and the same with a lone surrogate. */
export function utf16Ndjson(count: number): { bytes: Uint8Array; lone: Uint8Array } {
  const lines: string[] = [];
  for (let n = 0; n < count; n++) {
    lines.push(sysmon(n, n % 3 === 0 ? '\u{1F600}' : n % 5 === 0 ? 'caf\u00e9' : ''));
    if (n % 9 === 0) lines.push('not json');
    if (n % 10 === 0) lines.push(`{\n  "EventID": 3,\n  "Channel": "Security"\n}`);
  }
  const bytes = utf16(`${lines.join('\r\n')}\r\n`);
  // A lone high surrogate (invalid UTF-16) inside one line's value: that document alone is flagged.
  const lone = Uint8Array.from(bytes);
  const at = Buffer.from(lone).indexOf(Buffer.from(`p${count >> 1}`, 'utf16le'));
  lone[at] = 0x00;
  lone[at + 1] = 0xd8;
  return { bytes, lone };
}

// XML texts, well-formed and malformed, to replay at many piece sizes (record-chunks-xml.test.ts and the heavy one).

const NS = "xmlns='http://schemas.microsoft.com/win/2004/08/events/event'";

/** A valid Sysmon 1 event; `extra` goes inside its EventData, `tag` names its element (a prefix, say). */
function validEvent(n: number, extra = '', tag = 'Event'): string {
  return (
    `<${tag} ${NS}><System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID>` +
    `<TimeCreated SystemTime='2020-10-22T05:54:${String(n % 60).padStart(2, '0')}.520Z'/>` +
    `<EventRecordID>${n}</EventRecordID><Channel>Microsoft-Windows-Sysmon/Operational</Channel>` +
    `<Computer>HOST-${n % 3}</Computer></System><EventData><Data Name='Image'>C:\\p${n}.exe</Data>` +
    `<Data Name="CommandLine">p${n}.exe "a &gt; b" &amp; 'c'</Data>${extra}</EventData></${tag}>`
  );
}

/** `count` events, with markup that hides `</Event>` in some (CDATA, a comment, a quoted `>`), and emoji. */
function events(count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    if (n % 7 === 0) return validEvent(n, "<Data Name='Note'><![CDATA[</Event><Event> in CDATA]]></Data>");
    if (n % 11 === 0) return validEvent(n, "<!-- </Event> --><Data Name='Q' Alt='x > y'>a &lt;/Event&gt;</Data>");
    if (n % 13 === 0) return validEvent(n, "<Data Name='Emoji'>\u{1F600} caf\u00e9</Data>");
    return validEvent(n);
  });
}

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\r\n<!-- export -->\r\n';
const wrapped = (parts: readonly string[]) => `${HEAD}<Events ${NS}>\r\n${parts.join('\r\n')}\r\n</Events>\r\n`;
const deep = `<Event><System/><EventData><Data Name='x'>${'<a>'.repeat(200)}${'</a>'.repeat(200)}</Data></EventData></Event>`;

function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** `bytes` with the byte at the first `marker` after `after` replaced by `value`. */
function patched(bytes: Uint8Array, marker: string, value: number, after = 0): Uint8Array {
  const out = Uint8Array.from(bytes);
  const at = Buffer.from(out).indexOf(marker, after);
  if (at === -1) throw new Error(`no ${marker}`);
  out[at] = value;
  return out;
}

const T = 'truncated <Event> (no end tag)';
const S = 'text outside any <Event>';

/** Each text, and its rejections in order (by construction); `flagged`: outcomes flagged as invalid encoding. */
export const TEXTS: Array<{ name: string; bytes: Uint8Array; rejected: string[]; flagged?: number }> = [
  { name: 'well-formed, in <Events>', bytes: utf8(wrapped(events(30))), rejected: [] },
  {
    name: 'well-formed, one after another',
    bytes: utf8(`<?xml version="1.0"?>\n${events(30).join('\n')}\n`),
    rejected: [],
  },
  {
    name: 'a truncated <Event> in the middle',
    bytes: utf8(wrapped([...events(15), (events(1, 99)[0] as string).slice(0, 200), ...events(15, 15)])),
    rejected: [T],
  },
  {
    name: 'the last <Event> cut short, no </Events>',
    bytes: utf8(`${HEAD}<Events>${events(20).join('')}${(events(1, 99)[0] as string).slice(0, 333)}`),
    rejected: [T],
  },
  {
    name: 'stray text, a stray fragment, CDATA and an element between events',
    bytes: utf8(
      wrapped([
        ...events(5),
        'junk',
        ...events(5, 5),
        (events(1, 98)[0] as string).slice(300),
        ...events(5, 10),
        '<![CDATA[x]]>',
        '<Note>n</Note>',
        ...events(5, 15),
      ]),
    ),
    rejected: [S, S, S],
  },
  {
    name: 'one after another, stray text right after an event',
    bytes: utf8(`${events(6).join('\n')}junk\n${events(6, 6).join('')}trailing`),
    rejected: [S, S],
  },
  {
    name: 'a broken attribute quote, an empty <Event/>, an <Event> inside an <Event>, nesting too deep',
    bytes: utf8(
      wrapped([
        ...events(4),
        (events(1, 4)[0] as string).replace("Name='Image'", "Name='Image"),
        ...events(4, 5),
        '<Event/>',
        ...events(4, 9),
        (events(1, 13)[0] as string).replace('<EventData>', `<EventData>${events(1, 14)[0]}`),
        deep,
        ...events(4, 15),
      ]),
    ),
    // The outer event ends as truncated where the inner one starts; the rest of the outer one is stray.
    rejected: ['invalid XML', 'XML is not an <Event>', T, S, 'document nested too deeply'],
  },
  {
    name: 'invalid UTF-8 in one event and in a comment between events, after a UTF-8 BOM',
    bytes: patched(
      patched(utf8(`\uFEFF${wrapped([...events(10), '<!-- c\u00e9 -->', ...events(10, 10)])}`), 'p12.exe', 0xff),
      '\u00e9 -->',
      0xff,
    ),
    rejected: [],
    flagged: 1,
  },
  {
    name: 'UTF-16LE: a lone surrogate in one event, a truncated <Event>',
    bytes: (() => {
      const bytes = utf16(wrapped([...events(10), (events(1, 50)[0] as string).slice(0, 150), ...events(10, 10)]));
      const at = Buffer.from(bytes).indexOf(Buffer.from('p3.exe', 'utf16le'));
      bytes[at] = 0x00;
      bytes[at + 1] = 0xd8;
      return bytes;
    })(),
    rejected: [T],
    flagged: 1,
  },
  {
    name: 'a DOCTYPE, a prefixed wrapper, text after it, then a second <Events>',
    bytes: utf8(
      `<?xml version="1.0"?>\n<!DOCTYPE Events [<!ENTITY x "<Event>">]>\n<?pi </Event> ?>\n` +
        `<e:Events xmlns:e='x'>${events(6)
          .map((e) => e.replace(/<Event /, '<e:Event ').replace(/<\/Event>$/, '</e:Event>'))
          .join('\n')}</e:Events>after\n<Events>${events(6, 6).join('')}</Events>`,
    ),
    rejected: [S],
  },
  {
    name: 'an unclosed comment after the events',
    bytes: utf8(`<Events>${events(12).join('\r\n')}<!-- open`),
    rejected: [S],
  },
];

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The input in reads of random sizes (1 byte to `max`), the same ones when read again. */
export function randomReads(bytes: Uint8Array, seed: number, max: number): InputStream {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const random = mulberry32(seed);
    for (let at = 0; at < bytes.length; ) {
      const size = 1 + Math.floor(random() * max);
      yield bytes.subarray(at, at + size);
      at += size;
    }
  }
  return { source: 'x', chunks: chunks(), reopen: chunks };
}

/**
 * The outcomes of `bytes` replayed in pieces of `pieceBytes` from reads of random sizes up to `maxRead` (seeded),
 * and how many pieces.
 */
export async function replayedOutcomes(bytes: Uint8Array, pieceBytes: number, maxRead: number, seed: number) {
  const pieces: Uint8Array[] = [];
  for await (const piece of recordPieces(randomReads(bytes, seed, maxRead), pieceBytes))
    pieces.push(Uint8Array.from(textPiece(piece)));
  return { pieces: pieces.length, outcomes: comparable(pieces.flatMap((piece) => readRecord(piece, LIMITS))) };
}

/** Markup and characters a mutation may insert: every token the scanners react to, and some they must not. */
const TOKENS = [
  '<',
  '>',
  '</Event>',
  '<Event>',
  '<Event ',
  '"',
  "'",
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  '<?',
  '?>',
  '/>',
  '</Events>',
  '<Events>',
  '<!DOCTYPE x [',
  ']',
  '\n',
  ' ',
  'x',
  '\u00e9',
  '\uFEFF',
  '{',
  '}',
  '[',
  ',',
  '\\',
];

/** A pretty-printed JSON array of 20 events (a mutation base besides the XML texts). */
function jsonArray(): Uint8Array {
  return utf8(
    JSON.stringify(
      Array.from({ length: 20 }, (_, n) => JSON.parse(sysmon(n))),
      null,
      2,
    ),
  );
}

/**
 * Pretty-printed documents one after another, as `jq .` writes them (two-space indent, nested objects and arrays),
 * 20 events (a mutation base, and the pretty-cut tests' text).
 */
export function prettyDocuments(count = 20, newline = '\n'): Uint8Array {
  const docs = Array.from({ length: count }, (_, n) => {
    const event = JSON.parse(sysmon(n)) as Record<string, unknown>;
    return JSON.stringify({ ...event, Nested: { List: [n, { Deep: `v${n}` }], Empty: {} } }, null, 2);
  });
  return utf8(`${docs.join('\n').split('\n').join(newline)}${newline}`);
}

/**
 * Text `seed` of a fuzz: one of the XML texts, a JSON array or pretty-printed documents, with 1-6 random edits (a token inserted, up to 40
 * bytes deleted, a byte replaced by any value).
 */
export function mutated(seed: number): Uint8Array {
  const random = mulberry32(seed);
  const bases = [...TEXTS.map((t) => t.bytes), jsonArray(), prettyDocuments()];
  let bytes = Buffer.from(bases[Math.floor(random() * bases.length)] as Uint8Array);
  const edits = 1 + Math.floor(random() * 6);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * bytes.length);
    const kind = random();
    if (kind < 0.4) {
      const token = TOKENS[Math.floor(random() * TOKENS.length)] as string;
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(token), bytes.subarray(at)]);
    } else if (kind < 0.8) {
      const end = Math.min(bytes.length, at + 1 + Math.floor(random() * 40));
      bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(end)]);
    } else {
      bytes = Buffer.from(bytes);
      bytes[at] = Math.floor(random() * 256);
    }
  }
  return new Uint8Array(bytes);
}
