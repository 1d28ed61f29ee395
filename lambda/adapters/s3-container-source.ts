/**
 * The IOC container store port (src/ioc/container-reloader.ts) over an S3 prefix: ListObjectsV2 of the prefix (every
 * page) for the keys and ETags, GetObject for a file's text. Keys ending in `/` (console "folders") and keys in
 * sub-prefixes are left out: one file per container, directly under the prefix. Throttling and 5xx are retried
 * with backoff, then thrown (the batch is retried); the reloader keeps its last contents meanwhile.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ContainerObject, ContainerStore } from '../../src/ioc/container-reloader.js';
import { type ResolvedRetryOptions, type RetryOptions, resolveRetryOptions, retryOnTransient } from './retry.js';

export interface S3ContainerSourceOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix of the container files, e.g. `iocs/` (a trailing `/` is added when missing). */
  prefix: string;
  /** Backoff for throttling and 5xx on top of the SDK's own retries. Defaults: see RetryOptions. */
  retry?: RetryOptions;
}

export class S3ContainerSource implements ContainerStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #retry: ResolvedRetryOptions;

  constructor(options: S3ContainerSourceOptions) {
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#prefix = options.prefix === '' || options.prefix.endsWith('/') ? options.prefix : `${options.prefix}/`;
    this.#retry = resolveRetryOptions(options.retry);
  }

  async list(): Promise<ContainerObject[]> {
    const out: ContainerObject[] = [];
    let token: string | undefined;
    do {
      const page = await retryOnTransient('s3:ListObjectsV2', this.#retry, () =>
        this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: this.#prefix,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        ),
      );
      for (const item of page.Contents ?? []) {
        const key = item.Key;
        if (key === undefined || key.endsWith('/') || key.slice(this.#prefix.length).includes('/')) continue;
        out.push({ key, etag: item.ETag ?? `${item.LastModified?.toISOString()}:${item.Size}` });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async read(key: string): Promise<string> {
    const got = await retryOnTransient('s3:GetObject', this.#retry, () =>
      this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key })),
    );
    return (await got.Body?.transformToString('utf8')) ?? '';
  }
}
