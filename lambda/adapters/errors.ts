/**
 * Errors the adapters throw, named by the action they cause (see STYLE.md, rule 4).
 */

import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export { PartialWriteError } from '../../src/state/state-store.js';

/**
 * A dependency (DynamoDB, S3, SNS) throttled, failed with a 5xx, timed out, or left part of a batch request
 * unprocessed after our bounded retries. The caller must fail the record batch so that Lambda retries it.
 */
export class RetryableDependencyError extends Error {
  override readonly name = 'RetryableDependencyError';
  /** The dependency and operation that failed, e.g. `dynamodb:BatchGetItem`. */
  readonly operation: string;

  constructor(operation: string, message: string, options?: { cause?: unknown }) {
    super(`${operation}: ${message}`, options);
    this.operation = operation;
  }
}

/** Error names the AWS services use for throttling; the SDK also marks them `$retryable.throttling`. */
const THROTTLING_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
  'KMSThrottlingException',
  'RequestThrottled',
  'RequestThrottledException',
]);

/** Node and SDK errors that mean the request may not have reached the service or its answer was lost. */
const TRANSIENT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError']);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND']);

/**
 * True for errors worth retrying: throttling, 5xx, timeouts and connection failures.
 * Client errors (validation, missing table, access denied) are not: retrying cannot fix them.
 */
export function isRetryableAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as {
    name?: unknown;
    code?: unknown;
    $fault?: unknown;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  if (typeof e.name === 'string' && (THROTTLING_NAMES.has(e.name) || TRANSIENT_NAMES.has(e.name))) return true;
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  if (e.$retryable !== undefined && e.$retryable !== null) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && (status >= 500 || status === 429)) return true;
  return e.$fault === 'server';
}

/**
 * Error names with which a service refuses one item or message for good: its key, size or characters are invalid,
 * and sending it again cannot succeed. Not configuration errors (access denied, missing table), which concern
 * every record and must fail the batch until someone fixes them.
 */
const ITEM_REFUSAL_NAMES = new Set([
  'ValidationException',
  'ItemCollectionSizeLimitExceededException',
  'InvalidParameter',
  'InvalidParameterException',
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'InvalidMessageContents',
  'MessageTooLong',
  'BatchRequestTooLong',
  'EntityTooLarge',
  'KeyTooLongError',
]);

/** True for a service's permanent refusal of the one item a request carried (see ITEM_REFUSAL_NAMES). */
export function isPermanentItemRefusal(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || isRetryableAwsError(error)) return false;
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' && ITEM_REFUSAL_NAMES.has(name);
}

/** A short description of an unknown thrown value, for error messages. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * A DynamoDB condition was false (a lost race, not a failure). By name rather than instanceof, so it holds when
 * two copies of the SDK end up in one bundle. `item` is the current item when the request asked for ALL_OLD.
 */
export function conditionalCheckFailure(
  error: unknown,
): { item: Record<string, AttributeValue> | undefined } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { name?: unknown; Item?: Record<string, AttributeValue> };
  return e.name === 'ConditionalCheckFailedException' ? { item: e.Item } : undefined;
}
