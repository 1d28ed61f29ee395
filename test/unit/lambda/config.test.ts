/** lambda/config.ts: the IOC containers and network-label settings (the rest of enrichConfig is covered through the Lambda tests). */
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

describe('enrichConfig network labels (the network-label hook, docs/hooks.md)', () => {
  it('is off without NETWORK_LABELS (or with it blank)', () => {
    expect(enrichConfig(REQUIRED).networkLabels).toBeUndefined();
    expect(enrichConfig({ ...REQUIRED, [ENV.networkLabels]: ' ' }).networkLabels).toBeUndefined();
  });

  it('reads a JSON object or CSV lines; {} turns the hook on with no table', () => {
    const json = enrichConfig({ ...REQUIRED, [ENV.networkLabels]: '{"10.20.0.0/16":"corp-vpn","fc00::/7":"ula"}' });
    expect(json.networkLabels).toEqual([
      { cidr: '10.20.0.0/16', label: 'corp-vpn' },
      { cidr: 'fc00::/7', label: 'ula' },
    ]);
    expect(enrichConfig({ ...REQUIRED, [ENV.networkLabels]: '10.0.0.0/8,corp\n' }).networkLabels).toEqual([
      { cidr: '10.0.0.0/8', label: 'corp' },
    ]);
    expect(enrichConfig({ ...REQUIRED, [ENV.networkLabels]: '{}' }).networkLabels).toEqual([]);
  });

  it.each([
    ['{"10.0.0.1/8":"typo"}', /NETWORK_LABELS: "10\.0\.0\.1\/8" has host bits set/],
    ['{"10.0.0.0/8":', /NETWORK_LABELS: not JSON/],
    ['10.0.0.0/8\n', /NETWORK_LABELS: line 1/],
  ])('refuses %j at cold start', (value, message) => {
    expect(() => enrichConfig({ ...REQUIRED, [ENV.networkLabels]: value })).toThrow(MissingConfigurationError);
    expect(() => enrichConfig({ ...REQUIRED, [ENV.networkLabels]: value })).toThrow(message);
  });
});
