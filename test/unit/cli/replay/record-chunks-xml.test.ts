/**
 * XML read in pieces gives the outcomes of the whole text whatever the piece size and wherever the stream's reads
 * end: well-formed and malformed exports (a truncated <Event>, stray text, a broken tag, invalid bytes, markup that
 * hides `</Event>`), replayed at piece sizes from 1 byte to 1 MiB, each with reads of random sizes.
 */

import type { InputStream } from '../../../../cli/io/input-files.js';
import { recordPieces } from '../../../../cli/replay/record-chunks.js';
import { type RecordOutcome, readRecord } from '../../../../src/events/read-record.js';

const encoder = new TextEncoder();
const LIMITS = { decompressedBytes: 2 * 1024 ** 3, documents: Number.POSITIVE_INFINITY };
const NS = "xmlns='http://schemas.microsoft.com/win/2004/08/events/event'";

/** A valid Sysmon 1 event; `extra` goes inside its EventData, `tag` names its element (a prefix, say). */
function xmlEvent(n: number, extra = '', tag = 'Event'): string {
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
    if (n % 7 === 0) return xmlEvent(n, "<Data Name='Note'><![CDATA[</Event><Event> in CDATA]]></Data>");
    if (n % 11 === 0) return xmlEvent(n, "<!-- </Event> --><Data Name='Q' Alt='x > y'>a &lt;/Event&gt;</Data>");
    if (n % 13 === 0) return xmlEvent(n, "<Data Name='Emoji'>\u{1F600} caf\u00e9</Data>");
    return xmlEvent(n);
  });
}

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\r\n<!-- export -->\r\n';
const wrapped = (parts: readonly string[]) => `${HEAD}<Events ${NS}>\r\n${parts.join('\r\n')}\r\n</Events>\r\n`;
const deep = `<Event><System/><EventData><Data Name='x'>${'<a>'.repeat(200)}${'</a>'.repeat(200)}</Data></EventData></Event>`;

function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

function utf16(text: string): Uint8Array {
  return new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
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
const TEXTS: Array<{ name: string; bytes: Uint8Array; rejected: string[]; flagged?: number }> = [
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
function randomReads(bytes: Uint8Array, seed: number, max: number): InputStream {
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

function comparable(outcomes: RecordOutcome[]): unknown[] {
  return outcomes.map((o) => (o.kind === 'rejected' ? { ...o, raw: Buffer.from(o.raw).toString('hex') } : o));
}

const PIECE_BYTES = [1, 2, 5, 17, 64, 333, 4096, 1024 * 1024];

describe('XML read in pieces', () => {
  it.each(TEXTS.map((t) => [t.name, t] as const))('%s: the same outcomes at every piece size', async (_name, t) => {
    // The whole text, read as one record: the rejections built in, in order, and nothing else.
    const whole = readRecord(t.bytes, LIMITS);
    expect(whole.flatMap((o) => (o.kind === 'rejected' ? [o.reason] : []))).toEqual(t.rejected);
    expect(whole.filter((o) => o.kind === 'event').length).toBeGreaterThanOrEqual(10);
    expect(whole.filter((o) => o.invalidUtf8).length).toBe(t.flagged ?? 0);
    for (const [i, pieceBytes] of PIECE_BYTES.entries()) {
      // Reads of 1-3 bytes (boundaries inside every tag and character) or of up to 700.
      for (const max of i % 2 === 0 ? [3] : [700]) {
        const pieces: Uint8Array[] = [];
        for await (const piece of recordPieces(randomReads(t.bytes, 7 * i + max, max), pieceBytes)) {
          pieces.push(Uint8Array.from(piece));
        }
        // Small pieces must cut the text (else this compares the whole with itself). Below 5 bytes the first read
        // may not show the text's shape past a byte order mark: then it is read whole.
        if (pieceBytes >= 5 && pieceBytes <= 64) expect([pieceBytes, pieces.length > 3]).toEqual([pieceBytes, true]);
        const cut = pieces.flatMap((piece) => readRecord(piece, LIMITS));
        expect([pieceBytes, max, comparable(cut)]).toEqual([pieceBytes, max, comparable(whole)]);
      }
    }
  });
});
