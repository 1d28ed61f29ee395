/**
 * Reads the queue subscribed to the alert topic (SNS JSON envelope, raw delivery off, as the stack subscribes) and
 * prints one line per notification (see alertLine).
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { terminalCell } from '../io/terminal-text.js';
import { pause } from './pause.js';

export interface AlertPrinterOptions {
  sqs: SQSClient;
  queueUrl: string;
  print: (line: string) => void;
  onFailure: (message: string) => void;
}

/**
 * The line printed for one SNS envelope: `[level] subject`. SNS clips a subject at 100 characters, so when the body
 * ends with the alert record (src/pipeline/alert-record.ts alertMessage) the subject is rebuilt whole from it, in
 * the publisher's form `[level] <title> by <process> on <host>`.
 */
export function alertLine(body: string): string {
  const envelope = parseObject(body) as SnsEnvelope | undefined;
  if (envelope === undefined) return `[unknown] ${oneLine(body).slice(0, 200)}`;
  const record = parseObject(envelope.Message?.split('\n').at(-1) ?? '') as AlertRecordLine | undefined;
  if (record?.rule_title && record.level && record.host) {
    const image = record.event?.Image || record.event?.SourceImage || record.event?.NewProcessName;
    const by = image ? ` by ${image.split(/[\\/]/).at(-1)}` : '';
    return oneLine(`[${record.level}] ${record.rule_title}${by} on ${record.host}`);
  }
  const level = envelope.MessageAttributes?.level?.Value ?? 'unknown';
  const subject = oneLine(envelope.Subject ?? envelope.Message?.split('\n')[0] ?? '');
  return subject.startsWith(`[${level}]`) ? subject : `[${level}] ${subject}`;
}

interface SnsEnvelope {
  Subject?: string;
  Message?: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

/** The fields of an alert record the line needs. */
interface AlertRecordLine {
  level?: string;
  rule_title?: string;
  host?: string;
  event?: Record<string, string | undefined>;
}

function parseObject(text: string): object | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    // Not JSON: the caller falls back to the text as it came.
    return undefined;
  }
}

/** On one line, with what a terminal would act on shown as text: the record's fields come from events (terminal-text.ts). */
function oneLine(text: string): string {
  return terminalCell(text.replace(/\s+/g, ' ').trim());
}

export class AlertPrinter {
  printed = 0;
  readonly #options: AlertPrinterOptions;
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;

  constructor(options: AlertPrinterOptions) {
    this.#options = options;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  /** Stops after printing what the queue still holds. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
    while ((await this.#receive(0)) > 0) {
      // Keep printing until the queue is empty.
    }
  }

  async #run(): Promise<void> {
    const { signal } = this.#stop;
    while (!signal.aborted) {
      try {
        await this.#receive(1);
      } catch (error) {
        this.#options.onFailure(`alert queue: ${error instanceof Error ? error.message : error}`);
        await pause(1000, signal);
      }
    }
  }

  async #receive(waitSeconds: number): Promise<number> {
    const { sqs, queueUrl, print } = this.#options;
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds }),
    );
    if (Messages.length === 0) return 0;
    for (const message of Messages) {
      print(alertLine(message.Body ?? ''));
      this.printed++;
    }
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
    return Messages.length;
  }
}
