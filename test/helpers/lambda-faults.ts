/**
 * Fault injection for the end-to-end Lambda tests: SDK clients of their own (so the harness's clients stay clean)
 * pointed at the emulators, with a middleware in the `initialize` step, above the SDK's retry loop, that fails
 * chosen commands in seeded bursts. A burst longer than the adapters' 5 attempts fails the batch, so both the
 * adapters' retries and the (simulated) event source mapping's retries are exercised.
 *
 * Faults never happen after the request reached the emulator: an injected failure means nothing was written
 * (a PublishBatch entry reported Failed was not published). Lost responses are out of scope here (at-least-once
 * limits in docs/aws-adapters.md).
 */

import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import {
  type BatchResultErrorEntry,
  type PublishBatchCommandInput,
  type PublishBatchCommandOutput,
  SNSClient,
  SNSServiceException,
} from '@aws-sdk/client-sns';
import type { EnrichClients } from '../../lambda/enrich/dependencies.js';
import { EMULATOR_CREDENTIALS, S3RVER_CREDENTIALS } from './emulators.js';
import type { LambdaHarness } from './lambda-harness.js';
import { randomInt } from './lambda-prng.js';

/** Per command name (e.g. `BatchGetItemCommand`): the chance that a call starts a burst of failures. */
export type FaultRates = Readonly<Record<string, number>>;

export interface FaultInjector {
  /** Failures injected, by command name (for PublishBatch: `PublishBatchCommand(entries)` counts Failed entries). */
  readonly injected: ReadonlyMap<string, number>;
  /** Stops injecting (for the final drain, if a test wants one). */
  stop(): void;
}

interface Middlewared {
  middlewareStack: { add: (middleware: never, options: { step: 'initialize'; name: string }) => void };
}

/**
 * Clients for createFunctions' `clients` option (DynamoDB, S3, SNS faulty; Kinesis and SQS the harness's own),
 * and the injector's counts.
 */
export function faultyClients(
  harness: LambdaHarness,
  random: () => number,
  rates: FaultRates,
  maxBurst = 7,
): { clients: Partial<EnrichClients>; injector: FaultInjector } {
  const { endpoints } = harness.emulators;
  const region = 'us-east-1';
  const injected = new Map<string, number>();
  const bursts = new Map<string, number>();
  let active = true;
  const count = (name: string, n = 1) => injected.set(name, (injected.get(name) ?? 0) + n);
  const failNow = (name: string): boolean => {
    if (!active) return false;
    const left = bursts.get(name) ?? 0;
    if (left > 0) {
      bursts.set(name, left - 1);
      return true;
    }
    if (random() < (rates[name] ?? 0)) {
      bursts.set(name, randomInt(random, 1, maxBurst) - 1);
      return true;
    }
    return false;
  };

  const dynamodb = new DynamoDBClient({ region, credentials: EMULATOR_CREDENTIALS, endpoint: endpoints.dynamodb });
  const s3 = new S3Client({ region, credentials: S3RVER_CREDENTIALS, endpoint: endpoints.s3, forcePathStyle: true });
  const sns = new SNSClient({ region, credentials: EMULATOR_CREDENTIALS, endpoint: endpoints.snsSqs });

  attach(dynamodb, async (name, args, next) => {
    if (failNow(name)) {
      count(name);
      throw new ProvisionedThroughputExceededException({
        message: 'injected: throughput exceeded',
        $metadata: { httpStatusCode: 400 },
      });
    }
    return next(args);
  });
  attach(s3, async (name, args, next) => {
    if (failNow(name)) {
      count(name);
      throw new S3ServiceException({
        name: 'InternalError',
        $fault: 'server',
        message: 'injected: We encountered an internal error. Please try again.',
        $metadata: { httpStatusCode: 500 },
      });
    }
    return next(args);
  });
  attach(sns, async (name, args, next) => {
    if (name !== 'PublishBatchCommand' || !failNow(name)) return next(args);
    const input = args.input as PublishBatchCommandInput;
    const entries = input.PublishBatchRequestEntries ?? [];
    if (random() < 0.5 || entries.length === 0) {
      count(name);
      throw new SNSServiceException({
        name: 'InternalError',
        $fault: 'server',
        message: 'injected: internal error',
        $metadata: { httpStatusCode: 500 },
      });
    }
    // Some entries fail (not published); the others really go to the emulator.
    const failing = entries.filter(() => random() < 0.5);
    const failed = failing.length > 0 ? failing : entries.slice(0, 1);
    const failedIds = new Set(failed.map((entry) => entry.Id));
    count(`${name}(entries)`, failed.length);
    const rest = entries.filter((entry) => !failedIds.has(entry.Id));
    const result =
      rest.length > 0
        ? ((await next({ ...args, input: { ...input, PublishBatchRequestEntries: rest } })) as {
            output: PublishBatchCommandOutput;
          })
        : { output: { Successful: [], $metadata: {} } as PublishBatchCommandOutput };
    const errors: BatchResultErrorEntry[] = failed.map((entry) => ({
      Id: entry.Id,
      Code: 'InternalError',
      SenderFault: false,
      Message: 'injected',
    }));
    return { ...result, output: { ...result.output, Failed: [...(result.output.Failed ?? []), ...errors] } };
  });

  return {
    clients: { dynamodb, s3, sns },
    injector: {
      injected,
      stop: () => {
        active = false;
      },
    },
  };
}

export type Next = (args: { input: unknown }) => Promise<unknown>;

/** Puts `inject` around every command of `client`, in the `initialize` step (above the SDK's own retries). */
export function attach(
  client: unknown,
  inject: (commandName: string, args: { input: unknown }, next: Next) => Promise<unknown>,
  name = 'hookstreamFaultInjection',
): void {
  const middleware =
    (next: Next, context: { commandName?: string }) =>
    (args: { input: unknown }): Promise<unknown> =>
      inject(context.commandName ?? '', args, next);
  (client as Middlewared).middlewareStack.add(middleware as never, {
    step: 'initialize',
    name,
  });
}
