/**
 * Faults of one simulated Lambda container, injected into its own SDK clients (DynamoDB, S3, SNS, SQS, Kinesis,
 * pointed at the emulators) by a middleware in the `initialize` step, above the SDK's retries:
 *
 * - throttling and 5xx answers, in seeded bursts per command (shared by every container, as a throttled table or
 *   bucket is throttled for everyone), longer than the adapters' 5 attempts at times, so whole batches fail;
 * - partial batch answers: PublishBatch and SendMessageBatch entries reported Failed (the others really sent),
 *   BatchGetItem keys returned unprocessed;
 * - a kill: once armed, the container lets a few more writes through, then every later request hangs forever, as
 *   if the function ran out of time after part of its writes; the event source mapping gives up on it (`dead`).
 *
 * An injected failure happens before the request reaches the emulator, so nothing was written (a lost answer is
 * only the kill's writes that went through).
 */
import { DynamoDBClient, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { KinesisClient, KinesisServiceException } from '@aws-sdk/client-kinesis';
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { SNSClient, SNSServiceException } from '@aws-sdk/client-sns';
import { SQSClient, SQSServiceException } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { EnrichClients } from '../../lambda/enrich/dependencies.js';
import { EMULATOR_CREDENTIALS, S3RVER_CREDENTIALS } from '../helpers/emulators.js';
import { attach, type Next } from '../helpers/lambda-faults.js';
import type { LambdaHarness } from '../helpers/lambda-harness.js';
import { randomInt } from '../helpers/lambda-prng.js';

export type Service = 'dynamodb' | 's3' | 'sns' | 'sqs' | 'kinesis';

/** Per service: the chance that one call starts a burst of failures. */
export type FaultRates = Readonly<Record<Service, number>>;

/** What was injected, by kind (`throttling`, `5xx`, `failed entries`, `unprocessed keys`, `kill`...) and service. */
export class FaultLedger {
  readonly counts = new Map<string, number>();

  add(kind: string, by = 1): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + by);
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}

/**
 * The dependency faults every container shares: the rates, the bursts in progress (per command), the PRNG and the
 * ledger. They stay on to the end of a run, drain included, as they would on AWS.
 */
export class DependencyFaults {
  readonly #bursts = new Map<string, number>();

  constructor(
    readonly random: () => number,
    readonly rates: FaultRates,
    readonly ledger: FaultLedger,
    /** Longest burst; past the adapters' 5 attempts some batches fail whole. Default 7. */
    readonly maxBurst = 7,
  ) {}

  /** Whether this call of `command` on `service` fails. */
  failNow(service: Service, command: string): boolean {
    const key = `${service}:${command}`;
    const left = this.#bursts.get(key) ?? 0;
    if (left > 0) {
      this.#bursts.set(key, left - 1);
      return true;
    }
    if (this.random() < this.rates[service]) {
      this.#bursts.set(key, randomInt(this.random, 1, this.maxBurst) - 1);
      return true;
    }
    return false;
  }
}

/** The kill switch of one container, and when it is dead. */
export interface ContainerKill {
  /**
   * Kills the container after `writes` more calls of `commands` went out: each of those goes through, every
   * request after the last of them hangs forever.
   */
  arm(commands: ReadonlySet<string>, writes: number): void;
  /** Cancels an arm that did not fire (the invocation ended before enough writes). */
  disarm(): void;
  /** Kills it now (the invocation ran past its deadline): every later request hangs. */
  kill(): void;
  readonly killed: boolean;
  /** Resolves once the container is killed and no request it sent is still in flight. */
  readonly dead: Promise<void>;
}

export interface ContainerClients {
  clients: EnrichClients;
  kill: ContainerKill;
  /** Closes the clients' sockets (the container is gone). */
  destroy(): void;
}

type Inject = (command: string, args: { input: unknown }, next: Next) => Promise<unknown>;

