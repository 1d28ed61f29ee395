/**
 * Bounded retries with capped, fully jittered exponential backoff, shared by the adapters.
 *
 * The SDK client retries throttling and 5xx on its own (3 attempts by default); these retries sit on top of it
 * and also cover what the SDK cannot see: partial batch responses (UnprocessedKeys, UnprocessedItems, Failed).
 */

import { describeError, isRetryableAwsError, RetryableDependencyError } from './errors.js';

export interface RetryOptions {
  /** Attempts in all, including the first. Default 5. */
  maxAttempts?: number;
  /** Upper bound of the first backoff, ms. Default 50. */
  baseDelayMs?: number;
  /** Upper bound of any backoff, ms. Default 2000. */
  maxDelayMs?: number;
  /** Injected for tests. Default: setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Injected for tests. Default: Math.random. */
  random?: () => number;
}

export type ResolvedRetryOptions = Required<RetryOptions>;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function resolveRetryOptions(options: RetryOptions | undefined): ResolvedRetryOptions {
  const maxAttempts = options?.maxAttempts ?? 5;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('maxAttempts must be an integer >= 1');
  return {
    maxAttempts,
    baseDelayMs: options?.baseDelayMs ?? 50,
    maxDelayMs: options?.maxDelayMs ?? 2000,
    sleep: options?.sleep ?? defaultSleep,
    random: options?.random ?? Math.random,
  };
}

/** "Full jitter": a uniform delay in [0, min(cap, base * 2^attempt)). Spreads retries of concurrent writers. */
export function backoffDelay(options: ResolvedRetryOptions, attempt: number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  return Math.floor(options.random() * ceiling);
}

/**
 * Runs `call` until it succeeds, retrying errors {@link isRetryableAwsError} accepts.
 * A retryable error still failing after `maxAttempts` becomes a {@link RetryableDependencyError};
 * any other error is rethrown unchanged.
 */
export async function retryOnTransient<T>(
  operation: string,
  options: ResolvedRetryOptions,
  call: () => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isRetryableAwsError(error)) throw error;
      if (attempt + 1 >= options.maxAttempts) {
        throw new RetryableDependencyError(
          operation,
          `still failing after ${options.maxAttempts} attempts: ${describeError(error)}`,
          { cause: error },
        );
      }
      await options.sleep(backoffDelay(options, attempt));
    }
  }
}

/** Runs `work` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  });
  await Promise.all(runners);
  return results;
}
