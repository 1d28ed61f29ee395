/** The enrich cold start's rule loading: rule-options.json chooses the rules and whether invalid ones stop it. */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  formatRuleOptions,
  loadRules,
  parseRuleOptions,
  RULE_OPTIONS_FILE,
  RuleCompilationError,
  RuleOptionsError,
} from '../../../lambda/rules.js';
import { ruleCompileOptions } from '../../../node-io/load-rules.js';
import {
  COMPILE_RECORD_FILE,
  LISTING_PROOF_FILE,
  PARSED_RULES_FILE,
  proveBundledListing,
  readBundledParsedRules,
  writeBundledParsedRules,
  writeBundledRecord,
} from '../../../node-io/rule-cache.js';
import { type CompileResult, compileParsedRules, parseRuleSources } from '../../../src/detection/index.js';
import { ContainerSet } from '../../../src/ioc/container-set.js';
import { sysmonEvent } from '../../helpers/sigma-rules.js';

function rule(id: number, level: string, logsource = 'category: process_creation'): string {
  return [
    `title: rule ${id}`,
    `id: 00000000-0000-4000-8000-00000000000${id}`,
    'status: test',
    `level: ${level}`,
    `logsource: { product: windows, ${logsource} }`,
    "detection: { selection: { Image: 'x' }, condition: selection }",
  ].join('\n');
}

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hookstream-lambda-rules-'));
  await mkdir(path.join(dir, 'rules', 'core'), { recursive: true });
  await writeFile(path.join(dir, 'rules', 'core', 'high.yml'), rule(1, 'high'));
  await writeFile(path.join(dir, 'rules', 'core', 'low.yml'), rule(2, 'low'));
  await writeFile(path.join(dir, 'rules', 'core', 'bad.yml'), rule(3, 'high', 'service: no-such-service'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const options = (text: string) => writeFile(path.join(dir, 'rules', RULE_OPTIONS_FILE), text);

describe('loadRules', () => {
  it('without rule-options.json, refuses to start on a rule that does not compile, one line per rule', async () => {
    const error = await loadRules('rules', dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuleCompilationError);
    expect((error as Error).message.split('\n')).toEqual([
      `rule rejected: ${path.join(dir, 'rules/core/bad.yml')}: unknown logsource service: no-such-service`,
      '1 rule(s) do not compile; skipInvalidRules=true (stack context) loads the rest',
    ]);
  });

  it('with skipInvalidRules, loads the rest', async () => {
    await options(formatRuleOptions({ skipInvalidRules: true }));
    expect((await loadRules('rules', dir)).size).toBe(2);
  });

  it('with a selection, loads only the chosen rules', async () => {
    await options(formatRuleOptions({ selection: { minLevel: 'medium' }, skipInvalidRules: true }));
    expect((await loadRules('rules', dir)).size).toBe(1);
  });

  it.each([
    ['not json', /not JSON/],
    ['[]', /not an object/],
    ['{"skipInvalidRules": "yes"}', /skipInvalidRules is not true or false/],
    ['{"selection": {"minLevel": "urgent"}}', /min level: "urgent" is not one of/],
    ['{"selection": {"tags": ["a"]}}', /must be text/],
  ])('refuses to start on a malformed rule-options.json: %s', async (text, message) => {
    await options(text);
    await expect(loadRules('rules', dir)).rejects.toThrow(RuleOptionsError);
    expect(parseRuleOptions(text)).toEqual({ ok: false, error: expect.stringMatching(message) });
  });
});

describe('loadRules with the parsed form bundled at synth (parsed-rules.json)', () => {
  /** What synth writes: the folder's files parsed, named relative to the rules folder, here from other texts. */
  const bundle = (texts: Record<string, string>) =>
    writeBundledParsedRules(
      path.join(dir, 'rules', PARSED_RULES_FILE),
      parseRuleSources(Object.entries(texts).map(([file, text]) => ({ file, text }))),
    );
  const sameNames = {
    'core/bad.yml': rule(3, 'high'),
    'core/high.yml': rule(1, 'high'),
    'core/low.yml': rule(2, 'low'),
  };

  it('compiles the parsed form instead of the YAML when it names the same files', async () => {
    // Prepare: in the parsed form bad.yml is a valid rule, so only its use explains a start without error.
    bundle(sameNames);

    // Act, Assess: three rules, named as the folder names them.
    const rules = await loadRules('rules', dir);
    expect(rules.size).toBe(3);
  });

  it.each([
    ['names a file the folder does not hold', () => bundle({ ...sameNames, 'core/gone.yml': rule(4, 'high') })],
    [
      'misses a file the folder holds',
      () => bundle({ 'core/bad.yml': rule(3, 'high'), 'core/high.yml': rule(1, 'high') }),
    ],
    [
      'is damaged',
      async () => {
        bundle(sameNames);
        const file = path.join(dir, 'rules', PARSED_RULES_FILE);
        await writeFile(file, (await readFile(file, 'utf8')).replace('rule 1', 'rule 9'));
      },
    ],
  ])('reads the YAML when the parsed form %s', async (_name, prepare) => {
    await prepare();
    // The YAML's bad.yml does not compile: the error shows the YAML was read.
    await expect(loadRules('rules', dir)).rejects.toThrow(RuleCompilationError);
  });

  it('takes rejections from the bundled compile record, named as the folder names them', async () => {
    // Prepare: synth's record of the folder's texts (bad.yml fails before compiling: an unknown service), edited to
    // say high.yml did not compile: only the record's use, with its names rebased, can explain high.yml's rejection.
    const named = ['bad', 'high', 'low'].map((n) => `core/${n}.yml`);
    const texts = await Promise.all(named.map((f) => readFile(path.join(dir, 'rules', f), 'utf8')));
    const parsed = parseRuleSources(named.map((file, i) => ({ file, text: texts[i] as string })));
    writeBundledParsedRules(path.join(dir, 'rules', PARSED_RULES_FILE), parsed);
    const record = compileParsedRules(parsed, ruleCompileOptions({})).record as NonNullable<CompileResult['record']>;
    const edited = {
      ...record,
      rules: record.rules.map((r) => (r.file === 'core/high.yml' ? { file: r.file, error: 'from the record' } : r)),
    };
    writeBundledRecord(path.join(dir, 'rules', COMPILE_RECORD_FILE), edited);

    // Act, Assess: high.yml refused from the record; with other options (a record of other options is not used)
    // the selection's one rule, high.yml, loads and matches.
    const error = await loadRules('rules', dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuleCompilationError);
    expect((error as Error).message).toContain(`${path.join(dir, 'rules/core/high.yml')}: from the record`);
    await options(formatRuleOptions({ selection: { minLevel: 'medium' }, skipInvalidRules: true }));
    const rules = await loadRules('rules', dir);
    expect(rules.match(sysmonEvent({ Image: 'x' })).map((m) => m.rule.title)).toEqual(['rule 1']);
  });
});

describe('loadRules with live IOC containers (a function with a containers bucket)', () => {
  it('defers with the bundled record too, which says so by refusing what it says', async () => {
    // Synth's record of the folder's texts, edited to refuse high.yml: only the record's use explains its refusal.
    const named = ['bad', 'high', 'low'].map((n) => `core/${n}.yml`);
    const texts = await Promise.all(named.map((f) => readFile(path.join(dir, 'rules', f), 'utf8')));
    const parsed = parseRuleSources(named.map((file, i) => ({ file, text: texts[i] as string })));
    writeBundledParsedRules(path.join(dir, 'rules', PARSED_RULES_FILE), parsed);
    const record = compileParsedRules(parsed, ruleCompileOptions({})).record as NonNullable<CompileResult['record']>;
    writeBundledRecord(path.join(dir, 'rules', COMPILE_RECORD_FILE), {
      ...record,
      rules: record.rules.map((r) => (r.file === 'core/high.yml' ? { file: r.file, error: 'from the record' } : r)),
    });
    for (const containers of [new ContainerSet(), undefined]) {
      const error = await loadRules('rules', dir, containers).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RuleCompilationError);
      expect((error as Error).message).toContain(`${path.join(dir, 'rules/core/high.yml')}: from the record`);
    }
  });
});

describe('the build-time proof of the bundled listing (listing-proof.json)', () => {
  const rules = () => path.join(dir, 'rules');
  const bundle = (texts: Record<string, string>) =>
    writeBundledParsedRules(
      path.join(rules(), PARSED_RULES_FILE),
      parseRuleSources(Object.entries(texts).map(([file, text]) => ({ file, text }))),
    );
  // In the parsed form bad.yml is valid: a start without error shows the parsed form was compiled, not the YAML.
  const sameNames = {
    'core/bad.yml': rule(3, 'high'),
    'core/high.yml': rule(1, 'high'),
    'core/low.yml': rule(2, 'low'),
  };

  it('is written when parsed-rules.json names exactly the folder files; the load then lists nothing', async () => {
    // Prepare
    bundle(sameNames);

    // Act
    const proved = await proveBundledListing(rules());

    // Assess: proved, and the next read trusts it. A file added afterwards (which a deployment package cannot get)
    // is not seen: only the proof can explain that the parsed form is still used.
    expect(proved).toEqual({ ok: true, files: 3 });
    expect(existsSync(path.join(rules(), LISTING_PROOF_FILE))).toBe(true);
    expect(await readBundledParsedRules(rules())).toMatchObject({ ok: true, listed: false });
    await writeFile(path.join(rules(), 'core', 'late.yml'), rule(4, 'high'));
    expect((await loadRules('rules', dir)).size).toBe(3);
  });

  it.each([
    ['names a file the folder does not hold', { ...sameNames, 'core/gone.yml': rule(4, 'high') }],
    ['misses a file the folder holds', { 'core/bad.yml': rule(3, 'high'), 'core/high.yml': rule(1, 'high') }],
  ])('is refused, and none is left, when parsed-rules.json %s', async (_name, texts) => {
    // Prepare: an earlier proof of a matching parsed form, then a parsed form that does not match.
    bundle(sameNames);
    expect((await proveBundledListing(rules())).ok).toBe(true);
    bundle(texts);

    // Act
    const proved = await proveBundledListing(rules());

    // Assess: the bundling step exits 1 on this (node-io/prove-rule-listing.ts); the cold start lists and reads YAML.
    expect(proved).toEqual({ ok: false, error: `${PARSED_RULES_FILE} names other files than the folder holds` });
    expect(existsSync(path.join(rules(), LISTING_PROOF_FILE))).toBe(false);
    await expect(loadRules('rules', dir)).rejects.toThrow(RuleCompilationError);
  });

  it.each([
    [
      'parsed-rules.json was replaced after the proof',
      async () => bundle({ ...sameNames, 'core/gone.yml': rule(4, 'high') }),
    ],
    [
      'parsed-rules.json was damaged after the proof',
      async () => {
        const file = path.join(rules(), PARSED_RULES_FILE);
        await writeFile(file, (await readFile(file, 'utf8')).replace('rule 1', 'rule 9'));
      },
    ],
  ])('does not vouch when %s', async (_name, tamper) => {
    // Prepare
    bundle(sameNames);
    expect((await proveBundledListing(rules())).ok).toBe(true);
    await tamper();

    // Act, Assess: the proof names another checksum (or the checksum fails): the YAML is read, whose bad.yml fails.
    await expect(loadRules('rules', dir)).rejects.toThrow(RuleCompilationError);
  });

  it('is only trusted for the same number of files', async () => {
    // Prepare: a proof edited to another count (with the right checksum line).
    bundle(sameNames);
    expect((await proveBundledListing(rules())).ok).toBe(true);
    const file = path.join(rules(), LISTING_PROOF_FILE);
    await writeFile(file, (await readFile(file, 'utf8')).replace('"files":3', '"files":4'));

    // Act, Assess: listed again (and the names hold).
    expect(await readBundledParsedRules(rules())).toMatchObject({ ok: true, listed: true });
  });
});
