/**
 * One Lambda function as the soak's event source mappings invoke it: a warm container (the real handler with SDK
 * clients of its own, see faults.ts) reused across invocations, replaced by a fresh one (a cold start) after a
 * timeout, since Lambda restarts a runtime that timed out. An invocation ends as the function's answer, a thrown
 * error (a function error), or a timeout: the container was killed after part of its writes, or ran past the
 * deadline, and every request it sends from then on hangs.
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

export type Outcome =
  | { kind: 'answered'; response: BatchResponse }
  | { kind: 'error'; error: unknown }
  | {
      kind: 'timeout';
      /** Killed on purpose (armed), not merely slow. */
      killed: boolean;
      /** The invocation's deadline, epoch ms: a retry of the same work comes after it, as on Lambda. */
      deadline: number;
    };

export interface FunctionRuntimeOptions<E> {
  /** The function's name (for its context and the reports). */
  name: string;
  harness: LambdaHarness;
  faults: DependencyFaults;
  /** The real handler of one new container, built on that container's clients. */
  make: (clients: Partial<EnrichClients>) => LambdaHandler<E>;
  /** The commands a kill counts as writes (S3 PutObject for the enrich code, DynamoDB PutItem for dns-answers). */
  writes: ReadonlySet<string>;
  /**
   * An invocation still running after this long is killed (a timeout). Generous: the emulators on a shared 2-core
   * machine are slow, and killing a healthy invocation is a fault the soak did not mean to inject.
   */
  deadlineMs: number;
  /**
   * The deadline of an invocation armed to be killed: its timeout comes soon after the kill, so a retry (which
   * on Lambda comes after the timeout) does not wait long, and the leases it left expire quickly.
   */
  killDeadlineMs: number;
}

interface Container<E> extends ContainerClients {
  handler: LambdaHandler<E>;
}

export class FunctionRuntime<E> {
  invocations = 0;
  coldStarts = 0;
  /** Invocations armed to be killed that timed out (after part of their writes, or before any). */
  kills = 0;
  /** Invocations not armed that ran past the deadline (not injected: a slow emulator). */
  deadlines = 0;
  functionErrors = 0;
  #current: Container<E> | undefined;

  constructor(readonly options: FunctionRuntimeOptions<E>) {}

  /**
   * Invokes the function once. `killAfterWrites`: the container dies once that many of its writes went out (if
   * the invocation makes that many; otherwise it just answers).
   */
  async invoke(event: E, killAfterWrites?: number): Promise<Outcome> {
    const { options } = this;
    const container = this.#container();
    this.invocations++;
    const armed = killAfterWrites !== undefined;
    if (armed) container.kill.arm(options.writes, killAfterWrites);
    const timeoutMs = armed ? options.killDeadlineMs : options.deadlineMs;
    const deadline = Date.now() + timeoutMs;
    // Past the deadline the container is killed (a timeout), whether or not it was armed.
    const timer = setTimeout(() => container.kill.kill(), timeoutMs);
    const context: Context = lambdaContext(options.name, timeoutMs);
    const answered = container.handler(event, context).then(
      (response): Outcome => ({ kind: 'answered', response }),
      (error: unknown): Outcome => ({ kind: 'error', error }),
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
    if (container.kill.killed) this.#retire();
    return outcome;
  }

  /** Closes the current container's clients (the end of a run). */
  stop(): void {
    this.#retire();
  }

  #container(): Container<E> {
    if (this.#current === undefined) {
      const clients = containerClients(this.options.harness, this.options.faults);
      this.#current = { ...clients, handler: this.options.make(clients.clients) };
      this.coldStarts++;
    }
    return this.#current;
  }

  #retire(): void {
    this.#current?.destroy();
    this.#current = undefined;
  }
}
