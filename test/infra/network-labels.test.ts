/**
 * Context `networkLabels=<file>`: the CIDR table is read and checked at synth (infra/network-labels.ts) into the
 * NETWORK_LABELS value lambda/config.ts reads back. That the synthesised enrich functions (and only they) carry it:
 * test/infra/options.heavy.test.ts, in its shared synth.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAX_NETWORK_LABELS_CHARS, networkLabelsVariable } from '../../infra/network-labels.js';
import { InvalidSettingError, readSettings } from '../../infra/settings.js';
import { ENV, enrichConfig } from '../../lambda/config.js';
import { PROJECT_ROOT } from './synth.js';

const folder = mkdtempSync(path.join(tmpdir(), 'hookstream-network-labels-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function tableFile(name: string, text: string): string {
  const file = path.join(folder, name);
  writeFileSync(file, text);
  return file;
}

describe('networkLabels context', () => {
  it('gives the table as compact JSON that the enrich functions read back to the same entries', () => {
    const value = networkLabelsVariable('test/infra/fixtures/network-labels.csv', PROJECT_ROOT);
    expect(JSON.parse(value)).toEqual({ '10.20.0.0/16': 'corp-vpn', '2001:db8:aa::/48': 'lab v6' });
    const required = Object.fromEntries(
      [
        ENV.resolutionTable,
        ENV.watermarkTable,
        ENV.dedupeTable,
        ENV.outputBucket,
        ENV.alertTopicArn,
        ENV.holdQueueUrl,
        ENV.streamArn,
      ].map((name) => [name, 'x']),
    );
    expect(enrichConfig({ ...required, [ENV.networkLabels]: value }).networkLabels).toEqual([
      { cidr: '10.20.0.0/16', label: 'corp-vpn' },
      { cidr: '2001:db8:aa::/48', label: 'lab v6' },
    ]);
  });

  it('is unset without the context (the functions then run the hook off)', () => {
    expect(readSettings(() => undefined).networkLabels).toBeUndefined();
  });

  it.each([
    [
      'bad.csv',
      '10.0.0.0/8,corp\n10.0.0.1/8,typo\n',
      /context networkLabels: .*bad\.csv: "10\.0\.0\.1\/8" has host bits set/,
    ],
    ['big.csv', Array.from({ length: 200 }, (_, i) => `10.${i}.0.0/16,site-${i}`).join('\n'), /over the 2048/],
  ])('refuses %s at synth', (name, text, message) => {
    const file = tableFile(name, text);
    expect(() => networkLabelsVariable(file, PROJECT_ROOT)).toThrow(InvalidSettingError);
    expect(() => networkLabelsVariable(file, PROJECT_ROOT)).toThrow(message);
    expect(MAX_NETWORK_LABELS_CHARS).toBe(2048);
  });

  it('names a missing file', () => {
    expect(() => networkLabelsVariable('no/such/networks.csv', PROJECT_ROOT)).toThrow(
      /cannot read no\/such\/networks\.csv: ENOENT/,
    );
  });
});
