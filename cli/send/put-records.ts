/**
 * PutRecords with the retries the API asks for: a request can succeed while some of its entries fail
 * (ProvisionedThroughputExceededException, InternalFailure); only those entries are put again, after a jittered
 * exponential backoff, up to a bounded number of attempts. A whole request that fails (after the SDK's own retries
 * of throttling and 5xx) stops the send: the stream is missing, the credentials are wrong, or the service is down.
 *
 * Delivery is at least once: an entry reported as failed was not written, but a request that timed out after
 * Kinesis wrote it is sent again by the SDK's retry, as with any producer.
 */
import { PutRecordsCommand, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { batchEntries, type Entry } from './batch-records.js';
import { KINESIS_LIMITS, type KinesisLimits } from './kinesis-limits.js';

/** The one call used, so a test can hand in a client with faults injected. */
export interface PutRecordsClient {
  send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput>;
}

/** Per-entry error codes PutRecords documents as transient. */
const RETRYABLE = new Set(['ProvisionedThroughputExceededException', 'InternalFailure']);

export interface PutOptions {
  streamName: string;
  /** Attempts per entry, the first included. Default 10. */
  maxAttempts?: number;
  /** First backoff ceiling; it doubles per attempt. Default 100 ms. */
  baseDelayMs?: number;
  /** Largest backoff ceiling. Default 5,000 ms. */
  maxDelayMs?: number;
  limits?: KinesisLimits;
  /** Default Math.random. */
  random?: () => number;
  /** Default setTimeout; tests record the delays instead. */
  sleep?: (ms: number) => Promise<void>;
  /** Records an earlier call of the same send put: counted in the error and its message. Default 0. */
  sentBefore?: number;
  /** After each response: entries written and given up on so far. */
  onProgress?: (progress: { sent: number; failed: number }) => void;
}

/** An entry given up on, with the last error PutRecords reported for it. */
export interface EntryFailure {
  source: string;
  errorCode: string;
  errorMessage: string;
  attempts: number;
}

export interface PutResult {
  sent: number;
  failed: EntryFailure[];
  /** PutRecords requests made. */
  requests: number;
  /** Entries put again after a per-entry failure. */
  retried: number;
  /** Backoff waits, in ms, in order. */
  delays: number[];
}

/** The whole PutRecords request failed: nothing more is sent. */
export class PutRecordsFailedError extends Error {
  constructor(
    message: string,
    readonly sentBefore: number,
  ) {
    super(message);
    this.name = 'PutRecordsFailedError';
  }
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** "Equal jitter": half the ceiling, plus a random part of the other half, so a throttled shard always gets a pause. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Puts every entry (each must fit the per-record limit), in order, batch after batch. */
export async function putEntries(
  client: PutRecordsClient,
  entries: readonly Entry[],
  options: PutOptions,
): Promise<PutResult> {
  const maxAttempts = options.maxAttempts ?? 10;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? realSleep;
  const result: PutResult = { sent: 0, failed: [], requests: 0, retried: 0, delays: [] };
  for (const batch of batchEntries(entries, options.limits ?? KINESIS_LIMITS)) {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      let response: PutRecordsCommandOutput;
      try {
        result.requests++;
        response = await client.send(
          new PutRecordsCommand({
            StreamName: options.streamName,
            Records: pending.map((entry) => ({ Data: entry.data, PartitionKey: entry.partitionKey })),
          }),
        );
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        const message = error instanceof Error ? error.message : String(error);
        const sent = (options.sentBefore ?? 0) + result.sent;
        throw new PutRecordsFailedError(
          `PutRecords to stream ${options.streamName} failed after ${sent} records were sent: ${name}: ${message}`,
          sent,
        );
      }
      const answers = response.Records ?? [];
      if (answers.length !== pending.length) {
        throw new PutRecordsFailedError(
          `PutRecords to stream ${options.streamName} answered ${answers.length} entries for ${pending.length}`,
          (options.sentBefore ?? 0) + result.sent,
        );
      }
      const again: Entry[] = [];
      answers.forEach((answer, i) => {
        const entry = pending[i] as Entry;
        if (answer.ErrorCode === undefined || answer.ErrorCode === '') {
          result.sent++;
        } else if (RETRYABLE.has(answer.ErrorCode) && attempt < maxAttempts) {
          again.push(entry);
        } else {
          result.failed.push({
            source: entry.source,
            errorCode: answer.ErrorCode,
            errorMessage: answer.ErrorMessage ?? '',
            attempts: attempt,
          });
        }
      });
      options.onProgress?.({ sent: result.sent, failed: result.failed.length });
      pending = again;
      if (pending.length > 0) {
        result.retried += pending.length;
        const delay = backoffDelay(attempt, options.baseDelayMs ?? 100, options.maxDelayMs ?? 5000, random);
        result.delays.push(delay);
        await sleep(delay);
      }
    }
  }
  return result;
}
