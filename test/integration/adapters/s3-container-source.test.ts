/**
 * IOC containers from an S3 prefix (s3rver): the adapter lists and reads the files, and the reloader over it
 * changes what compiled rules match when a file changes, is added or removed, with no recompile.
 */
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { S3ContainerSource } from '../../../lambda/adapters/s3-container-source.js';
import { compileRules } from '../../../src/detection/index.js';
import type { CanonicalEvent } from '../../../src/events/canonical-event.js';
import { ContainerReloader } from '../../../src/ioc/container-reloader.js';
import { ContainerSet } from '../../../src/ioc/container-set.js';
import { type Emulators, startEmulators } from '../../helpers/emulators.js';

const BUCKET = 'hookstream-output';
const PREFIX = 'iocs/';

const RULE = JSON.stringify({
  Name: 'BlacklistedQuery',
  Meta: { Events: { 'Microsoft-Windows-DNS-Client/Operational': [] }, Criticality: 9 },
  Matches: ["$d: extract('(?P<dom>[^.]+\\.[^.]+$)', QueryName) in blacklist"],
  Condition: '$d',
});

const query = (name: string): CanonicalEvent => ({
  host: 'PC1',
  channel: 'Microsoft-Windows-DNS-Client/Operational',
  provider: 'Microsoft-Windows-DNS-Client',
  eventId: 3008,
  time: Date.UTC(2024, 0, 1),
  format: 'evtx-json',
  data: { QueryName: name },
});

describe('S3ContainerSource', () => {
  let emulators: Emulators;
  const put = (key: string, text: string) =>
    emulators.clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: text }));

  beforeAll(async () => {
    emulators = await startEmulators({ services: ['s3'] });
    await emulators.createBucket(BUCKET);
  });

  afterAll(async () => {
    await emulators?.stop();
  });

  it('lists the files directly under the prefix, with ETags that change with the content, and reads them', async () => {
    await put(`${PREFIX}blacklist.txt`, '# domains\nevil.com\n');
    await put(`${PREFIX}nested/other.txt`, 'x\n');
    await put('events/dt=2024-01-01/a.jsonl', '{}\n');
    const source = new S3ContainerSource({ client: emulators.clients.s3, bucket: BUCKET, prefix: 'iocs' });
    const first = await source.list();
    expect(first.map((o) => o.key)).toEqual([`${PREFIX}blacklist.txt`]);
    expect(await source.read(`${PREFIX}blacklist.txt`)).toBe('# domains\nevil.com\n');
    await put(`${PREFIX}blacklist.txt`, 'evil.com\nbad.org\n');
    const second = await source.list();
    expect(second[0]?.etag).not.toBe(first[0]?.etag);
  });

  it('through the reloader, a compiled Gene rule follows the files: changed, then removed', async () => {
    await put(`${PREFIX}blacklist.txt`, 'evil.com\n');
    const containers = new ContainerSet();
    const { ruleSet, rejected } = compileRules([{ file: 'r.gen', text: RULE }], { containers });
    expect(rejected).toEqual([]);
    let now = 0;
    const reloader = new ContainerReloader(
      new S3ContainerSource({ client: emulators.clients.s3, bucket: BUCKET, prefix: PREFIX }),
      containers,
      { intervalMs: 30_000, now: () => now },
    );
    const hit = (name: string) => ruleSet.match(query(name)).length > 0;

    expect(await reloader.refresh()).toEqual({ checked: true, reloaded: true, containers: 1 });
    expect([hit('www.evil.com'), hit('www.bad.org')]).toEqual([true, false]);

    await put(`${PREFIX}blacklist.txt`, 'bad.org\n');
    now += 10_000; // within the interval: not listed yet
    expect((await reloader.refresh()).checked).toBe(false);
    expect(hit('www.evil.com')).toBe(true);
    now += 20_000;
    expect(await reloader.refresh()).toEqual({ checked: true, reloaded: true, containers: 1 });
    expect([hit('www.evil.com'), hit('www.bad.org')]).toEqual([false, true]);

    await emulators.clients.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}blacklist.txt` }));
    now += 30_000;
    expect(await reloader.refresh()).toEqual({ checked: true, reloaded: true, containers: 0 });
    expect(hit('www.bad.org')).toBe(false);
  });
});
