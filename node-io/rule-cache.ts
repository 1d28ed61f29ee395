/**
 * A cache of parsed rule files for `replay` and `dev`: parsing the YAML of the SigmaHQ Windows corpus is about half
 * of compiling it, and it gives the same result every run until a rule file changes. An entry is keyed by a hash
 * of every rule file's name and text, the hookstream version and the written format
 * (src/detection/parsed-rules-json.ts), so a changed, added or removed file, or another version, is a miss.
 * An entry that does not read back (truncated, edited, another format) is ignored and written again: it is never
 * trusted blindly: a checksum of its body and the key inside it (as well as in its name) are checked.
 *
 * The folder is the cache folder of hookstream's own: HOOKSTREAM_CACHE_DIR, else $XDG_CACHE_HOME/hookstream, else
 * ~/.cache/hookstream; entries go under its `rules/`. HOOKSTREAM_NO_CACHE=1 turns it off. A cache that cannot be
 * written (a read-only home) only costs the parse: the outcome says so, the run goes on with the same rules.
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// Not src/detection/index.js: it loads the yaml package, which only a miss needs (loadYamlParser).
import {
  type CompileRecord,
  type ParsedRuleSource,
  parseRuleSourcesWith,
  RECORD_FORMAT,
  type RecordedRule,
} from '../src/detection/compile-rules.js';
import { decodeParsedRules, encodeParsedRules, PARSED_RULES_FORMAT } from '../src/detection/parsed-rules-json.js';
import { AUTOMATON_IMAGE_FORMAT, type AutomatonImage, type AutomatonStore } from '../src/detection/prefilter.js';
import type { RuleSource } from '../src/detection/types.js';
import { loadYamlParser } from '../src/detection/yaml-parse.js';
import { listRuleFiles } from './rule-files.js';

/** Entries kept per cache folder; older ones (by last use) are removed when a new one is written. */
const MAX_ENTRIES = 8;

/** What the cache did for one load: for the summaries and the bench. */
export interface RuleCacheOutcome {
  /** `hit`: read back; `miss`: no entry; `rebuilt`: an entry was there but did not read back (why in `reason`). */
  status: 'hit' | 'miss' | 'rebuilt';
  /** The entry's file. */
  file: string;
  reason?: string;
  /** Set when the new entry could not be written (the rules are still right; the next run parses again). */
  writeError?: string;
  /**
   * A hit found without reading the rule files: every file's size, times and inode were those a stamp recorded when
   * an earlier run read and hashed the same files ({@link RuleCache.load}).
   */
  stamped?: boolean;
}

/**
 * How long before a stamp was taken a file must have last changed for the stamp to vouch for it. A file changed
 * within the timestamp granularity of the moment it was stamped could change again with the same times; files
 * changed this recently are read and hashed instead (and stamped again by a later run).
 */
const STAMP_MARGIN_MS = 2000;

/** A stamp: the key that hashing the files gave, and what stat said of each file then. */
interface Stamp {
  format: 1;
  version: string;
  key: string;
  /** Date.now() before the files were statted and read. */
  taken: number;
  /** Per file, in listing order: size, mtimeMs, ctimeMs, ino. */
  stats: number[][];
}

function statOf(file: string): number[] | undefined {
  const info = statSync(file, { throwIfNoEntry: false });
  return info?.isFile() ? [info.size, info.mtimeMs, info.ctimeMs, info.ino] : undefined;
}