/** Fresh SDK clients for one container, with `faults` injected and a kill switch of its own. */
export function containerClients(harness: LambdaHarness, faults: DependencyFaults): ContainerClients {
  const { endpoints } = harness.emulators;
  const region = 'us-east-1';
  const common = { region, credentials: EMULATOR_CREDENTIALS };
  const clients: EnrichClients = {
    dynamodb: new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb }),
    // kinesalite speaks HTTP/1.1 only (as cli/dev/emulators.ts configures its client).
    kinesis: new KinesisClient({ ...common, endpoint: endpoints.kinesis, requestHandler: new NodeHttpHandler() }),
    s3: new S3Client({ region, credentials: S3RVER_CREDENTIALS, endpoint: endpoints.s3, forcePathStyle: true }),
    sns: new SNSClient({ ...common, endpoint: endpoints.snsSqs }),
    sqs: new SQSClient({ ...common, endpoint: endpoints.snsSqs, useQueueUrlAsEndpoint: false }),
  };
  const kill = killSwitch(faults.ledger);
  const { ledger, random } = faults;

  // Every request passes the kill switch first: a dead container sends nothing more.
  const guarded =
    (service: Service, inject: Inject): Inject =>
    (command, args, next) =>
      kill.pass(command, args.input, () => {
        if (!faults.failNow(service, command)) return next(args);
        return inject(command, args, next);
      });

  attach(
    clients.dynamodb,
    guarded('dynamodb', async (command, args, next) => {
      if (command === 'BatchGetItemCommand' && random() < 0.5) return unprocessedKeys(args, next, ledger, random);
      throw serviceError(DynamoDBServiceException, 'dynamodb', random, ledger, {
        throttling: ['ProvisionedThroughputExceededException', 'ThrottlingException'],
        server: ['InternalServerError'],
      });
    }),
  );
  attach(
    clients.s3,
    guarded('s3', async () => {
      throw serviceError(S3ServiceException, 's3', random, ledger, {
        throttling: ['SlowDown'],
        server: ['InternalError', 'ServiceUnavailable'],
      });
    }),
  );
  attach(
    clients.sns,
    guarded('sns', async (command, args, next) => {
      if (command === 'PublishBatchCommand' && random() < 0.5)
        return failedEntries(args, next, ledger, random, 'sns', 'PublishBatchRequestEntries');
      throw serviceError(SNSServiceException, 'sns', random, ledger, {
        throttling: ['ThrottledException'],
        server: ['InternalErrorException'],
      });
    }),
  );
  attach(
    clients.sqs,
    guarded('sqs', async (command, args, next) => {
      if (command === 'SendMessageBatchCommand' && random() < 0.5)
        return failedEntries(args, next, ledger, random, 'sqs', 'Entries');
      throw serviceError(SQSServiceException, 'sqs', random, ledger, {
        throttling: ['RequestThrottled'],
        server: ['InternalError'],
      });
    }),
  );
  attach(
    clients.kinesis,
    guarded('kinesis', async () => {
      throw serviceError(KinesisServiceException, 'kinesis', random, ledger, {
        throttling: ['ProvisionedThroughputExceededException'],
        server: ['InternalFailure'],
      });
    }),
  );

  return {
    clients,
    kill,
    destroy() {
      for (const client of Object.values(clients)) client.destroy();
    },
  };
}

interface KillSwitch extends ContainerKill {
  /** Runs `send` unless the container is dead (then the request hangs forever); counts what is in flight. */
  pass(command: string, input: unknown, send: () => Promise<unknown>): Promise<unknown>;
}

function killSwitch(ledger: FaultLedger): KillSwitch {
  let killed = false;
  let inFlight = 0;
  let armed: { commands: ReadonlySet<string>; left: number } | undefined;
  let markDead: () => void = () => undefined;
  const dead = new Promise<void>((resolve) => {
    markDead = resolve;
  });
  const settleIfDead = () => {
    if (killed && inFlight === 0) markDead();
  };
  const die = () => {
    if (killed) return;
    killed = true;
    armed = undefined;
    settleIfDead();
  };
  return {
    arm(commands, writes) {
      armed = { commands, left: writes };
    },
    disarm() {
      armed = undefined;
    },
    kill: die,
    get killed() {
      return killed;
    },
    dead,
    async pass(command, input, send) {
      if (killed) {
        ledger.add('kill: requests hung');
        // Never settles: a frozen runtime answers nothing. Nothing holds the event loop open for it.
        return new Promise<never>(() => undefined);
      }
      const last = armed?.commands.has(command) === true && --armed.left <= 0;
      inFlight++;
      // The last allowed write still goes out (it lands); any request after it, even one sent in the same tick
      // (the writes of a batch go out together), hangs.
      if (last) {
        ledger.add(`kill: after ${describeWrite(command, input)}`);
        die();
      }
      try {
        return await send();
      } finally {
        inFlight--;
        settleIfDead();
      }
    },
  };
}

/**
 * A write as the kill counts it: the command and what it wrote to (table, or the first part of the object key), so
 * that a loss can be traced to the step a kill interrupted (e.g. after the de-dup mark, before the publish).
 */
