/**
 * replay's progress bar: it follows events, not inputs. Reading: the share of the inputs' bytes read, with the
 * events decoded so far and their rate; then the events picked (pass 2) and the events written (pass 3), each
 * against its known total, with the rate of the pass.
 */
import { SingleBar } from 'cli-progress';

/** Where replay is: reading (bytes of the inputs on disk), then picking, then writing (events of a known total). */
export type ReplayProgress =
  | { phase: 'read'; events: number; bytes: number; totalBytes: number; source: string }
  | { phase: 'pick' | 'write'; events: number; total: number };

const PHASES: Record<ReplayProgress['phase'], string> = {
  read: 'reading',
  pick: 'picking',
  write: 'writing',
};

/** Events per second as the bar shows it (whole numbers, thousands grouped). */
export function formatRate(events: number, seconds: number): string {
  if (seconds <= 0) return '-';
  return Math.round(events / seconds).toLocaleString('en-US');
}

/** The text after the bar: events so far, their rate, and for reading the input being read (its end). */
export function progressDetail(progress: ReplayProgress, seconds: number): string {
  const events = `${progress.events.toLocaleString('en-US')} events, ${formatRate(progress.events, seconds)} events/s`;
  if (progress.phase !== 'read') return events;
  const source = progress.source.length > 50 ? `...${progress.source.slice(-47)}` : progress.source;
  return `${events} | ${source}`;
}

export interface ProgressBar {
  update(progress: ReplayProgress): void;
  stop(): void;
}

/** A bar on `stream` (the caller decides whether one is wanted: a TTY, no --json, no --no-progress). */
export function createProgressBar(stream: NodeJS.WritableStream, now: () => number = Date.now): ProgressBar {
  const bar = new SingleBar({
    format: '{phase} {bar} {percentage}% | {detail}',
    stream: stream as NodeJS.WriteStream,
    clearOnComplete: true,
    hideCursor: true,
  });
  let phase: ReplayProgress['phase'] | undefined;
  let since = now();
  return {
    update(progress) {
      const [value, total] =
        progress.phase === 'read' ? [progress.bytes, progress.totalBytes] : [progress.events, progress.total];
      if (progress.phase !== phase) {
        if (phase === undefined) bar.start(Math.max(total, 1), 0, { phase: '', detail: '' });
        // Each pass has a rate of its own: reading decodes, picking runs the pick hooks, writing does the rest.
        else since = now();
        phase = progress.phase;
        bar.setTotal(Math.max(total, 1));
      }
      const detail = progressDetail(progress, (now() - since) / 1000);
      bar.update(Math.min(value, Math.max(total, 1)), { phase: PHASES[progress.phase].padEnd(7), detail });
    },
    stop() {
      if (phase !== undefined) bar.stop();
      phase = undefined;
    },
  };
}
