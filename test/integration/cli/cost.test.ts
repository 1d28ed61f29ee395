import { cli } from './cli-in-process.js';

describe('hookstream cost', () => {
  it('prints the table per component with a total per month and per TB', async () => {
    const { status, stdout, stderr } = await cli(['cost', '--events-per-second', '1000', '--event-bytes', '1000']);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^load: 1,000 events\/s x 1000 bytes = 86\.4 GB\/day/);
    expect(stdout).toMatch(/Kinesis on-demand, data in\s+\$200\.50/);
    expect(stdout).toMatch(/^total\s+\$[\d,]+\.\d\d\s+\$[\d,]+\.\d\d$/m);
  });

  it('sizes provisioned shards and takes the load in GB/day', async () => {
    const { status, stdout } = await cli([
      'cost',
      '--gb-per-day',
      '5000',
      '--stream',
      'provisioned',
      '--aggregation',
      '8',
      '--format',
      'json',
    ]);
    expect(status).toBe(0);
    const estimate = JSON.parse(stdout) as { shards: number; requiredShards: number; perTb: number; lines: unknown[] };
    expect(estimate.shards).toBe(56);
    expect(estimate.requiredShards).toBe(56);
    expect(estimate.lines.length).toBeGreaterThan(10);
  });

  it.each([
    [['cost'], /--events-per-second N or --gb-per-day N/],
    [['cost', '--events-per-second', 'many'], /--events-per-second: "many" is not a number/],
    [['cost', '--events-per-second', '10', '--aggregation', '0'], /aggregation must be a positive integer/],
    [['cost', '--events-per-second', '10', '--shards', '2'], /provisioned stream only/],
  ])('refuses %j in one line', async (args, message) => {
    const { status, stdout, stderr } = await cli(args);
    expect(status).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });
});
