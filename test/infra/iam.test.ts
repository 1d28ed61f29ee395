/**
 * Least privilege: walks every IAM policy in the template, fails on wildcard actions and on Resource "*" outside
 * the actions that support nothing else, and pins the exact actions each function role is granted.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { createHooks } from '../../src/hooks/index.js';
import { enrichWritesState } from '../../src/hooks/run-hooks.js';
import { FULL_CONTEXT, type Synthesised, synth } from './synth.js';

/** Actions that take no resource-level permissions, so Resource "*" is the only possible grant. */
const RESOURCE_STAR_ALLOWED: Record<string, string> = {
  'xray:PutTraceSegments': 'X-Ray has no resource-level permissions (active tracing)',
  'xray:PutTelemetryRecords': 'X-Ray has no resource-level permissions (active tracing)',
  'cloudwatch:PutMetricData': 'CloudWatch metrics have no resource ARNs (not used: metrics go out as EMF logs)',
};

interface Statement {
  Effect: string;
  Action?: string | string[];
  Resource?: unknown;
  Principal?: unknown;
}

interface FoundStatement {
  where: string;
  statement: Statement;
}

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/**
 * Every statement of every identity and resource policy. KMS key policies are left out on purpose: a key policy's
 * Resource "*" means "this key", and its root statement is how the account delegates to IAM.
 */
function policyStatements(template: Template): FoundStatement[] {
  const found: FoundStatement[] = [];
  const documents: [string, string][] = [
    ['AWS::IAM::Policy', 'PolicyDocument'],
    ['AWS::IAM::ManagedPolicy', 'PolicyDocument'],
    ['AWS::S3::BucketPolicy', 'PolicyDocument'],
    ['AWS::SQS::QueuePolicy', 'PolicyDocument'],
    ['AWS::SNS::TopicPolicy', 'PolicyDocument'],
    ['AWS::Kinesis::ResourcePolicy', 'ResourcePolicy'],
  ];
  for (const [type, property] of documents) {
    for (const [id, resource] of Object.entries(template.findResources(type))) {
      const document = (resource as { Properties: Record<string, { Statement: Statement[] }> }).Properties[property];
      for (const statement of document?.Statement ?? []) found.push({ where: `${type} ${id}`, statement });
    }
  }
  for (const [id, resource] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    const policies = (resource as { Properties: { Policies?: { PolicyDocument: { Statement: Statement[] } }[] } })
      .Properties.Policies;
    for (const policy of policies ?? []) {
      for (const statement of policy.PolicyDocument.Statement) found.push({ where: `AWS::IAM::Role ${id}`, statement });
    }
  }
  return found;
}

/** Problems of the Allow statements: wildcard actions, and Resource "*" on actions that could be scoped. */
function wildcardProblems(statements: readonly FoundStatement[]): string[] {
  const problems: string[] = [];
  for (const { where, statement } of statements) {
    if (statement.Effect !== 'Allow') continue;
    const actions = asList(statement.Action);
    for (const action of actions) {
      if (action === '*' || /^[a-z0-9-]+:\*$/i.test(action)) problems.push(`${where}: wildcard action ${action}`);
    }
    if (asList(statement.Resource).includes('*')) {
      for (const action of actions) {
        if (!(action in RESOURCE_STAR_ALLOWED)) problems.push(`${where}: ${action} on Resource "*"`);
      }
    }
  }
  return problems;
}

let synthesised: Synthesised;

beforeAll(() => {
  synthesised = synth(FULL_CONTEXT, { bundle: false });
});

function roleActions(roleId: string): Map<string, string[]> {
  const byAction = new Map<string, string[]>();
  for (const resource of Object.values(synthesised.template.findResources('AWS::IAM::Policy'))) {
    const properties = (resource as { Properties: { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } } })
      .Properties;
    if (!JSON.stringify(properties.Roles).includes(`"${roleId}"`)) continue;
    for (const statement of properties.PolicyDocument.Statement) {
      for (const action of asList(statement.Action)) {
        const resources = asList(statement.Resource).map((r) => JSON.stringify(r));
        byAction.set(action, [...(byAction.get(action) ?? []), ...resources]);
      }
    }
  }
  return byAction;
}

function roleOf(fn: { role?: { node: { defaultChild?: unknown } } }): string {
  return synthesised.stack.getLogicalId(fn.role?.node.defaultChild as never);
}

function idOf(construct: { node: { defaultChild?: unknown } }): string {
  return synthesised.stack.getLogicalId(construct.node.defaultChild as never);
}

const KINESIS_READ = [
  'kinesis:DescribeStream',
  'kinesis:DescribeStreamConsumer',
  'kinesis:DescribeStreamSummary',
  'kinesis:GetRecords',
  'kinesis:GetShardIterator',
  'kinesis:ListShards',
  'kinesis:ListStreams',
  'kinesis:SubscribeToShard',
];
const LOGS_AND_TRACES = [
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTelemetryRecords',
  'xray:PutTraceSegments',
];
const SQS_CONSUME = [
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:ReceiveMessage',
];
const FAILED_BATCHES = ['s3:ListBucket', 's3:PutObject'];
const ENRICH_WRITES = [
  'dynamodb:BatchGetItem',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
  // The exactly-once commit records (docs/lambda.md): conditional PutItem in the dedupe table.
  'dynamodb:PutItem',
  'kms:Decrypt',
  'kms:GenerateDataKey',
  'sns:Publish',
  'sqs:SendMessage',
  's3:PutObject',
  // A retry deletes a failed attempt's stale objects; attempt manifests are read back under _state/.
  's3:DeleteObject',
  's3:GetObject',
  // The IOC container files: listed under iocs/ only (an s3:prefix condition), read under iocs/.
  's3:ListBucket',
];