function describeWrite(command: string, input: unknown): string {
  const name = command.replace(/Command$/, '');
  const { TableName, Key } = (input ?? {}) as { TableName?: unknown; Key?: unknown };
  if (typeof TableName === 'string') return `${name} ${TableName}`;
  if (typeof Key === 'string') return `${name} ${Key.split('/')[0]}/`;
  return name;
}

type ServiceExceptionClass = new (options: {
  name: string;
  $fault: 'client' | 'server';
  $metadata: { httpStatusCode: number };
  message: string;
}) => Error;

/** A throttling (400/429/503) or server (500) error as the service would answer it; counted in the ledger. */
function serviceError(
  Exception: ServiceExceptionClass,
  service: Service,
  random: () => number,
  ledger: FaultLedger,
  names: { throttling: string[]; server: string[] },
): Error {
  const throttling = random() < 0.5;
  const pool = throttling ? names.throttling : names.server;
  const name = pool[randomInt(random, 0, pool.length - 1)] as string;
  ledger.add(`${throttling ? 'throttling' : '5xx'}: ${service}`);
  const status = throttling ? (name === 'SlowDown' ? 503 : 400) : name === 'ServiceUnavailable' ? 503 : 500;
  return new Exception({
    name,
    $fault: throttling ? 'client' : 'server',
    $metadata: { httpStatusCode: status },
    message: `injected: ${name}`,
  });
}

/** Some entries of a batch request fail (not sent); the others really go to the emulator. */
async function failedEntries(
  args: { input: unknown },
  next: Next,
  ledger: FaultLedger,
  random: () => number,
  service: 'sns' | 'sqs',
  field: 'PublishBatchRequestEntries' | 'Entries',
): Promise<unknown> {
  const input = args.input as Record<string, unknown>;
  const entries = (input[field] ?? []) as { Id?: string }[];
  if (entries.length === 0) return next(args);
  const picked = entries.filter(() => random() < 0.5);
  const failed = new Set((picked.length > 0 ? picked : entries.slice(0, 1)).map((entry) => entry.Id));
  ledger.add(`failed entries: ${service}`, failed.size);
  const rest = entries.filter((entry) => !failed.has(entry.Id));
  const sent =
    rest.length > 0
      ? ((await next({ ...args, input: { ...input, [field]: rest } })) as { output: Record<string, unknown> })
      : { output: { Successful: [], $metadata: {} } };
  const errors = [...failed].map((id) => ({ Id: id, Code: 'InternalError', SenderFault: false, Message: 'injected' }));
  const earlier = (sent.output.Failed ?? []) as unknown[];
  return { ...sent, output: { ...sent.output, Failed: [...earlier, ...errors] } };
}

/** BatchGetItem answers part of its keys and returns the rest as UnprocessedKeys (as DynamoDB does when throttled). */
async function unprocessedKeys(
  args: { input: unknown },
  next: Next,
  ledger: FaultLedger,
  random: () => number,
): Promise<unknown> {
  type KeysAndAttributes = { Keys?: Record<string, unknown>[] } & Record<string, unknown>;
  const input = args.input as { RequestItems?: Record<string, KeysAndAttributes> };
  const asked: Record<string, KeysAndAttributes> = {};
  const left: Record<string, KeysAndAttributes> = {};
  let unanswered = 0;
  for (const [table, request] of Object.entries(input.RequestItems ?? {})) {
    const keys = request.Keys ?? [];
    const cut = keys.length > 1 ? randomInt(random, 0, keys.length - 1) : 0;
    if (cut > 0) asked[table] = { ...request, Keys: keys.slice(0, cut) };
    if (cut < keys.length) left[table] = { ...request, Keys: keys.slice(cut) };
    unanswered += keys.length - cut;
  }
  ledger.add('unprocessed keys: dynamodb', unanswered);
  const answered =
    Object.keys(asked).length > 0
      ? ((await next({ ...args, input: { ...input, RequestItems: asked } })) as { output: Record<string, unknown> })
      : { output: { Responses: {}, $metadata: {} } };
  const earlier = (answered.output.UnprocessedKeys ?? {}) as Record<string, KeysAndAttributes>;
  const unprocessed: Record<string, KeysAndAttributes> = { ...earlier };
  for (const [table, request] of Object.entries(left)) {
    unprocessed[table] = { ...request, Keys: [...(earlier[table]?.Keys ?? []), ...(request.Keys ?? [])] };
  }
  return { ...answered, output: { ...answered.output, UnprocessedKeys: unprocessed } };
}
