/**
 * cdk-nag: the app synthesises with AwsSolutions and Serverless checks and no unacknowledged finding, error or
 * warning; CDK itself adds no error or warning annotation. Also reports how many findings were acknowledged.
 */
import type { IPolicyValidationPlugin } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../infra/build-app.js';
import { FULL_CONTEXT, PROJECT_ROOT, realCompiler, synth } from './synth.js';

type Pack = IPolicyValidationPlugin & {
  validateScope(scope: IConstruct): {
    violations: { ruleName: string; severity?: string; violatingResources: { constructPath?: string }[] }[];
  };
};

function findings(pack: Pack, scope: IConstruct): string[] {
  return pack
    .validateScope(scope)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} ${r.constructPath ?? ''}`));
}

/** The same pack with acknowledgements ignored: what would be reported without them. */
function unacknowledged(pack: Pack): Pack {
  (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  return pack;
}

describe.each([
  ['full deployment', FULL_CONTEXT],
  [
    'cross-account producers, provisioned, filtered, no Slack',
    { rules: FULL_CONTEXT.rules, producerAccounts: '111122223333', shardCount: 2, eventSourceFilter: 'true' },
  ],
])('cdk-nag on the %s', (_name, context) => {
  let synthesised: ReturnType<typeof synth>;
  beforeAll(() => {
    // Template.fromStack synthesises, which runs the packs as validation plugins and throws on any finding.
    synthesised = synth(context, { bundle: false });
  });

  it.each([
    ['AwsSolutions', () => new AwsSolutionsChecks(undefined, { verbose: true })],
    ['Serverless', () => new ServerlessChecks(undefined, { verbose: true })],
  ])('%s: no unacknowledged finding (errors and warnings)', (packName, make) => {
    const open = findings(make() as Pack, synthesised.app);
    const before = findings(unacknowledged(make() as Pack), synthesised.app);
    // Printed for the report: findings before and after acknowledgement.
    console.info(`${packName} (${_name}): ${before.length} findings before acknowledgement, ${open.length} after`);
    expect(open).toEqual([]);
    expect(before.length).toBeGreaterThan(0);
  });

  it('CDK adds no error or warning annotation', () => {
    const annotations = Annotations.fromStack(synthesised.stack);
    const messages = [
      ...annotations.findError('*', Match.anyValue()),
      ...annotations.findWarning('*', Match.anyValue()),
    ].map((m) => `${m.id}: ${JSON.stringify(m.entry.data)}`);
    expect(messages).toEqual([]);
  });
});

describe('cdk-nag gate', () => {
  it('fails synth on an unacknowledged finding', () => {
    const { app, stack } = buildApp({
      projectRoot: PROJECT_ROOT,
      compileRules: realCompiler,
      appProps: { context: { ...FULL_CONTEXT, 'aws:cdk:bundling-stacks': [], 'aws:cdk:disable-stack-trace': true } },
    });
    // A bucket without access logs, added after the fact, must stop synthesis.
    new Bucket(stack, 'Offender', { enforceSSL: true });
    expect(() => app.synth()).toThrow(/Hookstream\/Offender[\s\S]*AwsSolutions-S1/);
  });
});
