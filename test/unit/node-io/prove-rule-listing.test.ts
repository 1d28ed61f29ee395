/**
 * The bundling step that proves a bundle's listing (infra/constructs/rule-bundle.ts proveListingCommand, running
 * node-io/prove-rule-listing.ts): run as bundling runs it, through the shell, on a bundle's rules folder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { proveListingCommand } from '../../../infra/constructs/rule-bundle.js';
import { LISTING_PROOF_FILE, PARSED_RULES_FILE, writeBundledParsedRules } from '../../../node-io/rule-cache.js';
import { parseRuleSources } from '../../../src/detection/index.js';

const RULE = [
  'title: rule 1',
  'id: 00000000-0000-4000-8000-000000000001',
  'status: test',
  'level: high',
  'logsource: { product: windows, category: process_creation }',
  "detection: { selection: { Image: 'x' }, condition: selection }",
].join('\n');

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hookstream-prove-listing-'));
  mkdirSync(path.join(dir, 'core'));
  writeFileSync(path.join(dir, 'core', 'a.yml'), RULE);
  writeBundledParsedRules(path.join(dir, PARSED_RULES_FILE), parseRuleSources([{ file: 'core/a.yml', text: RULE }]));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The command's exit status and stderr, as the bundling's spawn sees them. */
function run(): { status: number; stderr: string } {
  try {
    execFileSync('bash', ['-c', proveListingCommand(dir)], { stdio: 'pipe', encoding: 'utf8' });
    return { status: 0, stderr: '' };
  } catch (error) {
    const e = error as { status: number; stderr: string };
    return { status: e.status, stderr: e.stderr };
  }
}

describe('proveListingCommand', () => {
  it('writes the proof when parsed-rules.json names exactly the folder rule files', () => {
    expect(run().status).toBe(0);
    expect(existsSync(path.join(dir, LISTING_PROOF_FILE))).toBe(true);
  });

  it.each([
    // Synth lists .yml/.yaml/.gen as written; the cold start lists the extension in any case: a copied x.YML would be
    // compiled at start without synth having checked it.
    ['a rule file synth did not parse (upper-case extension)', 'core/b.YML'],
    ['a rule file added to the bundle', 'core/c.yaml'],
  ])('fails the bundling, and writes no proof, for %s', (_name, extra) => {
    writeFileSync(path.join(dir, extra), RULE);

    const { status, stderr } = run();

    expect(status).toBe(1);
    expect(stderr).toContain(`${PARSED_RULES_FILE} names other files than the folder holds`);
    expect(existsSync(path.join(dir, LISTING_PROOF_FILE))).toBe(false);
  });
});
