/**
 * Mirrors the local bucket's output areas (events/, alerts/, rejected/) to a folder with the same keys, so
 * `hookstream query --out <dir>` reads what the Lambda functions wrote. Each sync lists the areas; new or changed
 * objects (by ETag) are fetched, each to a temporary name then renamed, so a reader never sees half an object; a
 * file this mirror wrote whose object is gone is deleted. The enrich function deletes objects: a retry of a failed
 * attempt removes what that attempt wrote and the retry does not write again (docs/lambda.md, "Exactly once"), and
 * a mirror that kept them would show those events twice.
 *
 * Only files this mirror wrote in this session (tracked by key) are ever deleted: anything else in the folder, an
 * earlier session's files included, is left alone. The bookkeeping under `_state/` is not output and is never
 * copied.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';

const AREAS = ['events/', 'alerts/', 'rejected/'] as const;

/** What one sync did. */
export interface MirrorSync {
  /** Objects copied (new or changed). */
  written: number;
  /** Files deleted because their object is gone. */
  deleted: number;
}

export class BucketMirror {
  readonly #s3: S3Client;
  readonly #bucket: string;
  readonly #out: string;
  /** Key -> ETag of what this mirror wrote and is on disk. */
  readonly #copied = new Map<string, string>();
  #deleted = 0;

  constructor(s3: S3Client, bucket: string, out: string) {
    this.#s3 = s3;
    this.#bucket = bucket;
    this.#out = path.resolve(out);
  }

  /** Objects on disk. */
  get objects(): number {
    return this.#copied.size;
  }

  /** Files deleted since the start, their objects gone from the bucket. */
  get deleted(): number {
    return this.#deleted;
  }

  /** Copies what is new or changed since the last sync and deletes the files of objects that are gone. */
  async sync(): Promise<MirrorSync> {
    // The whole listing first: a file is deleted only when its key is absent from a complete listing.
    const listed = await this.#list();
    let written = 0;
    let deleted = 0;
    for (const [key, etag] of listed) {
      if (this.#copied.get(key) === etag) continue;
      if (await this.#copy(key)) written++;
      else listed.delete(key);
    }
    for (const key of [...this.#copied.keys()]) {
      if (listed.has(key)) continue;
      await rm(this.#target(key), { force: true });
      this.#copied.delete(key);
      deleted++;
    }
    this.#deleted += deleted;
    return { written, deleted };
  }

  /** Key -> ETag of every object in the output areas. */
  async #list(): Promise<Map<string, string>> {
    const listed = new Map<string, string>();
    for (const prefix of AREAS) {
      let token: string | undefined;
      do {
        const page = await this.#s3.send(
          new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) if (object.Key) listed.set(object.Key, object.ETag ?? '');
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
    }
    return listed;
  }

  #target(key: string): string {
    const target = path.resolve(this.#out, key);
    // Keys come from our own writer, but a key with `..` must not escape the folder.
    if (!target.startsWith(this.#out + path.sep)) throw new Error(`object key outside the output folder: ${key}`);
    return target;
  }

  /** Copies one object; false when it was deleted between the listing and the read. */
  async #copy(key: string): Promise<boolean> {
    const target = this.#target(key);
    let body: Uint8Array;
    let etag: string;
    try {
      const got = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      body = (await got.Body?.transformToByteArray()) ?? new Uint8Array();
      etag = got.ETag ?? '';
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: unknown }).name === 'NoSuchKey') return false;
      throw error;
    }
    await mkdir(path.dirname(target), { recursive: true });
    const partial = `${target}.partial`;
    await writeFile(partial, body);
    await rename(partial, target);
    this.#copied.set(key, etag);
    return true;
  }
}
