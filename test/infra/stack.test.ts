/**
 * The default deployment (e-mail + Slack alerts, operations e-mail), synthesised once with real bundling; its
 * bundled functions' source maps are checked here too, on the same synth (a second bundled synth cost 6-8 s).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { PRODUCER_ACTIONS } from '../../infra/constructs/event-stream.js';
import { BUNDLED_RULES_DIR } from '../../infra/constructs/rule-bundle.js';
import { ENV } from '../../lambda/config.js';
import { LISTING_PROOF_FILE, readBundledParsedRules } from '../../node-io/rule-cache.js';
import { NAMED_QUERIES } from '../../src/query/named-queries.js';
import { FULL_CONTEXT, resourcesOf, type Synthesised, synth } from './synth.js';

let synthesised: Synthesised;
let template: Template;

beforeAll(() => {
  synthesised = synth({ ...FULL_CONTEXT, 'aws:cdk:enable-asset-metadata': true });
  template = synthesised.template;
});

function logicalId(construct: { node: { defaultChild?: unknown } }): string {
  return synthesised.stack.getLogicalId(construct.node.defaultChild as never);
}

function functionByEntry(id: string): { Properties: Record<string, unknown>; Metadata?: Record<string, string> } {
  const resources = template.findResources('AWS::Lambda::Function') as Record<
    string,
    { Properties: Record<string, unknown>; Metadata?: Record<string, string> }
  >;
  const found = resources[id];
  if (found === undefined) throw new Error(`no function ${id}`);
  return found;
}

describe('event stream', () => {
  it('is on-demand and KMS-encrypted with the AWS managed key by default', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      RetentionPeriodHours: 24,
    });
  });

  it('has a producer managed policy limited to putting records on this stream', () => {
    const streamId = logicalId(synthesised.stack.eventStream.stream);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: [...PRODUCER_ACTIONS],
            Resource: { 'Fn::GetAtt': [streamId, 'Arn'] },
          },
        ],
      },
    });
  });

  it('has no resource policy without producer accounts', () => {
    template.resourceCountIs('AWS::Kinesis::ResourcePolicy', 0);
  });
});

describe('state tables', () => {
  it.each([
    // Every hook's state (the resolutions under `dns|<host>|<ip>`): one key attribute, a prefix per state.
    ['resolution (hook state)', [{ AttributeName: 'pk', KeyType: 'HASH' }]],
    [
      'watermark',
      [
        { AttributeName: 'consumer', KeyType: 'HASH' },
        { AttributeName: 'shard', KeyType: 'RANGE' },
      ],
    ],
    ['dedupe', [{ AttributeName: 'dedupe_key', KeyType: 'HASH' }]],
  ])('%s: keys, on-demand, TTL ttl, PITR, encrypted', (_name, keySchema) => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: keySchema,
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('has exactly three tables', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 3);
  });
});

describe('functions', () => {
  it('are four Node.js 22 arm64 functions with tracing and source maps', () => {
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(4);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
        Environment: {
          Variables: expect.objectContaining({
            POWERTOOLS_METRICS_NAMESPACE: 'hookstream',
          }),
        },
      });
      // Source maps are read by the handler on the first stack formatted, not by node at every cold start.
      expect(
        (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.NODE_OPTIONS,
      ).toBeUndefined();
    }
  });

  it('give dns-answers its two tables and nothing else', () => {
    const fn = functionByEntry(logicalId(synthesised.stack.pipeline.dnsAnswers));
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(variables).sort()).toEqual(
      [
        ENV.resolutionTable,
        ENV.watermarkTable,
        'POWERTOOLS_LOG_LEVEL',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_SERVICE_NAME',
      ].sort(),
    );
    expect(variables.POWERTOOLS_SERVICE_NAME).toBe('dns-answers');
  });

  it.each(['enrich', 'enrichHold'] as const)(
    'give %s every enrich setting, the bundled rules and the hold window',
    (name) => {
      const fn = functionByEntry(logicalId(synthesised.stack.pipeline[name]));
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      for (const variable of [
        ENV.resolutionTable,
        ENV.watermarkTable,
        ENV.dedupeTable,
        ENV.outputBucket,
        ENV.alertTopicArn,
        ENV.holdQueueUrl,
        ENV.streamArn,
      ]) {
        expect(variables[variable]).toBeDefined();
      }
      expect(variables[ENV.rulesDir]).toBe(BUNDLED_RULES_DIR);
      expect(variables[ENV.holdWindowSeconds]).toBe('30');
    },
  );

  it('bundle the rule folders into rules/<folder> of both enrich functions (and not elsewhere)', async () => {
    const outdir = synthesised.app.outdir;
    const bundle = (name: 'enrich' | 'enrichHold' | 'dnsAnswers') => {
      const assetPath = functionByEntry(logicalId(synthesised.stack.pipeline[name])).Metadata?.['aws:asset:path'];
      if (assetPath === undefined) throw new Error('asset metadata missing');
      return join(outdir, assetPath);
    };
    for (const name of ['enrich', 'enrichHold'] as const) {
      expect(existsSync(join(bundle(name), 'index.mjs'))).toBe(true);
      expect(existsSync(join(bundle(name), 'index.mjs.map'))).toBe(true);
      expect(existsSync(join(bundle(name), 'rules', 'rules', 'network', 'suspicious-tld.yml'))).toBe(true);
      expect(existsSync(join(bundle(name), 'rules', 'rules', 'dns-query-example.yaml'))).toBe(true);
      // The parsed form synth writes beside them names exactly those files: the cold start parses no YAML.
      const parsed = await readBundledParsedRules(join(bundle(name), 'rules'), 'always');
      expect(parsed.ok && parsed.value.map((source) => basename(source.file))).toEqual([
        'dns-query-example.yaml',
        'suspicious-tld.yml',
      ]);
      // The last bundling step checked that on this very bundle and wrote its proof: the cold start lists nothing.
      expect(existsSync(join(bundle(name), 'rules', LISTING_PROOF_FILE))).toBe(true);
      expect(await readBundledParsedRules(join(bundle(name), 'rules'))).toMatchObject({ ok: true, listed: false });
    }
    expect(existsSync(join(bundle('dnsAnswers'), 'rules'))).toBe(false);
  });

  it('give the Slack forwarder the secret ARN, never a webhook URL', () => {
    const forwarder = synthesised.stack.alerting.slack?.forwarder;
    if (forwarder === undefined) throw new Error('no forwarder');
    const fn = functionByEntry(logicalId(forwarder));
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(variables[ENV.slackWebhookSecretArn])).toContain(':secret:hookstream/slack-webhook');
    expect(JSON.stringify(template.toJSON())).not.toMatch(/hooks\.slack\.com/);
  });
});

describe('event sources', () => {
  const kinesisSources = () =>
    resourcesOf(template, 'AWS::Lambda::EventSourceMapping').filter(
      ([, r]) => r.Properties.StartingPosition !== undefined,
    );

  it.each([
    ['dnsAnswers', 500, 1],
    ['enrich', 1000, 5],
  ] as const)(
    '%s reads the stream with item failures, bisect, bounded retries and age, S3 on-failure',
    (name, batch, window) => {
      const failedBucket = logicalId(synthesised.stack.storage.failedBatches);
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: logicalId(synthesised.stack.pipeline[name]) },
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: batch,
        MaximumBatchingWindowInSeconds: window,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 8,
        MaximumRecordAgeInSeconds: 6 * 3600,
        ParallelizationFactor: 1,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failedBucket, 'Arn'] } } },
      });
    },
  );

  it('does not filter the stream by default (compressed and KPL records would be dropped)', () => {
    expect(kinesisSources()).toHaveLength(2);
    for (const [, source] of kinesisSources()) expect(source.Properties.FilterCriteria).toBeUndefined();
  });

  it('feeds enrich-hold from the hold queue with item failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(synthesised.stack.pipeline.enrichHold) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(synthesised.stack.pipeline.holdQueue), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 100,
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });
});

describe('hold queue', () => {
  it('delays every message by the hold window, is encrypted and dead-letters after 5 receives', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      DelaySeconds: 30,
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 720,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(synthesised.stack.pipeline.holdDeadLetters), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
  });

  it('encrypts every queue', () => {
    for (const [, queue] of resourcesOf(template, 'AWS::SQS::Queue')) {
      expect(queue.Properties.SqsManagedSseEnabled === true || queue.Properties.KmsMasterKeyId !== undefined).toBe(
        true,
      );
    }
  });
});

describe('storage', () => {
  it('blocks public access, encrypts and logs every bucket except the log bucket itself', () => {
    const logs = logicalId(synthesised.stack.storage.accessLogs);
    for (const [id, bucket] of resourcesOf(template, 'AWS::S3::Bucket')) {
      expect(bucket.Properties).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      });
      if (id !== logs)
        expect(bucket.Properties.LoggingConfiguration).toEqual(
          expect.objectContaining({ DestinationBucketName: { Ref: logs } }),
        );
    }
  });

  it('denies non-TLS access on every bucket', () => {
    const policies = resourcesOf(template, 'AWS::S3::BucketPolicy');
    expect(policies).toHaveLength(resourcesOf(template, 'AWS::S3::Bucket').length);
    for (const [, policy] of policies) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('moves output to Standard-IA after 30 days and keeps it by default, by prefix (iocs/ is left alone)', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          ...['events/', 'alerts/', 'rejected/'].map((prefix) =>
            Match.objectLike({
              Prefix: prefix,
              Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
              ExpirationInDays: Match.absent(),
            }),
          ),
          { Id: 'output-housekeeping', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' },
          // The exactly-once bookkeeping's attempt manifests (docs/lambda.md) expire on their own.
          { Id: 'expire-attempt-manifests', Prefix: '_state/', ExpirationInDays: 8, Status: 'Enabled' },
        ],
      },
    });
  });
});

describe('query catalog', () => {
  it.each(['events', 'alerts'])('%s table uses partition projection on dt and hour', (name) => {
    const outputBucket = logicalId(synthesised.stack.storage.output);
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: name,
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [
          Match.objectLike({ Name: 'dt', Type: 'string' }),
          Match.objectLike({ Name: 'hour', Type: 'string' }),
        ],
        Parameters: Match.objectLike({
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': '2026-01-01,NOW',
          'projection.dt.interval': '1',
          'projection.dt.interval.unit': 'DAYS',
          'projection.hour.type': 'integer',
          'projection.hour.range': '0,23',
          'projection.hour.digits': '2',
          'storage.location.template': {
            'Fn::Join': ['', ['s3://', { Ref: outputBucket }, `/${name}/dt=\${dt}/hour=\${hour}/`]],
          },
        }),
        StorageDescriptor: Match.objectLike({
          SerdeInfo: {
            SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            Parameters: { 'case.insensitive': 'true' },
          },
        }),
      }),
    });
  });

  it('events columns are lower case and include the enrichment fields', () => {
    const events = resourcesOf(template, 'AWS::Glue::Table').find(
      ([, t]) => (t.Properties.TableInput as { Name: string }).Name === 'events',
    );
    if (events === undefined) throw new Error('no events table');
    const columns = (
      events[1].Properties.TableInput as { StorageDescriptor: { Columns: { Name: string; Type: string }[] } }
    ).StorageDescriptor.Columns;
    const names = columns.map((c) => c.Name);
    for (const name of [
      'host',
      'event_id',
      'time',
      'record_id',
      'destinationhostname',
      'destinationhostnamesource',
      'queryname',
      'queryresults',
      'hashes',
    ]) {
      expect(names).toContain(name);
    }
    expect(names.every((n) => n === n.toLowerCase())).toBe(true);
    expect(columns.find((c) => c.Name === 'event_id')?.Type).toBe('int');
    expect(columns.find((c) => c.Name === 'record_id')?.Type).toBe('bigint');
  });

  it('has an enforced, encrypted, capped workgroup', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        ResultConfiguration: Match.objectLike({ EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } }),
      }),
    });
  });

  it('has every named query, rendered against the stack database', () => {
    const queries = resourcesOf(template, 'AWS::Athena::NamedQuery');
    expect(queries.map(([, q]) => q.Properties.Name).sort()).toEqual(NAMED_QUERIES.map((q) => q.name).sort());
    for (const [, query] of queries) {
      expect(query.Properties.Database).toBe('hookstream');
      expect(query.Properties.QueryString).toMatch(/"hookstream"\."(events|alerts)"/);
      expect(query.Properties.QueryString).not.toContain('${');
    }
  });
});

describe('alerts', () => {
  it('publishes to a KMS-encrypted topic', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'hookstream alerts',
      KmsMasterKeyId: Match.anyValue(),
    });
  });

  it('mails high and critical alerts, with a redrive DLQ', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'soc@example.com',
      FilterPolicy: { level: ['high', 'critical'] },
      RedrivePolicy: Match.anyValue(),
    });
  });

  it('queues medium and above for Slack, enveloped (not raw), with a redrive DLQ', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      FilterPolicy: { level: ['medium', 'high', 'critical'] },
      RawMessageDelivery: false,
      RedrivePolicy: Match.anyValue(),
    });
  });

  it('feeds the forwarder from the Slack queue with item failures and a concurrency cap', () => {
    const slack = synthesised.stack.alerting.slack;
    if (slack === undefined) throw new Error('no slack');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(slack.forwarder) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 180,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(slack.deadLetters), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
  });
});

describe('operations', () => {
  const alarms = () => resourcesOf(template, 'AWS::CloudWatch::Alarm');

  it('alarms on iterator age of both stream consumers', () => {
    const iterator = alarms().filter(([, a]) => a.Properties.MetricName === 'IteratorAge');
    expect(iterator).toHaveLength(2);
    for (const [, alarm] of iterator) expect(alarm.Properties.Threshold).toBe(300_000);
  });

  it.each(['Errors', 'Throttles'])('alarms on %s of every function', (metric) => {
    expect(alarms().filter(([, a]) => a.Properties.MetricName === metric)).toHaveLength(4);
  });

  it('alarms on objects written to the failed-batches bucket', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/S3',
      MetricName: 'PutRequests',
      Dimensions: Match.arrayWith([{ Name: 'FilterId', Value: 'EntireBucket' }]),
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::S3::Bucket', { MetricsConfigurations: [{ Id: 'EntireBucket' }] });
  });

  it('alarms on visible messages in each dead-letter queue', () => {
    expect(alarms().filter(([, a]) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible')).toHaveLength(
      3,
    );
  });

  it('alarms on the unresolved share with metric math over both enrich functions', () => {
    const share = alarms().find(([, a]) => Array.isArray(a.Properties.Metrics));
    const metrics = share?.[1].Properties.Metrics as {
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string; Namespace: string } };
    }[];
    expect(metrics.find((m) => m.Expression)?.Expression).toBe(
      '100 * (FILL(u0, 0) + FILL(u1, 0)) / (FILL(e0, 0) + FILL(e1, 0) + FILL(u0, 0) + FILL(u1, 0))',
    );
    const names = metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat?.Metric.MetricName);
    expect(names.sort()).toEqual([
      'ConnectionsEnriched',
      'ConnectionsEnriched',
      'ConnectionsUnresolved',
      'ConnectionsUnresolved',
    ]);
    expect(share?.[1].Properties.Threshold).toBe(20);
  });

  it('sends every alarm to the encrypted operations topic', () => {
    const topic = logicalId(synthesised.stack.operations.topic);
    expect(alarms().length).toBeGreaterThanOrEqual(14);
    for (const [, alarm] of alarms()) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topic }]);
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'hookstream operations',
      KmsMasterKeyId: Match.anyValue(),
    });
  });

  it('lets CloudWatch use the topic key', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          }),
        ]),
      },
    });
  });

  it('has a dashboard with throughput, enrichment, matches by level and latency', () => {
    const [dashboard] = resourcesOf(template, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard?.[1].Properties.DashboardBody);
    for (const title of ['Throughput', 'Enrichment', 'Matches by level', 'Latency']) expect(body).toContain(title);
    expect(body).toContain('MatchesByLevel');
  });
});

// Every bundled function ships its source map and maps its stack traces through it (lambda/lazy-source-maps.ts),
// reading it when a stack is first formatted instead of at every cold start (NODE_OPTIONS --enable-source-maps, no
// longer set); the map holds what a stack trace needs (mappings, file names, symbol names) and not the sources'
// text (sourcesContent: 3.6 of the enrich map's 5.5 MB). Asserted on the synthesised assets, as deployed.
interface FunctionResource {
  Properties: { Environment?: { Variables?: Record<string, unknown> } };
  Metadata?: Record<string, string>;
}

/** [logical id, asset folder, environment] of each function bundled from a local asset. */
function bundledFunctions(): [string, string, Record<string, unknown>][] {
  const resources = synthesised.template.findResources('AWS::Lambda::Function') as Record<string, FunctionResource>;
  return Object.entries(resources)
    .filter(([, fn]) => fn.Metadata?.['aws:asset:path'] !== undefined)
    .map(([id, fn]) => [
      id,
      join(synthesised.app.outdir, fn.Metadata?.['aws:asset:path'] as string),
      fn.Properties.Environment?.Variables ?? {},
    ]);
}

