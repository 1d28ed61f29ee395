/**
 * Damaged and hostile EVTX files: cut anywhere, bytes flipped in a template, wrong checksums, broken records and
 * chunks, random bytes, nesting and expansion bombs. The reader never throws, reads what can be read, rejects the
 * rest with a reason and its bytes, and every record is accounted for (conservation).
 */
import { gzipSync } from 'fflate';
import { chunkIntact, fileHeaderIntact } from '../../../../src/events/evtx/read-evtx.js';
import { type RecordOutcome, readRecord } from '../../../../src/events/read-record.js';
import {
  EvtxWriter,
  eventRecord,
  eventTemplate,
  string,
  system,
  systemValues,
  type Value,
  type XmlWriter,
} from './evtx-writer.js';

const FILE_HEADER = 4096;
const CHUNK = 65536;

/** Five records sharing one template (inline in the first), in one chunk, or in each of `chunks` chunks. */
function sampleFile(chunks = 1): EvtxWriter {
  const writer = new EvtxWriter();
  let id = 1n;
  for (let c = 0; c < chunks; c++) {
    if (c > 0) writer.chunk();
    let template = 0;
    for (let i = 0; i < 5; i++) {
      const values = [...systemValues(1, id), string(`record ${id}`), string('x'.repeat(40))];
      id++;
      writer.record((w) => {
        const offset = eventRecord(w, i === 0 ? eventTemplate(['Text', 'Padding']) : template, values);
        if (i === 0) template = offset;
      });
    }
  }
  return writer;
}

