import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  BUNDLED_AUTOMATA_FILE,
  COMPILE_RECORD_FILE,
  joinUnder,
  RuleCache,
  readBundledRecord,
  ruleCacheDir,
  ruleCacheKey,
  writeBundledAutomata,
  writeBundledRecord,
} from '../../../node-io/rule-cache.js';
import { compileParsedRules, optionsFingerprint, type RuleSource } from '../../../src/detection/index.js';
import { encodeParsedRules } from '../../../src/detection/parsed-rules-json.js';
import { processRule, sysmonEvent } from '../../helpers/sigma-rules.js';

const rule = (ending: string): RuleSource => ({
  file: 'rules/r.yml',
  text: processRule(`selection:\n    Image|endswith: '${ending}'\ncondition: selection`),
});

describe('RuleCache', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hookstream-rule-cache-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const entries = () => readdirSync(path.join(dir, 'rules'));

  it('misses, writes one entry, then hits with the same parsed rules', async () => {
    const cache = new RuleCache(dir, '1.0.0');
    const first = await cache.parse([rule('\\evil.exe')]);
    const second = await cache.parse([rule('\\evil.exe')]);
    expect(first.outcome.status).toBe('miss');
    expect(second.outcome).toEqual({ status: 'hit', file: first.outcome.file });
    // Compared as written: read back, a rule's detection is a LazyYamlMap (parsed-rules-json.ts), not a Map.
    expect(encodeParsedRules(second.sources, 'k')).toBe(encodeParsedRules(first.sources, 'k'));
    expect(entries()).toHaveLength(1);
    const matched = compileParsedRules(second.sources).ruleSet.match(sysmonEvent({ Image: 'C:\\evil.exe' }));
    expect(matched).toHaveLength(1);
  });

  it('writes entries as ASCII and reads non-ASCII rule text back the same', async () => {
    const cache = new RuleCache(dir, '1.0.0');
    const text = rule('\\évil-Ж-😀.exe');
    const first = await cache.parse([text]);
    const written = readFileSync(first.outcome.file);
    expect(written.every((byte) => byte < 0x80)).toBe(true);
    const second = await cache.parse([text]);
    expect(second.outcome.status).toBe('hit');
    expect(encodeParsedRules(second.sources, 'k')).toBe(encodeParsedRules(first.sources, 'k'));
    const event = sysmonEvent({ Image: 'C:\\évil-Ж-😀.exe' });
    expect(compileParsedRules(second.sources).ruleSet.match(event)).toHaveLength(1);
  });

  it('misses when a rule file changes, and reads the new text', async () => {
    const cache = new RuleCache(dir, '1.0.0');
    await cache.parse([rule('\\evil.exe')]);
    const changed = await cache.parse([rule('\\other.exe')]);
    expect(changed.outcome.status).toBe('miss');
    const ruleSet = compileParsedRules(changed.sources).ruleSet;
    expect(ruleSet.match(sysmonEvent({ Image: 'C:\\evil.exe' }))).toHaveLength(0);
    expect(ruleSet.match(sysmonEvent({ Image: 'C:\\other.exe' }))).toHaveLength(1);
  });

  it('misses when a file is renamed, added, or the version changes', async () => {
    const base = [rule('\\evil.exe')];
    const key = ruleCacheKey(base, '1.0.0');
    expect(ruleCacheKey([{ ...rule('\\evil.exe'), file: 'rules/s.yml' }], '1.0.0')).not.toBe(key);
    expect(ruleCacheKey([...base, { file: 'rules/t.yml', text: '' }], '1.0.0')).not.toBe(key);
    expect(ruleCacheKey(base, '1.0.1')).not.toBe(key);
    await new RuleCache(dir, '1.0.0').parse(base);
    expect((await new RuleCache(dir, '1.0.1').parse(base)).outcome.status).toBe('miss');
  });

  it.each([
    ['truncated', (text: string) => text.slice(0, text.length / 2)],
    ['not JSON at all', () => '\u0000\u0001garbage'],
    ['edited into other rules', (text: string) => text.replaceAll('evil.exe', 'good.exe')],
    ['empty', () => ''],
  ])('ignores a corrupt entry (%s), parses again and rewrites it', async (_name, corrupt) => {
    const cache = new RuleCache(dir, '1.0.0');
    const { outcome } = await cache.parse([rule('\\evil.exe')]);
    writeFileSync(outcome.file, corrupt(readFileSync(outcome.file, 'utf8')));

    const again = await cache.parse([rule('\\evil.exe')]);

    expect(again.outcome.status).toBe('rebuilt');
    expect(again.outcome.reason).toEqual(expect.any(String));
    expect(compileParsedRules(again.sources).ruleSet.match(sysmonEvent({ Image: 'C:\\evil.exe' }))).toHaveLength(1);
    expect((await cache.parse([rule('\\evil.exe')])).outcome.status).toBe('hit');
  });

  it('still parses when the folder cannot be written, and says why', async () => {
    const blocked = path.join(dir, 'file');
    writeFileSync(blocked, 'not a folder');
    const result = await new RuleCache(blocked, '1.0.0').parse([rule('\\evil.exe')]);
    expect(result.outcome.writeError).toEqual(expect.any(String));
    expect(compileParsedRules(result.sources).compiled).toBe(1);
  });

  it('keeps a bounded number of entries', async () => {
    const cache = new RuleCache(dir, '1.0.0');
    for (let i = 0; i < 12; i++) await cache.parse([rule(`\\evil${i}.exe`)]);
    expect(entries().length).toBeLessThanOrEqual(8);
  });

  it('keeps a compile record beside its entry, for its options only, and removes it with the entry', async () => {
    const cache = new RuleCache(dir, '1.0.0');
    const { sources, outcome } = await cache.parse([rule('\\evil.exe')]);
    const full = compileParsedRules(sources);
    if (!full.record) throw new Error('no record');
    expect(cache.readRecord(outcome.file, full.record.options)).toBeUndefined();
    expect(cache.writeRecord(outcome.file, full.record)).toBeUndefined();
    const { automata: _, ...recorded } = full.record;
    expect(cache.readRecord(outcome.file, full.record.options)).toEqual({ ...recorded, automata: expect.anything() });
    expect(cache.readRecord(outcome.file, optionsFingerprint({ minLevel: 'high' }))).toBeUndefined();
    const deferred = compileParsedRules(sources, {}, { record: full.record });
    expect(deferred.ruleSet.match(sysmonEvent({ Image: 'C:\\evil.exe' }))).toHaveLength(1);
    for (let i = 0; i < 12; i++) await cache.parse([rule(`\\evil${i}.exe`)]);
    expect(entries().filter((name) => name.endsWith('.record') || name.endsWith('.automata'))).toEqual([]);
  });

  describe('prefilter automata kept with the record', () => {
    const event = sysmonEvent({ Image: 'C:\\x\\evil.exe', CommandLine: 'x -EncodedCommand y' });
    const ruleWith = (image: string): RuleSource => ({
      file: 'rules/r.yml',
      text: processRule(
        `selection:\n    Image|endswith: '${image}'\n    CommandLine|contains:\n      - '-encodedcommand'\n      - 'sekurlsa'\ncondition: selection`,
      ),
    });
    const automataFiles = () => entries().filter((n) => n.endsWith('.automata'));
    const written = async () => {
      const cache = new RuleCache(dir, '1.0.0');
      const { sources, outcome } = await cache.parse([ruleWith('\\evil.exe')]);
      const full = compileParsedRules(sources);
      if (!full.record) throw new Error('no record');
      expect(cache.writeRecord(outcome.file, full.record)).toBeUndefined();
      return { cache, sources, outcome, full, record: full.record };
    };

    it('writes them beside the record; a compile with the record read back loads them and matches the same', async () => {
      const { cache, sources, outcome, full, record } = await written();
      expect(automataFiles()).toHaveLength(1);
      const read = cache.readRecord(outcome.file, record.options);
      expect(read?.automata?.store).toBeDefined();
      const deferred = compileParsedRules(sources, {}, { record: read as NonNullable<typeof read> });
      const matched = deferred.ruleSet.match(event);
      expect(matched.map((m) => m.rule.id)).toEqual(full.ruleSet.match(event).map((m) => m.rule.id));
      expect(matched).toHaveLength(1);
      expect([deferred.ruleSet.automata.loaded, deferred.ruleSet.automata.built]).toEqual([2, 0]);
    });

    it('refuses the record when its automata are missing (an older cache): the next compile is full and keeps both', async () => {
      const { cache, outcome, record } = await written();
      for (const name of automataFiles()) unlinkSync(path.join(dir, 'rules', name));
      expect(cache.readRecord(outcome.file, record.options)).toBeUndefined();
    });

    it.each([
      ['its index damaged', (bytes: Buffer) => bytes.fill(0x30, 70, 80)],
      ['truncated before its index ends', (bytes: Buffer) => bytes.subarray(0, 90)],
      ['of another record', (bytes: Buffer) => bytes],
    ])('refuses the record when its automata file is %s', async (name, damage) => {
      const { cache, outcome, record } = await written();
      const file = path.join(dir, 'rules', automataFiles()[0] as string);
      const bytes = damage(readFileSync(file));
      if (name.startsWith('of another')) {
        // The record written again with other content: the automata file still names the first one.
        const other = { ...record, rules: record.rules.map((r) => ({ ...r })) };
        const recordName = entries().find((n) => n.endsWith('.record')) as string;
        const recordPath = path.join(dir, 'rules', recordName);
        const automata = readFileSync(file);
        expect(cache.writeRecord(outcome.file, { ...other, fields: [...other.fields, 'Extra'] })).toBeUndefined();
        writeFileSync(file, automata);
        expect(readFileSync(recordPath, 'utf8')).toContain('Extra');
      } else writeFileSync(file, bytes);
      expect(cache.readRecord(outcome.file, record.options)).toBeUndefined();
    });

    it('in a bundle: read with the bundled record when written beside it for that record, else left out', async () => {
      const { sources, record } = await written();
      const folder = path.join(dir, 'bundle');
      mkdirSync(folder);
      writeBundledRecord(path.join(folder, COMPILE_RECORD_FILE), record);
      expect(readBundledRecord(folder, record.options)?.automata).toBeUndefined();
      expect(writeBundledAutomata(path.join(folder, BUNDLED_AUTOMATA_FILE), record)).toBe(true);
      const read = readBundledRecord(folder, record.options);
      expect(read?.automata?.store).toBeDefined();
      // The bundled record names its files under the folder, as the bundled parsed rules do.
      const bundled = sources.map((source) => ({ ...source, file: path.join(folder, source.file) }));
      const deferred = compileParsedRules(bundled, {}, { record: read as NonNullable<typeof read> });
      expect(deferred.ruleSet.match(event)).toHaveLength(1);
      expect([deferred.ruleSet.automata.loaded, deferred.ruleSet.automata.built]).toEqual([2, 0]);
      // The record written again with other content: the automata no longer are its own.
      writeBundledRecord(path.join(folder, COMPILE_RECORD_FILE), { ...record, fields: [...record.fields, 'Extra'] });
      expect(readBundledRecord(folder, record.options)?.automata).toBeUndefined();
    });

    it.each([
      [
        'its last image damaged',
        (bytes: Buffer) => {
          bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
          return bytes;
        },
      ],
      ['cut short inside its last image', (bytes: Buffer) => bytes.subarray(0, bytes.length - 1)],
    ])(
      'in a bundle, read by offset: with %s, reads the index now and the images on first use',
      async (what, damage) => {
        const { sources, full, record } = await written();
        const folder = path.join(dir, 'bundle');
        mkdirSync(folder);
        writeBundledRecord(path.join(folder, COMPILE_RECORD_FILE), record);
        const automata = path.join(folder, BUNDLED_AUTOMATA_FILE);
        expect(writeBundledAutomata(automata, record)).toBe(true);
        const bundled = sources.map((source) => ({ ...source, file: path.join(folder, source.file) }));
        // Whole: both automata read back, the same matches.
        const whole = readBundledRecord(folder, record.options);
        const deferred = compileParsedRules(bundled, {}, { record: whole as NonNullable<typeof whole> });
        expect(deferred.ruleSet.match(event).map((m) => m.rule.id)).toEqual(
          full.ruleSet.match(event).map((m) => m.rule.id),
        );
        expect([deferred.ruleSet.automata.loaded, deferred.ruleSet.automata.built]).toEqual([2, 0]);
        // Damaged after the record was read: the images are read on first use, so the damage is seen then, and the
        // one damaged image is built instead (a cut-short file fails its index check here, at the index's read, only
        // when the index itself is cut: this cut is past it).
        const read = readBundledRecord(folder, record.options);
        expect(read?.automata?.store).toBeDefined();
        writeFileSync(automata, damage(readFileSync(automata)));
        const late = compileParsedRules(bundled, {}, { record: read as NonNullable<typeof read> });
        expect(late.ruleSet.match(event).map((m) => m.rule.id)).toEqual(
          full.ruleSet.match(event).map((m) => m.rule.id),
        );
        expect([late.ruleSet.automata.loaded, late.ruleSet.automata.built]).toEqual([1, 1]);
        // Read again after the damage: a cut-short file's last image now lies past its end (the index is refused).
        const again = readBundledRecord(folder, record.options);
        expect(again?.automata === undefined).toBe(what.startsWith('cut short'));
      },
    );

    it('builds an automaton whose image is damaged, and still matches the same', async () => {
      const { cache, sources, outcome, full, record } = await written();
      const file = path.join(dir, 'rules', automataFiles()[0] as string);
      const bytes = readFileSync(file);
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
      writeFileSync(file, bytes);
      const read = cache.readRecord(outcome.file, record.options);
      if (!read) throw new Error('record refused');
      const deferred = compileParsedRules(sources, {}, { record: read });
      expect(deferred.ruleSet.match(event).map((m) => m.rule.id)).toEqual(
        full.ruleSet.match(event).map((m) => m.rule.id),
      );
      expect(deferred.ruleSet.automata.built).toBe(1);
      expect(deferred.ruleSet.automata.loaded).toBe(1);
    });
  });

  it.each([
    ['truncated', (text: string) => text.slice(0, text.length - 3)],
    ['edited', (text: string) => text.replace('"rules":[', '"rules":[{"file":"x","error":"e"},')],
    ['of another shape, checksum mended', (text: string) => text],
  ])('ignores a damaged compile record (%s)', async (name, damage) => {
    const cache = new RuleCache(dir, '1.0.0');
    const { sources, outcome } = await cache.parse([rule('\\evil.exe')]);
    const record = compileParsedRules(sources).record;
    if (!record) throw new Error('no record');
    const bad = name.startsWith('of another') ? { ...record, rules: [{ file: 1 }] } : record;
    cache.writeRecord(outcome.file, bad as typeof record);
    const [file] = entries().filter((n) => n.endsWith('.record'));
    const full = path.join(dir, 'rules', file as string);
    writeFileSync(full, damage(readFileSync(full, 'utf8')));
    expect(cache.readRecord(outcome.file, record.options)).toBeUndefined();
  });

  describe('load (files read only when no stamp vouches for them)', () => {
    let rules: string;
    const file = (name: string) => path.join(rules, name);
    beforeEach(() => {
      rules = path.join(dir, 'corpus');
      mkdirSync(rules);
      writeFileSync(file('a.yml'), rule('\\evil.exe').text);
      writeFileSync(file('b.yml'), rule('\\other.exe').text);
    });
    const evil = sysmonEvent({ Image: 'C:\\evil.exe' });
    const matches = (sources: Parameters<typeof compileParsedRules>[0]) =>
      compileParsedRules(sources).ruleSet.match(evil).length;
    // Files written just now have times within any margin of a stamp taken now: a negative margin lets the test
    // stamp them (the stat comparison is what is under test); it waits past the clock's granularity before a change.
    const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

    it('hits without reading the files once stamped, and reads them again when one changes', async () => {
      const cache = new RuleCache(dir, '1.0.0', -60_000);
      const first = await cache.load([rules]);
      expect(first.outcome.status).toBe('miss');
      const second = await cache.load([rules]);
      expect(second.outcome).toEqual({ status: 'hit', file: first.outcome.file, stamped: true });
      expect(encodeParsedRules(second.sources, 'k')).toBe(encodeParsedRules(first.sources, 'k'));
      expect(matches(second.sources)).toBe(1);
      // Same size, modification time put back: the change time still moves, so the file is read and hashed again.
      await settle();
      const { mtime } = statSync(file('a.yml'));
      writeFileSync(file('a.yml'), rule('\\evil.exf').text);
      utimesSync(file('a.yml'), mtime, mtime);
      const changed = await cache.load([rules]);
      expect(changed.outcome.status).toBe('miss');
      expect(changed.outcome.stamped).toBeUndefined();
      expect(matches(changed.sources)).toBe(0);
      // And stamped again: the next load is a stamped hit on the new entry.
      expect((await cache.load([rules])).outcome).toEqual({ status: 'hit', file: changed.outcome.file, stamped: true });
    });

    it('reads the files when one was added or removed, or when the stamp is damaged', async () => {
      const cache = new RuleCache(dir, '1.0.0', -60_000);
      await cache.load([rules]);
      writeFileSync(file('c.yml'), rule('\\third.exe').text);
      const added = await cache.load([rules]);
      expect(added.outcome.status).toBe('miss');
      expect(added.sources).toHaveLength(3);
      rmSync(file('c.yml'));
      expect((await cache.load([rules])).outcome).toEqual(expect.objectContaining({ status: 'hit', stamped: true }));
      const stamps = path.join(dir, 'rule-stamps');
      for (const name of readdirSync(stamps)) writeFileSync(path.join(stamps, name), 'x\n{}');
      const damaged = await cache.load([rules]);
      expect(damaged.outcome.status).toBe('hit');
      expect(damaged.outcome.stamped).toBeUndefined();
    });

    it('does not trust a stamp for files changed within the margin before it was taken', async () => {
      const cache = new RuleCache(dir, '1.0.0');
      await cache.load([rules]);
      const again = await cache.load([rules]);
      expect(again.outcome.status).toBe('hit');
      expect(again.outcome.stamped).toBeUndefined();
    });
  });
});

