/**
 * Copies the local bucket's output areas (events/, alerts/, rejected/) to a folder with the same keys, so
 * `hookstream query --out <dir>` reads what the Lambda functions wrote. Only new or changed objects (by ETag) are
 * fetched; each file is written to a temporary name and renamed, so a reader never sees half an object. Files are
 * never deleted: objects are only ever added or overwritten by the functions.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

const AREAS = ['events/', 'alerts/', 'rejected/'] as const;

export class BucketMirror {
  readonly #s3: S3Client;
  readonly #bucket: string;
  readonly #out: string;
  /** Key -> ETag of what is on disk. */
  readonly #copied = new Map<string, string>();

  constructor(s3: S3Client, bucket: string, out: string) {
    this.#s3 = s3;
    this.#bucket = bucket;
    this.#out = path.resolve(out);
  }

  /** Objects on disk. */
  get objects(): number {
    return this.#copied.size;
  }

  /** Copies what is new or changed since the last sync; returns how many objects it wrote. */
  async sync(): Promise<number> {
    let written = 0;
    for (const prefix of AREAS) {
      let token: string | undefined;
      do {
        const page = await this.#s3.send(
          new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) {
          if (!object.Key || this.#copied.get(object.Key) === object.ETag) continue;
          await this.#copy(object.Key);
          written++;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
    }
    return written;
  }

  async #copy(key: string): Promise<void> {
    const target = path.resolve(this.#out, key);
    // Keys come from our own writer, but a key with `..` must not escape the folder.
    if (!target.startsWith(this.#out + path.sep)) throw new Error(`object key outside the output folder: ${key}`);
    const got = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
    const body = (await got.Body?.transformToByteArray()) ?? new Uint8Array();
    await mkdir(path.dirname(target), { recursive: true });
    const partial = `${target}.partial`;
    await writeFile(partial, body);
    await rename(partial, target);
    this.#copied.set(key, got.ETag ?? '');
  }
}