describe('the bundled functions', () => {
  it('are found (the stack bundles at least the enrich, enrich-hold and DNS answers functions)', () => {
    expect(bundledFunctions().length).toBeGreaterThanOrEqual(3);
  });

  it('map their stack traces lazily through their source map, which has mappings and no sources text', () => {
    for (const [id, asset, variables] of bundledFunctions()) {
      expect([id, variables.NODE_OPTIONS]).toEqual([id, undefined]);
      const code = readFileSync(join(asset, 'index.mjs'), 'utf8');
      // The handler's lazy mapping is in the bundle (minified, the property names stay).
      expect([id, code.includes('Error.prepareStackTrace=')]).toEqual([id, true]);
      expect([id, code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')]).toEqual([id, true]);
      const map = JSON.parse(readFileSync(join(asset, 'index.mjs.map'), 'utf8')) as Record<string, unknown>;
      expect([id, 'sourcesContent' in map]).toEqual([id, false]);
      expect([id, typeof map.mappings === 'string' && map.mappings.length > 0]).toEqual([id, true]);
      // The project's own files are named, so a stack trace points at lambda/ and src/ lines.
      const sources = map.sources as string[];
      expect([id, sources.some((source) => /(^|\/)lambda\/.+\.ts$/.test(source))]).toEqual([id, true]);
    }
  });
});