describe('ruleCacheDir', () => {
  it.each([
    [{ HOOKSTREAM_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' }, '/c'],
    [{ XDG_CACHE_HOME: '/x' }, '/x/hookstream'],
    [{ HOOKSTREAM_NO_CACHE: '1', HOOKSTREAM_CACHE_DIR: '/c' }, undefined],
  ])('%j -> %s', (env, expected) => {
    expect(ruleCacheDir(env)).toBe(expected);
  });

  it('defaults to ~/.cache/hookstream', () => {
    expect(ruleCacheDir({ HOME: '/home/u' })).toMatch(/\.cache\/hookstream$/);
  });
});

describe('joinUnder', () => {
  const folders = ['/var/task/rules', '/var/task/rules/', '/', '.', 'rules', './rules/../rules', '/a//b', ''];
  const names = [
    'windows/process_creation/proc_creation_win_x.yml',
    'x.yml',
    '.hidden/x.yml',
    'a/.b/..c/x.yml',
    'a/./x.yml',
    'a/../x.yml',
    './x.yml',
    '../x.yml',
    '..',
    '.',
    'a//x.yml',
    'a/',
    '/abs/x.yml',
    '',
    'sp ace/ü/x.yml',
  ];
  it.each(folders.flatMap((folder) => names.map((name) => [folder, name])))(
    'joins %j and %j as path.join does',
    (folder, name) => {
      expect(joinUnder(folder)(name)).toBe(path.join(folder, name));
    },
  );
});
