/**
 * The Kinesis capacity mode from context: on-demand by default, provisioned with `streamMode=provisioned` and
 * `shardCount=N`; encryption the same in both. Two synths (no bundling); the setting's errors without synth.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { InvalidSettingError, readSettings } from '../../infra/settings.js';
import { FIXTURE_RULES, resourcesOf, synth } from './synth.js';

const managedEncryption = { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' };

describe('stream mode', () => {
  it('is on-demand by default, with no shard count and the aws/kinesis key', () => {
    const { template } = synth({ rules: FIXTURE_RULES }, { bundle: false });
    const streams = resourcesOf(template, 'AWS::Kinesis::Stream');
    expect(streams).toHaveLength(1);
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      ShardCount: Match.absent(),
      StreamEncryption: managedEncryption,
    });
  });

  it('is provisioned with streamMode=provisioned and shardCount, encryption unchanged', () => {
    const { template } = synth({ rules: FIXTURE_RULES, streamMode: 'provisioned', shardCount: '3' }, { bundle: false });
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      ShardCount: 3,
      StreamEncryption: managedEncryption,
    });
  });
});

describe('streamMode and shardCount settings', () => {
  const read = (context: Record<string, unknown>) => readSettings((key) => context[key]);

  it.each([
    [{}, 'on-demand', undefined],
    [{ streamMode: 'on-demand' }, 'on-demand', undefined],
    [{ streamMode: 'Provisioned', shardCount: '56' }, 'provisioned', 56],
    [{ shardCount: 4 }, 'provisioned', 4],
  ])('%j gives %s with %s shards', (context, mode, shards) => {
    const settings = read(context);
    expect(settings.streamMode).toBe(mode);
    expect(settings.shardCount).toBe(shards);
  });

  it.each([
    [{ streamMode: 'provisioned' }, 'shardCount', /needs a shard count/],
    [{ streamMode: 'provisioned', shardCount: '0' }, 'shardCount', /not a positive integer/],
    [{ streamMode: 'provisioned', shardCount: '2.5' }, 'shardCount', /not a positive integer/],
    [{ streamMode: 'provisioned', shardCount: '-1' }, 'shardCount', /not a positive integer/],
    [{ streamMode: 'provisioned', shardCount: 'four' }, 'shardCount', /not a positive integer/],
    [{ streamMode: 'provisioned', shardCount: '1e3' }, 'shardCount', /not a positive integer/],
    [{ streamMode: 'on-demand', shardCount: '4' }, 'shardCount', /takes no shard count/],
    [{ streamMode: 'serverless' }, 'streamMode', /not one of on-demand, provisioned/],
  ])('%j fails naming %s in one line', (context, key, message) => {
    let error: unknown;
    try {
      read(context);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(InvalidSettingError);
    expect((error as InvalidSettingError).key).toBe(key);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
