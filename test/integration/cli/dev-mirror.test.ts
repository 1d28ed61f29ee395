/**
 * `hookstream dev --out`'s mirror (cli/dev/bucket-mirror.ts) against s3rver: the folder follows the bucket's
 * events/, alerts/ and rejected/, deletions included (the enrich function deletes a failed attempt's stale objects),
 * never copies `_state/`, and deletes only files it wrote itself.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BucketMirror } from '../../../cli/dev/bucket-mirror.js';
import { type Emulators, S3RVER_CREDENTIALS, startEmulators } from '../../helpers/emulators.js';

const BUCKET = 'mirror-test';

describe('BucketMirror', () => {
  let emulators: Emulators;
  let out: string;
  let bucket: string;
  let buckets = 0;

  beforeAll(async () => {
    emulators = await startEmulators({ services: ['s3'] });
  });

  afterAll(async () => {
    await emulators?.stop();
  });

  beforeEach(async () => {
    // A bucket and a folder per test: no test sees another's objects.
    bucket = `${BUCKET}-${++buckets}`;
    await emulators.createBucket(bucket);
    out = await mkdtemp(path.join(tmpdir(), 'hookstream-mirror-'));
  });

  afterEach(async () => {
    await rm(out, { recursive: true, force: true });
  });

  const put = (key: string, body: string) =>
    emulators.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from(body) }));
  const remove = (key: string) => emulators.clients.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  const files = async () =>
    (await readdir(out, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(out, path.join(entry.parentPath, entry.name)))
      .sort();

  it('copies events/, alerts/ and rejected/ with their keys, and nothing else of the bucket', async () => {
    // Prepare
    await put('events/dt=2020-01-01/hour=00/a.json.gz', 'event a');
    await put('alerts/dt=2020-01-01/hour=00/a.json.gz', 'alert a');
    await put('rejected/dt=2020-01-01/hour=00/a.json.gz', 'rejected a');
    await put('_state/attempts/stream/shardId-000000000000/1.json', '{"keys":[]}');
    await put('other/b.json.gz', 'not output');
    const mirror = new BucketMirror(emulators.clients.s3, bucket, out);

    // Act
    const sync = await mirror.sync();

    // Assess
    expect(sync).toEqual({ written: 3, deleted: 0 });
    expect(await files()).toEqual([
      'alerts/dt=2020-01-01/hour=00/a.json.gz',
      'events/dt=2020-01-01/hour=00/a.json.gz',
      'rejected/dt=2020-01-01/hour=00/a.json.gz',
    ]);
    expect(await readFile(path.join(out, 'events/dt=2020-01-01/hour=00/a.json.gz'), 'utf8')).toBe('event a');
    expect(mirror.objects).toBe(3);
  });

  it('deletes at the next sync the file of an object deleted from the bucket, and only that one', async () => {
    // Prepare
    await put('events/dt=2020-01-01/hour=00/stale.json.gz', 'stale');
    await put('events/dt=2020-01-01/hour=00/kept.json.gz', 'kept');
    await put('alerts/dt=2020-01-01/hour=00/stale.json.gz', 'stale alert');
    const mirror = new BucketMirror(emulators.clients.s3, bucket, out);
    await mirror.sync();
    expect(await files()).toContain('events/dt=2020-01-01/hour=00/stale.json.gz');

    // Act: what a retry of a failed attempt does to that attempt's objects.
    await remove('events/dt=2020-01-01/hour=00/stale.json.gz');
    await remove('alerts/dt=2020-01-01/hour=00/stale.json.gz');
    const sync = await mirror.sync();

    // Assess
    expect(sync).toEqual({ written: 0, deleted: 2 });
    expect(await files()).toEqual(['events/dt=2020-01-01/hour=00/kept.json.gz']);
    expect(mirror).toMatchObject({ objects: 1, deleted: 2 });
    expect(await mirror.sync()).toEqual({ written: 0, deleted: 0 });
  });

  it('never deletes a file it did not write in this session', async () => {
    // Prepare: an earlier session's file and a user's note in the areas, neither of them an object of this bucket.
    const earlier = 'events/dt=2019-05-01/hour=12/earlier-session.json.gz';
    const note = 'alerts/notes.txt';
    for (const file of [earlier, note]) {
      await mkdir(path.dirname(path.join(out, file)), { recursive: true });
      await writeFile(path.join(out, file), 'keep me');
    }
    await put('events/dt=2020-01-01/hour=00/a.json.gz', 'a');
    const mirror = new BucketMirror(emulators.clients.s3, bucket, out);
    await mirror.sync();

    // Act
    await remove('events/dt=2020-01-01/hour=00/a.json.gz');
    const sync = await mirror.sync();

    // Assess
    expect(sync).toEqual({ written: 0, deleted: 1 });
    expect(await files()).toEqual([note, earlier]);
    expect(await readFile(path.join(out, earlier), 'utf8')).toBe('keep me');
  });

  it('rewrites a changed object, and one deleted and written again', async () => {
    // Prepare
    const key = 'events/dt=2020-01-01/hour=00/a.json.gz';
    const mirror = new BucketMirror(emulators.clients.s3, bucket, out);
    await put(key, 'first');
    await mirror.sync();

    // Act
    await put(key, 'second');
    const changed = await mirror.sync();
    await remove(key);
    const gone = await mirror.sync();
    await put(key, 'third');
    const back = await mirror.sync();

    // Assess
    expect([changed, gone, back]).toEqual([
      { written: 1, deleted: 0 },
      { written: 0, deleted: 1 },
      { written: 1, deleted: 0 },
    ]);
    expect(await readFile(path.join(out, key), 'utf8')).toBe('third');
  });

  it('treats an object deleted between the listing and the read as gone, deleting its older copy', async () => {
    // Prepare: a client that, once racing, deletes each object just before the mirror reads it.
    const changed = 'events/dt=2020-01-01/hour=00/changed.json.gz';
    const fresh = 'events/dt=2020-01-01/hour=00/fresh.json.gz';
    let racing = false;
    const client = new S3Client({
      region: 'us-east-1',
      credentials: S3RVER_CREDENTIALS,
      endpoint: emulators.endpoints.s3,
      forcePathStyle: true,
    });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: string }).Key;
        if (racing && context.commandName === 'GetObjectCommand' && key !== undefined) await remove(key);
        return next(args);
      },
      { step: 'initialize', name: 'deleteBeforeRead' },
    );
    const mirror = new BucketMirror(client, bucket, out);
    await put(changed, 'first');
    await mirror.sync();
    expect(await files()).toEqual([changed]);
    await put(changed, 'second');
    await put(fresh, 'new');

    // Act
    racing = true;
    const sync = await mirror.sync();

    // Assess
    expect(sync).toEqual({ written: 0, deleted: 1 });
    expect(await files()).toEqual([]);
    expect(mirror.objects).toBe(0);
    client.destroy();
  });
});
