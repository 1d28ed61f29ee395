/**
 * The object writer port over S3: one PutObject per object, Buffer body (never a stream: no re-reading problems
 * on retry, and a known Content-Length).
 */

import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ObjectWriter } from '../../src/pipeline/ports.js';
import { type ResolvedRetryOptions, type RetryOptions, resolveRetryOptions, retryOnTransient } from './retry.js';

export interface S3ObjectWriterOptions {
  client: S3Client;
  bucket: string;
  /** Backoff for throttling (503 SlowDown) and 5xx on top of the SDK's own retries. Defaults: see RetryOptions. */
  retry?: RetryOptions;
  /** Called for each request sent (operation name), e.g. to emit a metric. */
  onRequest?: (operation: string) => void;
}

export class S3ObjectWriter implements ObjectWriter {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #retry: ResolvedRetryOptions;
  readonly #onRequest: ((operation: string) => void) | undefined;
  #requestCount = 0;

  constructor(options: S3ObjectWriterOptions) {
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#retry = resolveRetryOptions(options.retry);
    this.#onRequest = options.onRequest;
  }

  /** Requests sent since construction, retries included. */
  get requestCount(): number {
    return this.#requestCount;
  }

  async put(key: string, body: Uint8Array, options: { contentType: string; contentEncoding?: string }): Promise<void> {
    const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    await retryOnTransient('s3:PutObject', this.#retry, () => {
      this.#requestCount++;
      this.#onRequest?.('PutObject');
      return this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: buffer,
          ContentType: options.contentType,
          ContentEncoding: options.contentEncoding,
        }),
      );
    });
  }

  /** DeleteObject succeeds for a key that does not exist, so deleting a failed attempt's objects is idempotent. */
  async delete(key: string): Promise<void> {
    await retryOnTransient('s3:DeleteObject', this.#retry, () => {
      this.#requestCount++;
      this.#onRequest?.('DeleteObject');
      return this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
    });
  }
}