describe('IAM', () => {
  it('has no wildcard action and no Resource "*" outside the listed actions, in any policy', () => {
    const statements = policyStatements(synthesised.template);
    expect(statements.length).toBeGreaterThan(20);
    expect(wildcardProblems(statements)).toEqual([]);
  });

  it('the walker catches what it must (a test that cannot fail is a defect)', () => {
    const bad: FoundStatement[] = [
      { where: 'a', statement: { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' } },
      { where: 'b', statement: { Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b' } },
      {
        where: 'c',
        statement: { Effect: 'Allow', Action: ['dynamodb:GetItem', 'xray:PutTraceSegments'], Resource: '*' },
      },
      { where: 'd', statement: { Effect: 'Deny', Action: 's3:*', Resource: '*' } },
      { where: 'e', statement: { Effect: 'Allow', Action: 'xray:PutTraceSegments', Resource: '*' } },
    ];
    expect(wildcardProblems(bad)).toEqual([
      'a: wildcard action s3:*',
      'b: wildcard action *',
      'c: dynamodb:GetItem on Resource "*"',
    ]);
  });

  it.each([
    [
      'dnsAnswers',
      [
        ...KINESIS_READ,
        ...LOGS_AND_TRACES,
        ...FAILED_BATCHES,
        'dynamodb:BatchGetItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ],
    ],
    ['enrich', [...new Set([...KINESIS_READ, ...LOGS_AND_TRACES, ...FAILED_BATCHES, ...ENRICH_WRITES])]],
    [
      'enrichHold',
      [
        ...SQS_CONSUME,
        ...LOGS_AND_TRACES,
        ...ENRICH_WRITES,
        'kinesis:GetRecords',
        'kinesis:GetShardIterator',
        'kinesis:ListShards',
      ],
    ],
  ] as const)('%s is granted exactly the actions it uses', (name, expected) => {
    const actions = roleActions(roleOf(synthesised.stack.pipeline[name]));
    expect([...actions.keys()].sort()).toEqual([...new Set(expected)].sort());
  });

  it('the Slack forwarder reads its secret, its queue and writes its logs: nothing else', () => {
    const forwarder = synthesised.stack.alerting.slack?.forwarder;
    if (forwarder === undefined) throw new Error('no forwarder');
    const actions = roleActions(roleOf(forwarder));
    expect([...actions.keys()].sort()).toEqual(
      [...SQS_CONSUME, ...LOGS_AND_TRACES, 'secretsmanager:GetSecretValue'].sort(),
    );
    expect(actions.get('secretsmanager:GetSecretValue')?.join()).toContain('secret:hookstream/slack-webhook-??????');
  });

  it('scopes table actions to the right table', () => {
    const { tables, pipeline } = synthesised.stack;
    const dns = roleActions(roleOf(pipeline.dnsAnswers));
    expect(dns.get('dynamodb:PutItem')).toEqual([JSON.stringify({ 'Fn::GetAtt': [idOf(tables.resolution), 'Arn'] })]);
    const enrich = roleActions(roleOf(pipeline.enrich));
    // Enrich's PutItem: commit records on the dedupe table, and on the state table only when a registered hook
    // persists its state while enriching (process-tracking); never for the resolutions alone. Its UpdateItem: the
    // watermark and dedupe tables only.
    const putTables = enrichWritesState(createHooks()) ? [tables.resolution, tables.dedupe] : [tables.dedupe];
    expect(enrich.get('dynamodb:PutItem')?.sort()).toEqual(
      putTables.map((table) => JSON.stringify({ 'Fn::GetAtt': [idOf(table), 'Arn'] })).sort(),
    );
    expect(enrichWritesState(createHooks({}, ['dns-answers', 'netconn-hostname']))).toBe(false);
    expect(enrich.get('dynamodb:UpdateItem')?.sort()).toEqual(
      [idOf(tables.watermark), idOf(tables.dedupe)].map((id) => JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] })).sort(),
    );
  });

  it.each([
    ['s3:PutObject', ['_state', 'alerts', 'events', 'rejected']],
    ['s3:DeleteObject', ['alerts', 'events', 'rejected']],
    ['s3:GetObject', ['_state', 'iocs']],
  ])('lets enrich use %s on the output bucket only under %j', (action, expected) => {
    const resources = roleActions(roleOf(synthesised.stack.pipeline.enrich)).get(action) ?? [];
    const output = idOf(synthesised.stack.storage.output);
    const prefixes = resources.filter((r) => r.includes(output)).map((r) => r.match(/\/(\w+)\/\*/)?.[1]);
    expect(prefixes.sort()).toEqual(expected);
  });

  it.each(['enrich', 'enrichHold'] as const)('lets %s list the output bucket only under iocs/', (name) => {
    const role = roleOf(synthesised.stack.pipeline[name]);
    const output = idOf(synthesised.stack.storage.output);
    const listings = policyStatements(synthesised.template).filter(
      (found) =>
        found.where.startsWith('AWS::IAM::Policy') &&
        asList(found.statement.Action).includes('s3:ListBucket') &&
        JSON.stringify(found.statement.Resource).includes(output),
    );
    const ofRole = listings.filter((found) => {
      const policy = synthesised.template.findResources('AWS::IAM::Policy')[found.where.split(' ')[1] as string] as {
        Properties: { Roles: unknown[] };
      };
      return JSON.stringify(policy.Properties.Roles).includes(`"${role}"`);
    });
    expect(ofRole.map((found) => (found.statement as { Condition?: unknown }).Condition)).toEqual([
      { StringLike: { 's3:prefix': ['iocs/', 'iocs/*'] } },
    ]);
  });
});
