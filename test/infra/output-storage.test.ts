/**
 * The output bucket's lifecycle, on the construct alone (no app, no rules: fast): the data prefixes move and expire
 * as configured, and nothing else does, the IOC container files under iocs/ above all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { OutputStorage, type OutputStorageProps } from '../../infra/constructs/output-storage.js';
import { DEFAULT_CONTAINERS_PREFIX } from '../../lambda/config.js';
import { OUTPUT_PREFIXES, STATE_PREFIX, STATE_RETENTION_DAYS } from '../../src/pipeline/names.js';
import { PROJECT_ROOT } from './synth.js';

// The app's feature flags (the server access log bucket's settings depend on them), as in synth.ts.
const cdkContext = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: object }).context;

interface LifecycleRule {
  Id: string;
  Prefix?: string;
  ExpirationInDays?: number;
  Transitions?: { StorageClass: string; TransitionInDays: number }[];
  NoncurrentVersionExpiration?: { NoncurrentDays: number };
  AbortIncompleteMultipartUpload?: { DaysAfterInitiation: number };
}

function outputRules(props: Partial<OutputStorageProps>): LifecycleRule[] {
  const stack = new Stack(new App({ context: { ...cdkContext } }), 'Test');
  const storage = new OutputStorage(stack, 'Storage', {
    removalPolicy: RemovalPolicy.DESTROY,
    versioned: false,
    infrequentAccessDays: 30,
    glacierDays: 0,
    expireDays: 0,
    ...props,
  });
  const id = stack.getLogicalId(storage.output.node.defaultChild as never);
  const bucket = Template.fromStack(stack).toJSON().Resources[id] as {
    Properties: { LifecycleConfiguration: { Rules: LifecycleRule[] } };
  };
  return bucket.Properties.LifecycleConfiguration.Rules;
}

/** The rules that would move or delete a current object with this key. */
function rulesTouching(rules: LifecycleRule[], key: string): LifecycleRule[] {
  return rules.filter(
    (rule) =>
      (rule.Prefix === undefined || key.startsWith(rule.Prefix)) &&
      (rule.ExpirationInDays !== undefined || (rule.Transitions ?? []).length > 0),
  );
}

const ALL_ON = { versioned: true, infrequentAccessDays: 30, glacierDays: 90, expireDays: 400 };

describe('output bucket lifecycle', () => {
  it.each(OUTPUT_PREFIXES)('%s/ moves to Standard-IA, then Glacier IR, and expires as configured', (prefix) => {
    expect(rulesTouching(outputRules(ALL_ON), `${prefix}/dt=2026-01-01/hour=00/x.json.gz`)).toEqual([
      {
        Id: `output-${prefix}`,
        Prefix: `${prefix}/`,
        Status: 'Enabled',
        ExpirationInDays: 400,
        Transitions: [
          { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
          { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
        ],
      },
    ]);
  });

  it.each([
    ['every setting on', ALL_ON],
    ['defaults', {}],
    ['expiry only', { infrequentAccessDays: 0, expireDays: 1 }],
  ])('never moves or expires the IOC container files (%s)', (_name, props) => {
    expect(DEFAULT_CONTAINERS_PREFIX).toBe('iocs/');
    expect(rulesTouching(outputRules(props), `${DEFAULT_CONTAINERS_PREFIX}blacklist.txt`)).toEqual([]);
  });

  it('expires the bookkeeping under _state/ after its retention, and by that rule only', () => {
    expect(rulesTouching(outputRules(ALL_ON), `${STATE_PREFIX}/attempts/u/1.json`)).toEqual([
      {
        Id: 'expire-attempt-manifests',
        Prefix: `${STATE_PREFIX}/`,
        ExpirationInDays: STATE_RETENTION_DAYS,
        Status: 'Enabled',
      },
    ]);
  });

  it('keeps the whole-bucket clean-up: incomplete uploads, and old versions when versioned', () => {
    const housekeeping = outputRules(ALL_ON).filter((rule) => rule.Prefix === undefined);
    expect(housekeeping).toEqual([
      {
        Id: 'output-housekeeping',
        Status: 'Enabled',
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
    ]);
  });

  it('writes no data rule when nothing moves or expires (a rule needs an action)', () => {
    const rules = outputRules({ infrequentAccessDays: 0, glacierDays: 0, expireDays: 0 });
    expect(rules.map((rule) => rule.Id)).toEqual(['output-housekeeping', 'expire-attempt-manifests']);
  });
});
