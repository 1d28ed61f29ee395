/** lambda/config.ts: the IOC containers settings (the rest of enrichConfig is covered through the Lambda tests). */
import { DEFAULT_CONTAINERS_PREFIX, ENV, enrichConfig, MissingConfigurationError } from '../../../lambda/config.js';

const REQUIRED = {
  [ENV.resolutionTable]: 'r',
  [ENV.watermarkTable]: 'w',
  [ENV.dedupeTable]: 'd',
  [ENV.outputBucket]: 'out',
  [ENV.alertTopicArn]: 'arn:aws:sns:us-east-1:1:t',
  [ENV.holdQueueUrl]: 'http://q',
  [ENV.streamArn]: 'arn:aws:kinesis:us-east-1:1:stream/s',
};

describe('enrichConfig containers', () => {
  it('has none without CONTAINERS_BUCKET', () => {
    expect(enrichConfig(REQUIRED).containers).toBeUndefined();
  });

  it('defaults the prefix to iocs/ and the reload to 60 s', () => {
    expect(enrichConfig({ ...REQUIRED, [ENV.containersBucket]: 'out' }).containers).toEqual({
      bucket: 'out',
      prefix: DEFAULT_CONTAINERS_PREFIX,
      reloadMs: 60_000,
    });
    expect(DEFAULT_CONTAINERS_PREFIX).toBe('iocs/');
  });

  it('reads the prefix and the reload interval, and refuses a bad interval', () => {
    const env = {
      ...REQUIRED,
      [ENV.containersBucket]: 'b',
      [ENV.containersPrefix]: 'lists/',
      [ENV.containersReloadSeconds]: '5',
    };
    expect(enrichConfig(env).containers).toEqual({ bucket: 'b', prefix: 'lists/', reloadMs: 5000 });
    expect(() => enrichConfig({ ...env, [ENV.containersReloadSeconds]: '0' })).toThrow(MissingConfigurationError);
  });
});