/** The entry key of these sources for this hookstream version: SHA-256 of every file's name and text. */
export function ruleCacheKey(sources: readonly RuleSource[], version: string): string {
  const hash = createHash('sha256');
  hash.update(`hookstream ${version}\0parsed rules format ${PARSED_RULES_FORMAT}\0${sources.length}\0`);
  for (const source of sources) {
    hash.update(source.file);
    hash.update('\0');
    hash.update(source.text);
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Parsed rule files, from the cache folder `dir` when an entry for exactly these files and this version reads back. */
export class RuleCache {
  constructor(
    /** The cache folder (entries go under its `rules/`). */
    readonly dir: string,
    /** The hookstream version, part of every key. */
    readonly version: string = hookstreamVersion(),
    /** STAMP_MARGIN_MS; tests set it lower to stamp files they have just written. */
    private readonly stampMarginMs = STAMP_MARGIN_MS,
  ) {}

  /**
   * The sources parsed: read back from the cache, or parsed and written to it. Never throws on a bad entry. The YAML
   * parser (the yaml package) is loaded only when the entry does not read back.
   */
  async parse(sources: readonly RuleSource[]): Promise<{ sources: ParsedRuleSource[]; outcome: RuleCacheOutcome }> {
    const key = ruleCacheKey(sources, this.version);
    const folder = path.join(this.dir, 'rules');
    const file = path.join(folder, `${key}.json`);
    let reason: string | undefined;
    const read = readChecksummed(file);
    if (read.ok) {
      const decoded = decodeParsedRules(read.body, key);
      if (decoded.ok && decoded.value.length === sources.length) {
        return { sources: decoded.value, outcome: { status: 'hit', file } };
      }
      reason = decoded.ok ? 'holds another number of files' : decoded.error;
    } else if (!read.missing) reason = read.error;
    const parsed = parseRuleSourcesWith(sources, await loadYamlParser());
    const outcome: RuleCacheOutcome =
      reason === undefined ? { status: 'miss', file } : { status: 'rebuilt', file, reason };
    try {
      mkdirSync(folder, { recursive: true });
      // Written beside, then renamed: a reader never sees half an entry, and two runs at once both write whole ones.
      const partial = `${file}.${process.pid}.partial`;
      writeFileSync(partial, writeEntry(parsed, key));
      renameSync(partial, file);
      prune(folder, file);
    } catch (error) {
      outcome.writeError = error instanceof Error ? error.message : String(error);
    }
    return { sources: parsed, outcome };
  }

  /**
   * {@link parse} of every rule file under `paths`, reading them only when needed. The files are listed and statted
   * first; when a stamp of this listing (written by an earlier run that read and hashed them) holds the same size,
   * modification and change times and inode for every file, and every file had last changed at least
   * STAMP_MARGIN_MS before that stamp, the entry of the stamp's key is read back without reading or hashing the
   * files. The content hash still names the entry: the stamp only says that these are the files that hashed to it
   * (a file's change time moves with every write and cannot be set back, short of the clock). Anything else (no
   * stamp, a file changed, the entry missing or not reading back) reads, hashes and parses as {@link parse} does,
   * then writes a new stamp.
   */
  async load(paths: readonly string[]): Promise<{ sources: ParsedRuleSource[]; outcome: RuleCacheOutcome }> {
    const files = await listRuleFiles(paths);
    const stampFile = path.join(
      this.dir,
      'rule-stamps',
      `${createHash('sha256')
        .update(`${this.version}\0${files.join('\0')}`)
        .digest('hex')}.stamp`,
    );
    const taken = Date.now();
    const stats = files.map(statOf);
    const stamp = readStamp(stampFile, this.version);
    if (stamp && stamp.stats.length === files.length) {
      const trusted = stats.every((now, i) => {
        const then = stamp.stats[i];
        return (
          now !== undefined &&
          then !== undefined &&
          now.length === then.length &&
          now.every((x, j) => x === then[j]) &&
          (now[1] as number) < stamp.taken - this.stampMarginMs &&
          (now[2] as number) < stamp.taken - this.stampMarginMs
        );
      });
      if (trusted) {
        const file = path.join(this.dir, 'rules', `${stamp.key}.json`);
        const read = readChecksummed(file);
        const decoded = read.ok ? decodeParsedRules(read.body, stamp.key) : undefined;
        if (
          decoded?.ok &&
          decoded.value.length === files.length &&
          decoded.value.every((s, i) => s.file === files[i])
        ) {
          return { sources: decoded.value, outcome: { status: 'hit', file, stamped: true } };
        }
      }
    }
    // Read after the stat: a file written in between is stamped with its older times and read again next run.
    const sources = files.map((file) => ({ file, text: readFileSync(file, 'utf8') }));
    const result = await this.parse(sources);
    if (result.outcome.writeError === undefined && stats.every((x) => x !== undefined)) {
      const body = JSON.stringify({
        format: 1,
        version: this.version,
        key: ruleCacheKey(sources, this.version),
        taken,
        stats,
      } satisfies Stamp);
      try {
        mkdirSync(path.dirname(stampFile), { recursive: true });
        const partial = `${stampFile}.${process.pid}.partial`;
        writeFileSync(partial, checksummed(body));
        renameSync(partial, stampFile);
        pruneStamps(path.dirname(stampFile), stampFile);
      } catch {
        // Without a stamp the next run reads and hashes the files again: slower, the same rules.
      }
    }
    return result;
  }

  /**
   * The record of a full compile (compile-rules.ts CompileRecord) kept beside the entry `entryFile` for the options
   * of `fingerprint`, when it reads back whole; with it, the next compile defers each list's predicates to the
   * list's first event and still rejects exactly what the full compile rejected.
   */
  readRecord(entryFile: string, fingerprint: string): CompileRecord | undefined {
    const file = recordFile(entryFile, fingerprint);
    const read = readRecordFile(file, fingerprint);
    if (read === undefined) return undefined;
    // The record and its automata are one: without automata that read back (an older cache, a damaged file), the
    // compile is full and writeRecord keeps both again, rather than every later run building them on first use.
    const store = readAutomataFile(automataFile(file), read.checksum);
    if (store === undefined) return undefined;
    read.record.automata = { store };
    return read.record;
  }

  /**
   * Writes the record beside its entry, then its prefilter automata (every list's, built now where the compile has
   * not yet: the record's `automata.images`), each atomically; the error's message when it cannot.
   */
  writeRecord(entryFile: string, record: CompileRecord): string | undefined {
    const file = recordFile(entryFile, record.options);
    try {
      const text = checksummed(recordJson(record));
      const partial = `${file}.${process.pid}.partial`;
      writeFileSync(partial, text);
      renameSync(partial, file);
      const images = record.automata?.images?.();
      if (images !== undefined) {
        const target = automataFile(file);
        const partialAutomata = `${target}.${process.pid}.partial`;
        writeFileSync(partialAutomata, automataFileBytes(text.slice(0, text.indexOf('\n')), images));
        renameSync(partialAutomata, target);
      }
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
}

/**
 * A cache file's text: the SHA-256 of its body on the first line, then the body with every non-ASCII character
 * escaped (`\\uXXXX`; the body is JSON, whose structure is ASCII, so they are all inside strings and read back the
 * same). An ASCII file is decoded as Latin-1, a tenth of what UTF-8 decoding a 4 MB entry costs.
 */
function checksummed(json: string): string {
  const body = json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${createHash('sha256').update(body).digest('hex')}\n${body}`;
}

/**
 * What {@link checksummed} wrote: the body when the checksum holds (hashed as bytes, decoded once); `missing` when
 * there is no file. Files written as UTF-8 text by an earlier version read back too.
 */
function readChecksummed(
  file: string,
): { ok: true; body: string; checksum: string } | { ok: false; error: string; missing?: boolean } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return { ok: false, error: `unreadable (${(error as Error).message})`, ...(missing ? { missing } : {}) };
  }
  const newline = bytes.indexOf(10);
  if (newline < 0) return { ok: false, error: 'no checksum line' };
  const body = bytes.subarray(newline + 1);
  const checksum = bytes.toString('latin1', 0, newline);
  if (createHash('sha256').update(body).digest('hex') !== checksum) {
    return { ok: false, error: 'checksum does not match (damaged or edited)' };
  }
  return { ok: true, body: isAscii(body) ? body.toString('latin1') : body.toString('utf8'), checksum };
}

/** A stamp file (checksum line, JSON) of this version, when it reads back whole. */
function readStamp(file: string, version: string): Stamp | undefined {
  const read = readChecksummed(file);
  if (!read.ok) return undefined;
  try {
    const v = JSON.parse(read.body) as Partial<Stamp>;
    const ok =
      v.format === 1 &&
      v.version === version &&
      typeof v.key === 'string' &&
      /^[0-9a-f]{64}$/.test(v.key) &&
      typeof v.taken === 'number' &&
      Array.isArray(v.stats) &&
      v.stats.every((x) => Array.isArray(x) && x.every((n) => typeof n === 'number'));
    return ok ? (v as Stamp) : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps the MAX_ENTRIES most recent stamps (one per listing of rule files). */
function pruneStamps(folder: string, keep: string): void {
  const stamps = readdirSync(folder)
    .map((name) => path.join(folder, name))
    .filter((full) => full !== keep)
    .map((full) => ({ full, mtime: statSync(full, { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { full } of stamps.slice(MAX_ENTRIES - 1)) {
    try {
      unlinkSync(full);
    } catch {
      // Removed by another run.
    }
  }
}

/** A compile record file (checksum line, JSON) of these options, when it reads back whole, and its checksum. */
function readRecordFile(file: string, fingerprint: string): { record: CompileRecord; checksum: string } | undefined {
  const read = readChecksummed(file);
  if (!read.ok) return undefined;
  try {
    const record = JSON.parse(read.body) as unknown;
    return isRecord(record) && record.options === fingerprint ? { record, checksum: read.checksum } : undefined;
  } catch {
    return undefined;
  }
}

/** A record's JSON: without its automata (kept in their own file, {@link automataFileBytes}). */
function recordJson(record: CompileRecord): string {
  const { automata: _, ...json } = record;
  return JSON.stringify(json);
}

/** The prefilter automata of a compile record's file: beside it, removed with it. */
function automataFile(recordFile: string): string {
  return recordFile.replace(/\.record$/, '.automata');
}

/** Layout of an automata file ({@link automataFileBytes}); a file of another is not read. */
const AUTOMATA_FORMAT = 1;
/** Bytes before the index: the index's SHA-256 (hex), then its length (32 bits, little-endian). */
const AUTOMATA_PREAMBLE = 68;
/** Images start at multiples of this: the typed arrays inside them are read as views, not copied. */
const AUTOMATA_ALIGN = 8;

interface AutomataIndex {
  format: number;
  /** The images' layout (prefilter.ts): a file of images of another is refused, and so written again. */
  images_format: number;
  /** The checksum line of the record they were kept with: automata of another record are not read. */
  record: string;
  /** Per image: the digest of its literals, its offset (from the first aligned byte after the index) and length, its SHA-256 (hex). */
  images: [string, number, number, string][];
}

/**
 * An automata file: the SHA-256 of its index, the index's length, the index (JSON), then each image at an aligned
 * offset. The index names the record's checksum and each image's own SHA-256, so that a run checks only the images it
 * uses (a few MB for the whole SigmaHQ Windows corpus, of which a run reads a part).
 */
function automataFileBytes(recordChecksum: string, images: readonly AutomatonImage[]): Uint8Array {
  const entries: AutomataIndex['images'] = [];
  let at = 0;
  let end = 0;
  for (const { digest, image } of images) {
    entries.push([digest, at, image.byteLength, createHash('sha256').update(image).digest('hex')]);
    end = at + image.byteLength;
    at = alignUp(end);
  }
  const index = Buffer.from(
    JSON.stringify({
      format: AUTOMATA_FORMAT,
      images_format: AUTOMATON_IMAGE_FORMAT,
      record: recordChecksum,
      images: entries,
    } satisfies AutomataIndex),
    'latin1',
  );
  const base = alignUp(AUTOMATA_PREAMBLE + index.length);
  // The file ends with the last image (no padding after it).
  const out = Buffer.alloc(base + end);
  out.write(createHash('sha256').update(index).digest('hex'), 0, 'latin1');
  out.writeUInt32LE(index.length, 64);
  index.copy(out, AUTOMATA_PREAMBLE);
  images.forEach(({ image }, i) => {
    out.set(image, base + (entries[i] as AutomataIndex['images'][number])[1]);
  });
  return out;
}

const alignUp = (n: number) => Math.ceil(n / AUTOMATA_ALIGN) * AUTOMATA_ALIGN;

/**
 * The automata of the record whose checksum line is `recordChecksum`, as a store, when the file is there and its index
 * reads back whole; each image's SHA-256 is checked the first time it is asked for (an image that fails is not given
 * out: its list builds that automaton). `whole` (replay's cache): the store holds the file's bytes for the run and the
 * images are views of them. `by-offset` (a function's bundle): only the preamble and the index are read now, and each
 * image is read from the file when first asked for, into its own buffer: a cold start reads no image before its
 * first event, and a function holds only the images its lists use (an OTRF run uses 4.1 of the corpus's 5.8 MB).
 */
function readAutomataFile(
  file: string,
  recordChecksum: string,
  read: 'whole' | 'by-offset' = 'whole',
): AutomatonStore | undefined {
  let bytes: Buffer;
  let size: number;
  try {
    if (read === 'whole') {
      bytes = readFileSync(file);
      size = bytes.length;
    } else {
      const head = readHead(file);
      if (head === undefined) return undefined;
      [bytes, size] = head;
    }
  } catch {
    return undefined;
  }
  if (bytes.length < AUTOMATA_PREAMBLE) return undefined;
  const length = bytes.readUInt32LE(64);
  if (AUTOMATA_PREAMBLE + length > bytes.length) return undefined;
  const indexBytes = bytes.subarray(AUTOMATA_PREAMBLE, AUTOMATA_PREAMBLE + length);
  if (createHash('sha256').update(indexBytes).digest('hex') !== bytes.toString('latin1', 0, 64)) return undefined;
  let index: AutomataIndex;
  try {
    index = JSON.parse(indexBytes.toString('latin1')) as AutomataIndex;
  } catch {
    return undefined;
  }
  if (
    index.format !== AUTOMATA_FORMAT ||
    index.images_format !== AUTOMATON_IMAGE_FORMAT ||
    index.record !== recordChecksum ||
    !Array.isArray(index.images)
  ) {
    return undefined;
  }
  const base = alignUp(AUTOMATA_PREAMBLE + length);
  const where = new Map<string, { offset: number; length: number; sha: string; checked?: Uint8Array | null }>();
  for (const entry of index.images) {
    if (!Array.isArray(entry) || entry.length !== 4) return undefined;
    const [digest, offset, image, sha] = entry;
    if (typeof digest !== 'string' || typeof sha !== 'string') return undefined;
    if (!Number.isInteger(offset) || !Number.isInteger(image) || offset < 0 || image < 0) return undefined;
    if (base + offset + image > size) return undefined;
    where.set(digest, { offset: base + offset, length: image, sha });
  }
  const whole = read === 'whole' ? bytes : undefined;
  return {
    get(digest) {
      const at = where.get(digest);
      if (at === undefined) return undefined;
      if (at.checked === undefined) {
        const image = whole ? whole.subarray(at.offset, at.offset + at.length) : readImage(file, at.offset, at.length);
        at.checked = image !== undefined && createHash('sha256').update(image).digest('hex') === at.sha ? image : null;
      }
      return at.checked ?? undefined;
    },
  };
}

/**
 * The first bytes of an automata file (the preamble, then as much as its index needs) and the file's size;
 * undefined when it is shorter than its preamble says.
 */
function readHead(file: string): [Buffer, number] | undefined {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const preamble = Buffer.alloc(AUTOMATA_PREAMBLE);
    if (readSync(fd, preamble, 0, AUTOMATA_PREAMBLE, 0) !== AUTOMATA_PREAMBLE) return undefined;
    const length = preamble.readUInt32LE(64);
    if (AUTOMATA_PREAMBLE + length > size) return undefined;
    const head = Buffer.alloc(AUTOMATA_PREAMBLE + length);
    preamble.copy(head);
    if (readSync(fd, head, AUTOMATA_PREAMBLE, length, AUTOMATA_PREAMBLE) !== length) return undefined;
    return [head, size];
  } finally {
    closeSync(fd);
  }
}

/**
 * One image read from its file, into a buffer of its own (offset 0 of its ArrayBuffer: aligned, so its typed arrays
 * are views, prefilter.ts decodeShared); undefined when it cannot be read whole (its list then builds it).
 */
function readImage(file: string, offset: number, length: number): Uint8Array | undefined {
  try {
    const fd = openSync(file, 'r');
    try {
      const image = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, image, done, length - done, offset + done);
        if (n === 0) return undefined;
        done += n;
      }
      return image;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** A compile record's file: the entry's name, the options' hash. Removed with its entry (prune). */
function recordFile(entryFile: string, fingerprint: string): string {
  const options = createHash('sha256').update(fingerprint).digest('hex').slice(0, 16);
  return `${entryFile.replace(/\.json$/, '')}.${options}.record`;
}

const isProblem = (v: unknown): boolean =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as { file?: unknown }).file === 'string' &&
  typeof (v as { reason?: unknown }).reason === 'string';

/** Loops rather than `every` with closures: this runs for each of some 2,400 rules at every cold start, interpreted. */
function isRecordedRule(v: unknown): v is RecordedRule {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  if (typeof r.file !== 'string') return false;
  if (r.line !== undefined && typeof r.line !== 'number') return false;
  if (r.error !== undefined && typeof r.error !== 'string') return false;
  if (r.live !== undefined && r.live !== true) return false;
  const problems = r.filterProblems;
  if (problems !== undefined) {
    if (!Array.isArray(problems)) return false;
    for (const problem of problems) if (!isProblem(problem)) return false;
  }
  const needles = r.needles;
  if (needles !== undefined) {
    if (!Array.isArray(needles)) return false;
    for (const n of needles) if (n !== null && typeof n !== 'string') return false;
  }
  const eventIds = r.eventIds;
  if (eventIds === undefined) return r.error !== undefined;
  if (!Array.isArray(eventIds)) return false;
  for (const ids of eventIds) {
    if (ids === null) continue;
    if (!Array.isArray(ids)) return false;
    for (const id of ids) if (!Number.isInteger(id)) return false;
  }
  return true;
}

function isRecord(v: unknown): v is CompileRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    r.format === RECORD_FORMAT &&
    typeof r.options === 'string' &&
    Array.isArray(r.fields) &&
    r.fields.every((name) => typeof name === 'string') &&
    Array.isArray(r.rules) &&
    r.rules.every(isRecordedRule)
  );
}

/**
 * An entry's text: the SHA-256 of its body on the first line, then the body (parsed-rules-json.ts). The checksum
 * catches what a decode of the right shape would not: an entry edited or damaged into other valid rules.
 */
function writeEntry(sources: readonly ParsedRuleSource[], key: string): string {
  return checksummed(encodeParsedRules(sources, key));
}

/** The parsed rule files in a function's bundle, beside the rule folders (infra/constructs/rule-bundle.ts). */
export const PARSED_RULES_FILE = 'parsed-rules.json';
/**
 * The key of a bundled entry. Synth writes it from the very files it copies beside it, so no content hash is needed
 * at cold start (it would mean reading every file); the file names are checked instead, and the body's checksum.
 */
const BUNDLE_KEY = 'bundle';

/** The record of the bundle's full compile at synth, beside PARSED_RULES_FILE (see {@link RuleCache.readRecord}). */
export const COMPILE_RECORD_FILE = 'compile-record.json';

/** Writes the record of a full compile of a rule bundle's files (named relative to the bundle's rules folder). */
export function writeBundledRecord(file: string, record: CompileRecord): void {
  writeFileSync(file, checksummed(recordJson(record)));
}

/**
 * The prefilter automata of a bundle's compile record, beside COMPILE_RECORD_FILE: read by {@link readBundledRecord}
 * when present (a bundle without it builds each list's automata on the list's first event, as before).
 */
export const BUNDLED_AUTOMATA_FILE = 'prefilter-automata.bin';

/**
 * Writes the prefilter automata of `record` (the record of a full compile, as {@link writeBundledRecord} writes it;
 * every list's automaton is built now) to `file`, tied to that record's checksum: copied into a bundle as
 * BUNDLED_AUTOMATA_FILE beside the record's COMPILE_RECORD_FILE, a cold start reads them instead of building them.
 * Nothing is written for a record without automata (a compile with live IOC containers records none).
 */
export function writeBundledAutomata(file: string, record: CompileRecord): boolean {
  const images = record.automata?.images?.();
  if (images === undefined) return false;
  const text = checksummed(recordJson(record));
  writeFileSync(file, automataFileBytes(text.slice(0, text.indexOf('\n')), images));
  return true;
}

/**
 * The bundled compile record of `folder` for the options of `fingerprint`, its file names as
 * {@link readBundledParsedRules} names the files; undefined when absent, damaged or of other options (the cold
 * start then compiles every rule: slower, the same rules).
 */
export function readBundledRecord(folder: string, fingerprint: string): CompileRecord | undefined {
  const read = readRecordFile(path.join(folder, COMPILE_RECORD_FILE), fingerprint);
  if (read === undefined) return undefined;
  const record = read.record;
  // Automata are optional in a bundle: without them (or when they are not of this record) lists build their own.
  // Read by offset: the cold start reads only the index, each image on its list's first event.
  const store = readAutomataFile(path.join(folder, BUNDLED_AUTOMATA_FILE), read.checksum, 'by-offset');
  if (store !== undefined) record.automata = { store };
  // The record was just parsed from the file: its objects are this call's own, renamed in place.
  const under = joinUnder(folder);
  for (const rule of record.rules) {
    rule.file = under(rule.file);
    for (const problem of rule.filterProblems ?? []) problem.file = under(problem.file);
  }
  return record;
}

/**
 * `(file) => path.join(folder, file)`, without normalising each name again when it needs none: a bundle names
 * thousands of files relative to its folder (`windows/process_creation/x.yml`), and path.join's normalisation of
 * every one was 15-25 ms of a cold start. A name that is plain (relative, no `.`/`..` or empty segment, no trailing
 * separator) is the folder's joined prefix and the name; any other name goes through path.join.
 */
export function joinUnder(folder: string): (file: string) => string {
  if (path.sep !== '/') return (file) => path.join(folder, file);
  // path.join's own normalised form of the folder, with its separator ('' for '.', '/' for the root).
  const prefix = path.join(folder, 'x').slice(0, -1);
  return (file) => (PLAIN_NAME.test(file) ? prefix + file : path.join(folder, file));
}

/** Relative, one or more non-empty segments, none of them `.` or `..`, no trailing `/`. */
const PLAIN_NAME = /^(?!\.\.?(?:\/|$))[^/]+(?:\/(?!\.\.?(?:\/|$))[^/]+)*$/;

/** Writes the parsed form of a rule bundle's files, named relative to the bundle's rules folder. */
export function writeBundledParsedRules(file: string, sources: readonly ParsedRuleSource[]): void {
  writeFileSync(file, writeEntry(sources, BUNDLE_KEY));
}

/**
 * The build's proof, beside PARSED_RULES_FILE, that the bundle's rules folder holds exactly the rule files
 * PARSED_RULES_FILE names: written by {@link proveBundledListing} (run on the bundle's output by the afterBundling
 * step of infra/constructs/rule-bundle.ts) only after that check held, and tied to that very PARSED_RULES_FILE by
 * its checksum line. A deployment package cannot change after it is built, so its cold start need not list the
 * folder again (about 2,400 files in 40 folders for the SigmaHQ Windows corpus).
 */
export const LISTING_PROOF_FILE = 'listing-proof.json';

interface ListingProof {
  format: 1;
  /** The checksum line of the PARSED_RULES_FILE the listing was checked against. */
  parsedRules: string;
  /** How many rule files the folder held. */
  files: number;
}

function readListingProof(folder: string): ListingProof | undefined {
  try {
    const v = JSON.parse(readFileSync(path.join(folder, LISTING_PROOF_FILE), 'latin1')) as Partial<ListingProof>;
    return v.format === 1 && typeof v.parsedRules === 'string' && typeof v.files === 'number'
      ? (v as ListingProof)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The bundled parsed rule files of `folder`, named as reading the folder names them and in the same order, when
 * PARSED_RULES_FILE is there, reads back (its checksum holds), and names exactly the rule files in the folder;
 * otherwise why not (the caller then reads the YAML: slower, never wrong). The folder is listed to check the names
 * unless a {@link LISTING_PROOF_FILE} of this very PARSED_RULES_FILE (same checksum line, same number of files)
 * says the build checked them on this folder; `listing: 'always'` lists even then.
 */
export async function readBundledParsedRules(
  folder: string,
  listing: 'unless-proven' | 'always' = 'unless-proven',
): Promise<{ ok: true; value: ParsedRuleSource[]; listed: boolean } | { ok: false; error: string }> {
  const read = readChecksummed(path.join(folder, PARSED_RULES_FILE));
  if (!read.ok) return { ok: false, error: `${PARSED_RULES_FILE}: ${read.error}` };
  const decoded = decodeParsedRules(read.body, BUNDLE_KEY);
  if (!decoded.ok) return { ok: false, error: `${PARSED_RULES_FILE}: ${decoded.error}` };
  // Decoded for this call alone: renamed in place.
  const under = joinUnder(folder);
  const sources = decoded.value;
  for (const source of sources) source.file = under(source.file);
  sources.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const proof = listing === 'always' ? undefined : readListingProof(folder);
  if (proof?.parsedRules === read.checksum && proof.files === sources.length) {
    return { ok: true, value: sources, listed: false };
  }
  const files = await listRuleFiles([folder]);
  if (files.length !== sources.length || files.some((file, i) => sources[i]?.file !== file)) {
    return { ok: false, error: `${PARSED_RULES_FILE} names other files than the folder holds` };
  }
  return { ok: true, value: sources, listed: true };
}

/**
 * Checks, by listing `folder` as the cold start would, that its PARSED_RULES_FILE names exactly its rule files,
 * and only then writes the {@link LISTING_PROOF_FILE} that lets the cold start skip that listing. For a folder that
 * cannot change afterwards (a function's deployment package); a folder that can (dev's, the CLI's) must not have
 * one. Returns why not when the check fails, and writes nothing then (an earlier proof is removed).
 */
export async function proveBundledListing(
  folder: string,
): Promise<{ ok: true; files: number } | { ok: false; error: string }> {
  const file = path.join(folder, LISTING_PROOF_FILE);
  rmSync(file, { force: true });
  const read = readChecksummed(path.join(folder, PARSED_RULES_FILE));
  const checked = await readBundledParsedRules(folder, 'always');
  if (!read.ok || !checked.ok) return { ok: false, error: checked.ok ? `${PARSED_RULES_FILE} changed` : checked.error };
  const proof: ListingProof = { format: 1, parsedRules: read.checksum, files: checked.value.length };
  writeFileSync(file, `${JSON.stringify(proof)}\n`);
  return { ok: true, files: proof.files };
}

/** Removes all but the MAX_ENTRIES most recently written entries (and partial files left by a killed run). */
function prune(folder: string, keep: string): void {
  const entries = readdirSync(folder)
    .filter((name) => name.endsWith('.json') || name.endsWith('.partial'))
    .map((name) => {
      const full = path.join(folder, name);
      return { full, mtime: statSync(full, { throwIfNoEntry: false })?.mtimeMs ?? 0 };
    })
    .filter((entry) => entry.full !== keep)
    .sort((a, b) => b.mtime - a.mtime);
  const removed = entries.slice(MAX_ENTRIES - 1).map((entry) => entry.full);
  // An entry's compile records go with it.
  for (const stem of removed.filter((f) => f.endsWith('.json')).map((f) => path.basename(f, '.json'))) {
    for (const name of readdirSync(folder)) {
      if (name.startsWith(`${stem}.`) && (name.endsWith('.record') || name.endsWith('.automata'))) {
        removed.push(path.join(folder, name));
      }
    }
  }
  for (const full of removed) {
    try {
      unlinkSync(full);
    } catch {
      // Another run removed it first: the goal is reached either way.
    }
  }
}

/** The cache folder the environment names, or undefined when HOOKSTREAM_NO_CACHE turns the cache off. */
export function ruleCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.HOOKSTREAM_NO_CACHE && env.HOOKSTREAM_NO_CACHE !== '0') return undefined;
  if (env.HOOKSTREAM_CACHE_DIR) return env.HOOKSTREAM_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, 'hookstream');
  return path.join(homedir(), '.cache', 'hookstream');
}

/** The cache of the environment's folder ({@link ruleCacheDir}), or undefined when it is turned off. */
export function defaultRuleCache(env: NodeJS.ProcessEnv = process.env): RuleCache | undefined {
  const dir = ruleCacheDir(env);
  return dir === undefined ? undefined : new RuleCache(dir);
}

let version: string | undefined;

/**
 * hookstream's package.json version. Looked up from this module's folder upwards, because the module runs from
 * node-io/ (sources) and from a chunk of dist/ (the built CLI). "unknown" when not found: the key still holds
 * the files' content and the format.
 */
export function hookstreamVersion(): string {
  if (version !== undefined) return version;
  version = 'unknown';
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
        if (pkg.name === 'hookstream' && typeof pkg.version === 'string') {
          version = pkg.version;
          break;
        }
      } catch {
        // Not ours or not JSON: keep looking upwards.
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return version;
}