/** Byte equality without Jest's element-by-element diff (thousands of comparisons per test). */
function sameBytes(a: Uint8Array | false | undefined, b: Uint8Array): boolean {
  return a instanceof Uint8Array && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

function summary(outcomes: RecordOutcome[]): Array<string> {
  return outcomes.map((o) => (o.kind === 'event' ? `event ${o.event.data.Text}` : `${o.kind}: ${o.reason}`));
}

/** A seeded generator, so random inputs are the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('EVTX files that are empty or not logs', () => {
  it('rejects zero bytes as an empty record', () => {
    expect(summary(readRecord(new Uint8Array(0)))).toEqual(['rejected: record empty']);
  });

  it('rejects a file cut inside its header, whole', () => {
    const file = sampleFile().file().subarray(0, 100);
    const outcomes = readRecord(file);
    expect(summary(outcomes)).toEqual(['rejected: EVTX file header truncated']);
    expect(sameBytes(outcomes[0]?.kind === 'rejected' && outcomes[0].raw, file)).toBe(true);
  });

  it('gives a log without records as one filtered outcome, never nothing', () => {
    const file = sampleFile()
      .file()
      .slice(0, FILE_HEADER + CHUNK);
    file.fill(0, FILE_HEADER);
    expect(summary(readRecord(file))).toEqual(['filtered: EVTX file without records']);
  });

  it('reads an EVTX file inside gzip (the layers chain)', () => {
    expect(summary(readRecord(gzipSync(sampleFile().file())))).toHaveLength(5);
  });

  it('survives random bytes after the signature', () => {
    const next = random(1);
    for (let n = 0; n < 40; n++) {
      const words = new Uint32Array(Math.floor(next() * CHUNK * 0.7));
      // Half the words zero: offsets and sizes are then often small enough to point inside the chunk.
      for (let i = 0; i < words.length; i++) words[i] = next() < 0.5 ? 0 : (next() * 2 ** 32) >>> (i % 24);
      const file = new Uint8Array(words.buffer);
      file.set(new TextEncoder().encode('ElfFile\0'), 0);
      // Some chunks start like chunks, some records like records: the parser must get past the signatures.
      for (let at = FILE_HEADER; at + 520 < file.length; at += CHUNK) {
        file.set(new TextEncoder().encode('ElfChnk\0'), at);
        file.set([0x2a, 0x2a, 0, 0], at + 512);
      }
      const outcomes = readRecord(file);
      for (const outcome of outcomes) expect(['event', 'rejected', 'filtered']).toContain(outcome.kind);
    }
  });

  it('survives random bytes inside the records of a valid file', () => {
    const writer = sampleFile(2);
    const next = random(2);
    for (let n = 0; n < 150; n++) {
      const file = writer.file();
      for (let k = 0; k < 8; k++) {
        const record = writer.records[Math.floor(next() * writer.records.length)] as { start: number; end: number };
        file[record.start + 24 + Math.floor(next() * (record.end - record.start - 28))] = Math.floor(next() * 256);
      }
      const outcomes = readRecord(file);
      // The record headers are intact, so every record gives exactly one outcome.
      expect(outcomes).toHaveLength(writer.records.length);
    }
  });
});

describe('EVTX checksums', () => {
  it('verifies the file and chunk checksums', () => {
    const file = sampleFile().file();
    expect(fileHeaderIntact(file)).toBe(true);
    expect(chunkIntact(file.subarray(FILE_HEADER, FILE_HEADER + CHUNK))).toEqual({ header: true, records: true });
  });

  it('still reads every record of a chunk whose checksums are all wrong (a log copied while written)', () => {
    const file = sampleFile().file();
    const expected = summary(readRecord(file));
    for (const at of [124, FILE_HEADER + 52, FILE_HEADER + 124]) file[at] = (file[at] as number) ^ 0xff;
    expect(fileHeaderIntact(file)).toBe(false);
    expect(chunkIntact(file.subarray(FILE_HEADER))).toEqual({ header: false, records: false });
    const outcomes = readRecord(file);
    expect(summary(outcomes)).toEqual(expected);
    expect(expected).toHaveLength(5);
    // Counted all the same, once, on the record's first outcome (what the replay summary adds up).
    expect(outcomes.map((outcome) => outcome.evtx)).toEqual([
      { chunks: 1, checksumFailed: 1, headerChecksumFailed: 1, recordsChecksumFailed: 1, underFailingFileHeader: 1 },
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('counts the chunks of a clean file as clean, the unused all-zero chunks not at all', () => {
    const file = sampleFile(2).file();
    const padded = new Uint8Array(file.length + CHUNK);
    padded.set(file);
    expect(readRecord(padded)[0]?.evtx).toEqual({
      chunks: 2,
      checksumFailed: 0,
      headerChecksumFailed: 0,
      recordsChecksumFailed: 0,
      underFailingFileHeader: 0,
    });
  });
});

describe('EVTX files cut short', () => {
  const writer = sampleFile(2);
  const whole = writer.file();
  const lastRecordEnd = (writer.records[writer.records.length - 1] as { end: number }).end;

  it('reads every record before the cut and rejects the one it cuts, at any cut', () => {
    for (let cut = FILE_HEADER; cut <= lastRecordEnd + 10; cut += 53) {
      const outcomes = readRecord(whole.subarray(0, cut));
      const expected: string[] = [];
      writer.records.forEach((record, i) => {
        if (record.end <= cut) expected.push(`event record ${i + 1}`);
        else if (record.start < cut) expected.push('rejected: EVTX record truncated');
      });
      for (const chunk of [FILE_HEADER, FILE_HEADER + CHUNK]) {
        if (cut > chunk && cut < chunk + 512) expected.push('rejected: EVTX chunk header truncated');
      }
      if (expected.length === 0) expected.push('filtered: EVTX file without records');
      expect({ cut, outcomes: summary(outcomes) }).toEqual({ cut, outcomes: expected });
      // The cut record keeps the bytes that remain of it.
      for (const outcome of outcomes) {
        if (outcome.kind === 'rejected' && outcome.reason === 'EVTX record truncated') {
          const record = writer.records.find((r) => r.start < cut && r.end > cut) as { start: number };
          expect(sameBytes(outcome.raw, whole.subarray(record.start, cut))).toBe(true);
        }
      }
    }
  });
});

describe('EVTX damage inside a chunk', () => {
  it('a flipped byte anywhere in the template costs at most the records using it, each with its bytes', () => {
    const writer = sampleFile();
    const first = writer.records[0] as { start: number; end: number };
    const clean = writer.file();
    let rejectedSome = false;
    for (let at = first.start + 24; at < first.end - 4; at++) {
      const file = clean.slice();
      file[at] = (file[at] as number) ^ 0xff;
      const outcomes = readRecord(file);
      expect(outcomes).toHaveLength(5);
      outcomes.forEach((outcome, i) => {
        if (outcome.kind !== 'rejected') return;
        rejectedSome = true;
        const record = writer.records[i] as { start: number; end: number };
        expect(sameBytes(outcome.raw, file.subarray(record.start, record.end))).toBe(true);
      });
    }
    expect(rejectedSome).toBe(true);
  });

  it('a record whose copy of its size is wrong is rejected alone; the next records are read', () => {
    const writer = sampleFile();
    const file = writer.file();
    const third = writer.records[2] as { start: number; end: number };
    file[third.end - 4] = (file[third.end - 4] as number) ^ 0x01;
    const outcomes = readRecord(file);
    expect(summary(outcomes)).toEqual([
      'event record 1',
      'event record 2',
      'rejected: EVTX record size and its copy differ',
      'event record 4',
      'event record 5',
    ]);
    expect(sameBytes(outcomes[2]?.kind === 'rejected' && outcomes[2].raw, file.subarray(third.start, third.end))).toBe(
      true,
    );
  });

  it('zeros over records in the middle of a chunk: one rejected span, then the records after it', () => {
    const writer = sampleFile();
    const file = writer.file();
    const second = writer.records[1] as { start: number };
    const fourth = writer.records[3] as { start: number };
    file.fill(0, second.start, fourth.start);
    const outcomes = readRecord(file);
    expect(summary(outcomes)).toEqual([
      'event record 1',
      'rejected: EVTX record signature missing',
      'event record 4',
      'event record 5',
    ]);
    expect(outcomes[1]?.kind === 'rejected' && outcomes[1].raw.length).toBe(fourth.start - second.start);
  });

  it('a chunk without its signature is rejected whole; the other chunks are read', () => {
    const writer = sampleFile(2);
    const file = writer.file();
    file[FILE_HEADER] = 0;
    const outcomes = readRecord(file);
    expect(summary(outcomes)).toEqual([
      'rejected: EVTX chunk signature missing',
      ...[6, 7, 8, 9, 10].map((n) => `event record ${n}`),
    ]);
    expect(outcomes[0]?.kind === 'rejected' && outcomes[0].raw.length).toBe(CHUNK);
  });

  it('ends the records at the free space offset and at the last record id of the chunk header', () => {
    const writer = sampleFile();
    const byFreeSpace = writer.file();
    const view = new DataView(byFreeSpace.buffer);
    view.setUint32(FILE_HEADER + 48, (writer.records[3] as { start: number }).start - FILE_HEADER, true);
    expect(summary(readRecord(byFreeSpace))).toEqual(['event record 1', 'event record 2', 'event record 3']);
    const byLastId = writer.file();
    new DataView(byLastId.buffer).setBigUint64(FILE_HEADER + 32, 2n, true);
    expect(summary(readRecord(byLastId))).toEqual(['event record 1', 'event record 2']);
  });

  it('a template offset out of the chunk rejects the record', () => {
    const writer = new EvtxWriter();
    writer.record((w) => eventRecord(w, 0xfff0, systemValues(1)));
    expect(summary(readRecord(writer.file()))).toEqual(['rejected: EVTX template definition out of bounds']);
  });

  it('caps the records decoded from one file, the rest rejected as one piece', () => {
    const writer = sampleFile();
    const file = writer.file();
    const outcomes = readRecord(file, { documents: 2 });
    expect(summary(outcomes)).toEqual([
      'event record 1',
      'event record 2',
      'rejected: too many documents in one record',
    ]);
    const third = writer.records[2] as { start: number };
    expect(sameBytes(outcomes[2]?.kind === 'rejected' && outcomes[2].raw, file.subarray(third.start))).toBe(true);
  });
});

describe('hostile EVTX files', () => {
  /** Binary XML values nested `depth` deep, each level an instance of its own inline template. */
  function nested(depth: number): Value {
    return {
      type: 0x21,
      xml: (w: XmlWriter) => {
        w.fragment();
        w.instance(
          (t) => {
            t.fragment();
            t.element('L', [], (e) => e.sub(0, 0x21));
            t.eof();
          },
          [depth > 1 ? nested(depth - 1) : string('bottom')],
        );
        w.eof();
      },
    };
  }

  function eventWith(content: (e: XmlWriter) => void, values: Value[]): RecordOutcome[] {
    const writer = new EvtxWriter();
    writer.record((w) =>
      eventRecord(
        w,
        (t) => {
          t.fragment();
          t.element('Event', [], (e) => {
            system(e);
            e.element('EventData', [], content);
          });
          t.eof();
        },
        [...systemValues(1), ...values],
      ),
    );
    return readRecord(writer.file());
  }

  it('reads Binary XML values nested a few levels', () => {
    expect(summary(eventWith((d) => d.sub(8, 0x21), [nested(5)]))).toHaveLength(1);
    expect(eventWith((d) => d.sub(8, 0x21), [nested(5)])[0]?.kind).toBe('event');
  });

  it('rejects Binary XML values nested too deeply, without overflowing the stack', () => {
    expect(summary(eventWith((d) => d.sub(8, 0x21), [nested(200)]))).toEqual([
      'rejected: EVTX Binary XML nested too deeply',
    ]);
  });

  it('rejects elements nested too deeply', () => {
    const deep = (w: XmlWriter, n: number): void => w.element('E', [], n > 0 ? (e) => deep(e, n - 1) : undefined);
    expect(summary(eventWith((d) => deep(d, 1500), []))).toEqual(['rejected: EVTX Binary XML nested too deeply']);
  });

  /** A Binary XML value: an instance of one element holding a hundred empty elements. */
  function hundredElements(): Value {
    return {
      type: 0x21,
      xml: (w) => {
        w.fragment();
        w.instance((t) => {
          t.fragment();
          t.element('Wide', [], (e) => {
            for (let i = 0; i < 100; i++) e.element('B', []);
          });
          t.eof();
        }, []);
        w.eof();
      },
    };
  }

  it('rejects a record that expands past the node budget (one value substituted in thousands of places)', () => {
    const wide = hundredElements();
    const outcomes = eventWith(
      (d) => {
        for (let i = 0; i < 2000; i++) d.sub(8, 0x21);
      },
      [wide],
    );
    expect(summary(outcomes)).toEqual(['rejected: EVTX record expands too large']);
  });

  /** An event whose Event element holds System and value 8 (Binary XML) as its own content, not in EventData. */
  function eventHolding(value: Value): RecordOutcome[] {
    const writer = new EvtxWriter();
    writer.record((w) =>
      eventRecord(
        w,
        (t) => {
          t.fragment();
          t.element('Event', [], (e) => {
            system(e);
            e.sub(8, 0x21);
          });
          t.eof();
        },
        [...systemValues(1), value],
      ),
    );
    return readRecord(writer.file());
  }

  it('keeps the depth limit and the node budget for Binary XML values right under Event', () => {
    expect(eventHolding(nested(5))[0]?.kind).toBe('event');
    expect(summary(eventHolding(nested(200)))).toEqual(['rejected: EVTX Binary XML nested too deeply']);
    const hundred = hundredElements();
    // One instance under Event whose element substitutes the hundred elements in 2,000 places.
    const spread: Value = {
      type: 0x21,
      xml: (w) => {
        w.fragment();
        w.instance(
          (t) => {
            t.fragment();
            t.element('Spread', [], (e) => {
              for (let i = 0; i < 2000; i++) e.sub(0, 0x21);
            });
            t.eof();
          },
          [hundred],
        );
        w.eof();
      },
    };
    expect(summary(eventHolding(spread))).toEqual(['rejected: EVTX record expands too large']);
    // At the budget's edge: the record's 100,000 elements less the Event template's 9, less `<Spread>` with one
    // child (2), less 101 for each of `places` hundred-element instances.
    const edge = (places: number): Value => ({
      type: 0x21,
      xml: (w) => {
        w.fragment();
        w.instance(
          (t) => {
            t.fragment();
            t.element('Spread', [], (e) => {
              e.element('B', []);
              for (let i = 0; i < places; i++) e.sub(0, 0x21);
            });
            t.eof();
          },
          [hundred],
        );
        w.eof();
      },
    });
    expect(eventHolding(edge(989))[0]?.kind).toBe('event');
    expect(summary(eventHolding(edge(990)))).toEqual(['rejected: EVTX record expands too large']);
  });

  it('rejects a substitution whose value is missing', () => {
    expect(summary(eventWith((d) => d.sub(99, 0x01), []))).toEqual(['rejected: EVTX substitution without a value']);
  });
});
