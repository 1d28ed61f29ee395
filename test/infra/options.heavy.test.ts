/**
 * Context switches, each synthesised without bundling (the template is what they change).
 */
import { Match } from 'aws-cdk-lib/assertions';
import type { SelectingRuleCompiler } from '../../infra/build-app.js';
import { DNS_FILTER_PATTERNS } from '../../infra/constructs/pipeline-functions.js';
import { RuleBundleError } from '../../infra/constructs/rule-bundle.js';
import { InvalidSettingError } from '../../infra/settings.js';
import { DNS_CLIENT_CHANNEL, SYSMON_CHANNEL } from '../../src/events/canonical-event.js';
import { FORMATS } from '../../src/events/formats/index.js';
import { passesFilters } from '../helpers/lambda-filter.js';
import { FIXTURE_RULES, realCompiler, resourcesOf, synth } from './synth.js';

const base = { rules: FIXTURE_RULES };

describe('cross-account producers, provisioned stream, event-source filter, strict e-mail', () => {
  const synthesised = () => cached;
  let cached: ReturnType<typeof synth>;
  beforeAll(() => {
    cached = synth(
      {
        ...base,
        producerAccounts: '111122223333,444455556666',
        shardCount: '4',
        eventSourceFilter: 'true',
        alertEmail: 'soc@example.com',
        emailMinLevel: 'critical',
        expireDays: '400',
        versioned: 'true',
        networkLabels: 'test/infra/fixtures/network-labels.csv',
      },
      { bundle: false },
    );
  });

  it('networkLabels: the checked table reaches both enrich functions (only) as NETWORK_LABELS, and reads back', () => {
    const withLabels = resourcesOf(synthesised().template, 'AWS::Lambda::Function').filter(
      ([, fn]) => (fn.Properties.Environment as { Variables?: Record<string, unknown> })?.Variables?.NETWORK_LABELS,
    );
    expect(withLabels.map(([, fn]) => String(fn.Properties.Description)).sort()).toEqual([
      'hookstream: enrich Sysmon connections with DNS names, run Sigma rules, write S3, publish alerts',
      'hookstream: held connections after the hold window, enriched with late DNS answers',
    ]);
    for (const [, fn] of withLabels) {
      const value = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables.NETWORK_LABELS;
      expect(JSON.parse(value as string)).toEqual({ '10.20.0.0/16': 'corp-vpn', '2001:db8:aa::/48': 'lab v6' });
    }
  });

  it('provisions the shards', () => {
    synthesised().template.hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: 4,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
    });
  });

  it('encrypts with the customer managed key and lets the producer accounts put records', () => {
    const { template, stack } = synthesised();
    const keyId = stack.getLogicalId(stack.node.findChild('Key').node.defaultChild as never);
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamEncryption: { EncryptionType: 'KMS', KeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
    });
    template.hasResourceProperties('AWS::Kinesis::ResourcePolicy', {
      ResourcePolicy: {
        Statement: [
          Match.objectLike({
            Action: Match.arrayWith(['kinesis:PutRecord', 'kinesis:PutRecords']),
            Principal: {
              AWS: [
                { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:root']] },
                { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::444455556666:root']] },
              ],
            },
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'kms:GenerateDataKey' })]) },
    });
  });

  it('filters the dns-answers source to DNS events with one filter per shipper shape', () => {
    const filtered = resourcesOf(synthesised().template, 'AWS::Lambda::EventSourceMapping').filter(
      ([, r]) => r.Properties.FilterCriteria !== undefined,
    );
    expect(filtered).toHaveLength(1);
    const [, source] = filtered[0] ?? [];
    const filters =
      (source?.Properties.FilterCriteria as { Filters: { Pattern: string }[] } | undefined)?.Filters ?? [];
    expect(filters.map((f) => JSON.parse(f.Pattern))).toEqual(DNS_FILTER_PATTERNS);
    expect(filters.length).toBeLessThanOrEqual(5);
  });

  it("lets through the template's filters every JSON format's DNS answers and none of its other events", () => {
    // The patterns as deployed (the template's strings), evaluated the way Lambda does (test/helpers/lambda-filter.ts).
    const [, source] =
      resourcesOf(synthesised().template, 'AWS::Lambda::EventSourceMapping').find(
        ([, r]) => r.Properties.FilterCriteria !== undefined,
      ) ?? [];
    const patterns = (
      (source?.Properties.FilterCriteria as { Filters: { Pattern: string }[] } | undefined)?.Filters ?? []
    ).map((f) => JSON.parse(f.Pattern));
    const event = (channel: string, provider: string, eventId: number) => ({
      host: 'h',
      channel,
      provider,
      eventId,
      time: 0,
      format: 'nxlog' as const,
      data: { QueryName: 'example.org' },
    });
    const dns = [
      event(SYSMON_CHANNEL, 'Microsoft-Windows-Sysmon', 22),
      event(DNS_CLIENT_CHANNEL, 'Microsoft-Windows-DNS-Client', 3008),
    ];
    const other = [
      event(SYSMON_CHANNEL, 'Microsoft-Windows-Sysmon', 3),
      event('Security', 'Microsoft-Windows-Security-Auditing', 4624),
    ];
    for (const format of FORMATS.filter((f) => f.format !== 'xml')) {
      for (const e of dns)
        expect([format.format, passesFilters(patterns, format.encode(e))]).toEqual([format.format, true]);
      for (const e of other)
        expect([format.format, passesFilters(patterns, format.encode(e))]).toEqual([format.format, false]);
    }
  });

  it('mails only critical alerts and creates no Slack forwarder', () => {
    const { template } = synthesised();
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      FilterPolicy: { level: ['critical'] },
    });
    template.resourceCountIs('AWS::Lambda::Function', 3);
    template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'sqs' }, 0);
  });

  it('expires output by prefix and keeps noncurrent versions 30 days when versioned', () => {
    synthesised().template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: [
          ...['events/', 'alerts/', 'rejected/'].map((prefix) =>
            Match.objectLike({ Prefix: prefix, ExpirationInDays: 400 }),
          ),
          Match.objectLike({ Id: 'output-housekeeping', NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
          Match.objectLike({ Prefix: '_state/', ExpirationInDays: 8 }),
        ],
      },
    });
  });
});

