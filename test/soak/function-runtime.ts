/**
 * One Lambda function as the soak's event source mappings invoke it: warm containers (the real handler with SDK
 * clients of its own, see faults.ts) reused across invocations, each replaced by a fresh one (a cold start) after a
 * timeout, since Lambda restarts a runtime that timed out. Two containers can run at once (`sibling`), as Lambda
 * runs a second instance when SQS hands the same message to two pollers.
 *
 * An invocation ends as the function's answer, a thrown error (a function error), or a timeout: the container was
 * killed after part of its writes, or ran past its deadline, and every request it sends from then on hangs.
 * Every outcome carries the invocation's deadline: Lambda (and SQS, whose visibility timeout is longer than the
 * function's timeout) retries the same work only after it, when the leases the attempt took have expired.
 */
import type { Context } from 'aws-lambda';
import type { EnrichClients } from '../../lambda/enrich/dependencies.js';
import {
  type BatchResponse,
  type LambdaHandler,
  type LambdaHarness,
  lambdaContext,
} from '../helpers/lambda-harness.js';
import { type ContainerClients, containerClients, type DependencyFaults } from './faults.js';

export type Outcome = { deadline: number } & (
  | { kind: 'answered'; response: BatchResponse }
  | { kind: 'error'; error: unknown }
  | {
      kind: 'timeout';
      /** Killed on purpose (armed), not merely slow. */
      killed: boolean;
    }
);

export interface FunctionRuntimeOptions<E> {
  /** The function's name (for its context and the reports). */
  name: string;
  harness: LambdaHarness;
  faults: DependencyFaults;
  /** The real handler of one new container, built on that container's clients. */
  make: (clients: Partial<EnrichClients>) => LambdaHandler<E>;
  /** The commands a kill counts as writes. */
  writes: ReadonlySet<string>;
  /**
   * The function's timeout: an invocation still running after it is killed. The handlers take it as the lease of
   * their attempt (lambda/batch-handler.ts deadlineOf), so it is also how long a retry of the same unit must wait.
   */
  deadlineMs: number;
  /**
   * The deadline of an invocation armed to be killed: its timeout comes soon after the kill, so its retry (which
   * on Lambda comes after the timeout) does not wait long.
   */
  killDeadlineMs: number;
}

export interface InvokeOptions {
  /** Kill the container once this many of its writes went out (if the invocation makes that many). */
  killAfterWrites?: number;
  /** Run on the second container (alongside one running on the first). */
  sibling?: boolean;
}

interface Container<E> extends ContainerClients {
  handler: LambdaHandler<E>;
}

export class FunctionRuntime<E> {
  invocations = 0;
  coldStarts = 0;
  /** Invocations armed to be killed that timed out (after part of their writes, or before enough of them). */
  kills = 0;
  /** Invocations not armed that ran past the deadline (not injected: a slow emulator). */
  deadlines = 0;
  functionErrors = 0;
  readonly #containers: (Container<E> | undefined)[] = [undefined, undefined];

  constructor(readonly options: FunctionRuntimeOptions<E>) {}

  async invoke(event: E, invoke: InvokeOptions = {}): Promise<Outcome> {
    const { options } = this;
    const slot = invoke.sibling ? 1 : 0;
    const container = this.#container(slot);
    this.invocations++;
    const armed = invoke.killAfterWrites !== undefined;
    if (invoke.killAfterWrites !== undefined) container.kill.arm(options.writes, invoke.killAfterWrites);
    const timeoutMs = armed ? options.killDeadlineMs : options.deadlineMs;
    const deadline = Date.now() + timeoutMs;
    // Past the deadline the container is killed (a timeout), armed or not.
    const timer = setTimeout(() => container.kill.kill(), timeoutMs);
    const context: Context = lambdaContext(options.name, timeoutMs);
    const answered = container.handler(event, context).then(
      (response): Outcome => ({ kind: 'answered', response, deadline }),
      (error: unknown): Outcome => ({ kind: 'error', error, deadline }),
    );
    const died = container.kill.dead.then((): Outcome => ({ kind: 'timeout', killed: armed, deadline }));
    const outcome = await Promise.race([answered, died]);
    clearTimeout(timer);
    container.kill.disarm();
    if (outcome.kind === 'timeout') {
      if (outcome.killed) this.kills++;
      else this.deadlines++;
    }
    if (outcome.kind === 'error') this.functionErrors++;
    // A dead container answers nothing more: the next invocation gets a fresh one. Its hung requests stay pending
    // forever and are dropped with it.
    if (container.kill.killed) this.#retire(slot);
    return outcome;
  }

  /** Closes the containers' clients (the end of a run). */
  stop(): void {
    this.#retire(0);
    this.#retire(1);
  }

  #container(slot: number): Container<E> {
    let container = this.#containers[slot];
    if (container === undefined) {
      const clients = containerClients(this.options.harness, this.options.faults);
      container = { ...clients, handler: this.options.make(clients.clients) };
      this.#containers[slot] = container;
      this.coldStarts++;
    }
    return container;
  }

  #retire(slot: number): void {
    this.#containers[slot]?.destroy();
    this.#containers[slot] = undefined;
  }
}
