/** The synth-time rule check with stand-in compilers: what it reads, what it passes on, when it fails. */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compileRuleBundle,
  copyRulesHooks,
  RuleBundleError,
  type RuleFileSource,
} from '../../infra/constructs/rule-bundle.js';
import { formatRuleOptions, parseRuleOptions } from '../../lambda/rules.js';
import { ruleCompileOptions } from '../../node-io/load-rules.js';
import {
  BUNDLED_AUTOMATA_FILE,
  COMPILE_RECORD_FILE,
  PARSED_RULES_FILE,
  readBundledParsedRules,
  readBundledRecord,
} from '../../node-io/rule-cache.js';
import { compileParsedRules, compileRules, optionsFingerprint } from '../../src/detection/index.js';
import { ContainerSet } from '../../src/ioc/container-set.js';
import { testTempRoot } from '../helpers/test-temp.js';
import { PROJECT_ROOT } from './synth.js';

describe('compileRuleBundle', () => {
  it('reads .yml and .yaml files recursively, named under their folder', () => {
    let seen: RuleFileSource[] = [];
    const bundle = compileRuleBundle(PROJECT_ROOT, ['test/infra/fixtures/rules'], (sources) => {
      seen = sources;
      return { compiled: sources.length, rejected: [] };
    });
    expect(seen.map((s) => s.file)).toEqual(['rules/dns-query-example.yaml', 'rules/network/suspicious-tld.yml']);
    expect(seen.every((s) => s.text.includes('title:'))).toBe(true);
    expect(bundle).toMatchObject({ files: 2, compiled: 2 });
  });

  it('reads Gene .gen files too, and the real compiler compiles them beside the Sigma rules', () => {
    const dir = mkdtempSync(join(testTempRoot(), 'hookstream-gene-bundle-'));
    cpSync(join(PROJECT_ROOT, 'test/infra/fixtures/rules'), join(dir, 'rules'), { recursive: true });
    const gene = {
      Name: 'CmdFromOffice',
      Meta: { Events: { 'Microsoft-Windows-Sysmon/Operational': [1] }, Criticality: 7 },
      Matches: ["$p: ParentImage ~= '(?i:winword\\.exe$)'", "$c: Image ~= '(?i:cmd\\.exe$)'"],
      Condition: '$p and $c',
    };
    writeFileSync(join(dir, 'rules', 'office.gen'), `${JSON.stringify(gene)}\n`);
    const bundle = compileRuleBundle(PROJECT_ROOT, [join(dir, 'rules')], (sources) => {
      const result = compileRules(sources);
      return { compiled: result.compiled, rejected: result.rejected };
    });
    expect(bundle).toMatchObject({ files: 3, compiled: 3 });
  });

  it('takes one rule file as a folder named after it (a Gene compiled.gen), copied under its own name', () => {
    const dir = mkdtempSync(join(testTempRoot(), 'hookstream-gene-file-'));
    const rule = {
      Name: 'CmdFromOffice',
      Meta: { Events: { 'Microsoft-Windows-Sysmon/Operational': [1] }, Criticality: 7 },
      Matches: ["$c: Image ~= '(?i:cmd\\.exe$)'"],
      Condition: '$c',
    };
    const file = join(dir, 'compiled.gen');
    writeFileSync(file, `${JSON.stringify(rule)}\n${JSON.stringify({ ...rule, Name: 'Other' })}\n`);
    let seen: RuleFileSource[] = [];
    const bundle = compileRuleBundle(PROJECT_ROOT, [file, 'test/infra/fixtures/rules'], (sources) => {
      seen = sources;
      const result = compileRules(sources);
      return { compiled: result.compiled, rejected: result.rejected };
    });
    expect(seen.map((s) => s.file)).toEqual([
      'compiled/compiled.gen',
      'rules/dns-query-example.yaml',
      'rules/network/suspicious-tld.yml',
    ]);
    expect(bundle).toMatchObject({ files: 3, compiled: 4 });
    expect(bundle.commandHooks.afterBundling('/in', '/out')).toContain(
      `mkdir -p '/out/rules/compiled' && cp '${file}' '/out/rules/compiled/compiled.gen'`,
    );
  });

  it('throws with every rejected rule listed', () => {
    const reject = () => ({
      compiled: 0,
      rejected: [
        { file: 'rules/a.yml', reason: 'bad condition' },
        { file: 'rules/b.yml', reason: 'unknown modifier' },
      ],
    });
    expect(() => compileRuleBundle(PROJECT_ROOT, ['test/infra/fixtures/rules'], reject)).toThrow(
      new RuleBundleError(
        [
          'rule rejected: rules/a.yml: bad condition',
          'rule rejected: rules/b.yml: unknown modifier',
          '2 rule(s) do not compile; -c skipInvalidRules=true loads the rest',
        ].join('\n'),
      ),
    );
  });

  it('with options that skip invalid rules, lists them and writes the options into the bundle', () => {
    const options = { selection: { minLevel: 'medium' }, skipInvalidRules: true };
    const bundle = compileRuleBundle(PROJECT_ROOT, ['test/infra/fixtures/rules'], () => ({
      compiled: 1,
      rejected: [{ file: 'rules/a.yml', reason: 'bad condition' }],
      options,
    }));
    expect(bundle.invalidSkipped).toEqual([{ file: 'rules/a.yml', reason: 'bad condition' }]);
    const commands = bundle.commandHooks.afterBundling('/in', '/out');
    expect(commands.at(-1)).toBe(
      `printf '%s' '${JSON.stringify(options, null, 2)}\n' > '/out/rules/rule-options.json'`,
    );
  });

  it('writes the rules parsed, for the bundle to compile them without YAML (rules/parsed-rules.json)', async () => {
    const bundle = compileRuleBundle(PROJECT_ROOT, ['test/infra/fixtures/rules'], (sources) => ({
      compiled: sources.length,
      rejected: [],
    }));
    const copy = bundle.commandHooks
      .afterBundling('/in', '/out')
      .find((c) => c.endsWith("'/out/rules/parsed-rules.json'"));
    const written = copy?.match(/^cp '([^']+)' /)?.[1];
    expect(written).toEqual(expect.any(String));
    // The function's view: the folder copied as rules/<name>, the parsed form beside it, read back with the same names.
    const out = mkdtempSync(join(testTempRoot(), 'hookstream-bundle-'));
    cpSync(join(PROJECT_ROOT, 'test/infra/fixtures/rules'), join(out, 'rules'), { recursive: true });
    cpSync(written as string, join(out, PARSED_RULES_FILE));
    const read = await readBundledParsedRules(out);
    expect(read.ok && read.value.map((s) => s.file)).toEqual([
      join(out, 'rules/dns-query-example.yaml'),
      join(out, 'rules/network/suspicious-tld.yml'),
    ]);
  });

  it("writes the record of a full compile with the function's options (rules/compile-record.json)", () => {
    const options = { selection: { minLevel: 'medium' }, skipInvalidRules: true };
    const bundle = compileRuleBundle(PROJECT_ROOT, ['test/infra/fixtures/rules'], (sources) => ({
      compiled: sources.length,
      rejected: [],
      options,
    }));
    const copy = bundle.commandHooks
      .afterBundling('/in', '/out')
      .find((c) => c.endsWith("'/out/rules/compile-record.json'"));
    const written = copy?.match(/^cp '([^']+)' /)?.[1];
    const out = mkdtempSync(join(testTempRoot(), 'hookstream-bundle-'));
    cpSync(written as string, join(out, COMPILE_RECORD_FILE));
    // Read as the function reads it: with the fingerprint of the options it reads from rule-options.json.
    const parsed = parseRuleOptions(formatRuleOptions(options));
    const fingerprint = optionsFingerprint(ruleCompileOptions(parsed.ok ? parsed.value : {}));
    const record = readBundledRecord(out, fingerprint);
    expect(record?.rules.map((r) => r.file)).toEqual([join(out, 'rules/network/suspicious-tld.yml')]);
    expect(readBundledRecord(out, optionsFingerprint(ruleCompileOptions({})))).toBeUndefined();
  });

  it("ships that compile's prefilter automata beside the record (rules/prefilter-automata.bin), read back, not built", async () => {
    const options = { skipInvalidRules: true };
    const bundle = compileRuleBundle(PROJECT_ROOT, ['test/infra/fixtures/rules'], (sources) => ({
      compiled: sources.length,
      rejected: [],
      options,
    }));
    const hooks = bundle.commandHooks.afterBundling('/in', '/out');
    const source = (name: string) =>
      hooks.find((c) => c.endsWith(`'/out/rules/${name}'`))?.match(/^cp '([^']+)' /)?.[1] as string;
    const out = mkdtempSync(join(testTempRoot(), 'hookstream-bundle-'));
    cpSync(join(PROJECT_ROOT, 'test/infra/fixtures/rules'), join(out, 'rules'), { recursive: true });
    for (const name of [PARSED_RULES_FILE, COMPILE_RECORD_FILE, BUNDLED_AUTOMATA_FILE]) {
      cpSync(source(name), join(out, name));
    }
    // Copied after the record (the hooks run in order), before the listing proof.
    const at = (name: string) => hooks.findIndex((c) => c.endsWith(`'/out/rules/${name}'`));
    expect(at(BUNDLED_AUTOMATA_FILE)).toBeGreaterThan(at(COMPILE_RECORD_FILE));
    expect(hooks.findIndex((c) => c.includes('prove-rule-listing'))).toBeGreaterThan(at(BUNDLED_AUTOMATA_FILE));
    const parsed = parseRuleOptions(formatRuleOptions(options));
    const compileOptions = ruleCompileOptions(parsed.ok ? parsed.value : {});
    const read = await readBundledParsedRules(out, 'always');
    if (!read.ok) throw new Error('bundle does not read back');
    // One record, without IOC containers and with live ones (an infra-deployed function has a containers bucket).
    const record = readBundledRecord(out, optionsFingerprint(compileOptions));
    expect(record?.automata?.store).toBeDefined();
    if (record === undefined) throw new Error('record does not read back');
    for (const options of [compileOptions, { ...compileOptions, containers: new ContainerSet() }]) {
      const deferred = compileParsedRules(read.value, options, { record });
      const full = compileParsedRules(read.value, options);
      expect(deferred.record).toBe(record);
      deferred.ruleSet.prepare();
      expect(deferred.ruleSet.automata.built).toBe(0);
      expect(deferred.ruleSet.automata.loaded).toBeGreaterThan(0);
      expect(deferred.compiled).toBe(full.compiled);
    }
  });

  it('refuses two folders with the same name', () => {
    const ok = () => ({ compiled: 1, rejected: [] });
    expect(() =>
      compileRuleBundle(PROJECT_ROOT, ['test/infra/fixtures/rules', 'test/infra/fixtures/../fixtures/rules'], ok),
    ).toThrow(RuleBundleError);
  });

  it('refuses a folder without rules', () => {
    const ok = () => ({ compiled: 0, rejected: [] });
    const empty = mkdtempSync(join(testTempRoot(), 'hookstream-empty-rules-'));
    expect(() => compileRuleBundle(PROJECT_ROOT, [empty], ok)).toThrow(/no .yml\/.yaml\/.gen rule files/);
  });
});

describe('copyRulesHooks', () => {
  it('copies each folder to rules/<name> after bundling, quoted for the shell', () => {
    const hooks = copyRulesHooks([{ source: "/src/it's rules", name: 'core' }]);
    expect(hooks.afterBundling('/in', '/out')).toEqual([
      "mkdir -p '/out/rules'",
      "cp -R '/src/it'\\''s rules' '/out/rules/core'",
    ]);
    expect(hooks.beforeBundling('/in', '/out')).toEqual([]);
  });
});