describe('rules check at synth', () => {
  it('fails synth naming every rule that does not compile', () => {
    expect(() => synth({ rules: `${FIXTURE_RULES},test/infra/fixtures/bad-rules` }, { bundle: false })).toThrow(
      expect.objectContaining({
        name: RuleBundleError.name,
        message: expect.stringContaining('bad-rules/broken-condition.yml'),
      }),
    );
  });

  it('with skipInvalidRules=true, leaves them out and lists them, and tells the functions to do the same', () => {
    const built = synth(
      { rules: `${FIXTURE_RULES},test/infra/fixtures/bad-rules`, skipInvalidRules: 'true' },
      { bundle: false },
    );
    expect(built.invalidSkipped).toEqual([
      expect.objectContaining({ file: 'bad-rules/broken-condition.yml', reason: expect.any(String) }),
    ]);
  });

  it('compiles only the rules that minLevel, status and tags choose', () => {
    let compiled: unknown;
    const spy: SelectingRuleCompiler = (sources, options) => {
      const result = realCompiler(sources, options);
      compiled = result.compiled;
      return result;
    };
    synth({ rules: FIXTURE_RULES }, { bundle: false, compileRules: spy });
    const all = compiled;
    synth({ rules: FIXTURE_RULES, minLevel: 'critical' }, { bundle: false, compileRules: spy });
    expect(all).toBeGreaterThan(0);
    expect(compiled).toBe(0);
  });

  it('fails synth when a rule folder does not exist', () => {
    expect(() => synth({ rules: 'test/infra/fixtures/no-such-folder' }, { bundle: false })).toThrow(RuleBundleError);
  });
});

describe('settings', () => {
  it.each([
    ['emailMinLevel', 'severe'],
    ['producerAccounts', '12345'],
    ['eventSourceFilter', 'yes'],
    ['holdWindowSeconds', '901'],
    ['alertEmail', 'not-an-address'],
    ['dataStartDate', '2026/01/01'],
    ['logRetentionDays', '45'],
    ['minLevel', 'urgent'],
    ['status', 'stable,!'],
    ['tags', '!'],
    ['skipInvalidRules', 'yes'],
  ])('rejects %s=%s', (key, value) => {
    expect(() => synth({ ...base, [key]: value }, { bundle: false })).toThrow(InvalidSettingError);
  });
});
