/**
 * Tests that need something absent here (../shared, Chromium, python3-evtx) are skipped, never passed: the choice
 * is made at collection time, and the skipped suite's title says why, since Jest prints no console output for a
 * suite whose tests are all skipped. test/helpers/skipped-reporter.cjs lists the skipped titles after every run.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The shared corpora beside the checkout (../shared). HOOKSTREAM_SHARED_DIR points elsewhere, e.g. at a missing
 * folder to see what a clone without them reports.
 */
export const SHARED_DIR = path.resolve(
  process.env.HOOKSTREAM_SHARED_DIR ?? path.resolve(import.meta.dirname, '../../../shared'),
);

/** A path under {@link SHARED_DIR}. */
export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DIR, ...parts);
}

/** Why paths are unusable ("<path> is absent" for each missing one), or undefined when all exist. */
export function missing(...paths: string[]): string | undefined {
  const absent = paths.filter((item) => !existsSync(item));
  return absent.length === 0 ? undefined : absent.map((item) => `${item} is absent`).join('; ');
}

/** The title of a test or suite that does not run here. */
export function skippedTitle(title: string, reason: string): string {
  return `${title} [SKIPPED: ${reason}]`;
}

type Body = () => void;

/** `describe` when `reason` is undefined; otherwise `describe.skip`, its title carrying the reason. */
export function describeUnless(reason: string | undefined): (title: string, body: Body) => void {
  return (title, body) =>
    reason === undefined ? describe(title, body) : describe.skip(skippedTitle(title, reason), body);
}

/** `it` when `reason` is undefined; otherwise `it.skip`, its title carrying the reason. */
export function itUnless(
  reason: string | undefined,
): (title: string, fn: jest.ProvidesCallback, timeout?: number) => void {
  return (title, fn, timeout) =>
    reason === undefined ? it(title, fn, timeout) : it.skip(skippedTitle(title, reason), fn, timeout);
}
