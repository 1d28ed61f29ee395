/**
 * Where a replay writes while it runs: a staging folder inside `--out` (`.hookstream-replay-<pid>-<n>/`), holding
 * the sorted runs and the new events/, alerts/ and rejected/. Only a replay that finishes touches what `--out`
 * held before: it marks the folder, removes the old areas and renames the new ones into place (a rename: same
 * file system). A replay that fails or is interrupted removes its staging folder and leaves `--out` as it found
 * it: absent, empty, or the previous output.
 *
 * The marker is written when the replay starts in an absent or empty `--out` (and removed again if it does not
 * finish), so a replay killed outright (SIGKILL, power loss) leaves a folder marked as hookstream's, whose
 * leftover staging folder the next replay into it removes.
 */
import { mkdir, mkdtemp, readdir, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { markOutputFolder, OUTPUT_MARKER, type OutputFolderState } from '../io/output-folder.js';

export const STAGING_PREFIX = '.hookstream-replay-';
export const OUTPUT_AREAS = ['events', 'alerts', 'rejected'] as const;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class ReplayStaging {
  private constructor(
    readonly out: string,
    readonly folder: string,
    private readonly before: OutputFolderState,
  ) {}

  /**
   * Prepares `out` (whose state `checkOutputFolder` gave) and a staging folder in it. Removes the staging folders
   * of replays that are no longer running (their process is gone).
   */
  static async open(out: string, before: OutputFolderState): Promise<ReplayStaging> {
    if (before === 'marked') {
      for (const name of await readdir(out)) {
        const pid = Number(name.slice(STAGING_PREFIX.length).split('-')[0]);
        if (name.startsWith(STAGING_PREFIX) && Number.isInteger(pid) && !alive(pid))
          await rm(path.join(out, name), { recursive: true, force: true });
      }
    } else {
      await markOutputFolder(out, 'replay');
    }
    const folder = await mkdtemp(path.join(out, `${STAGING_PREFIX}${process.pid}-`));
    const staging = new ReplayStaging(out, folder, before);
    await mkdir(staging.scratch, { recursive: true });
    return staging;
  }

  /** Runs and other working files. */
  get scratch(): string {
    return path.join(this.folder, 'scratch');
  }

  /** The new version of an output area. */
  area(name: (typeof OUTPUT_AREAS)[number]): string {
    return path.join(this.folder, name);
  }

  /** Puts the new areas in place of the old ones and removes the staging folder. */
  async commit(): Promise<void> {
    await rm(this.scratch, { recursive: true, force: true });
    // Marked before the first delete, so a run interrupted half-way leaves a folder the next run may clear.
    await markOutputFolder(this.out, 'replay');
    for (const area of OUTPUT_AREAS) {
      const target = path.join(this.out, area);
      await rm(target, { recursive: true, force: true });
      await rename(this.area(area), target).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
    await rm(this.folder, { recursive: true, force: true });
  }

  /** Removes everything this replay wrote; `out` is left as it was before. Never throws. */
  async abandon(): Promise<void> {
    await rm(this.folder, { recursive: true, force: true }).catch(() => undefined);
    if (this.before === 'marked') return;
    await rm(path.join(this.out, OUTPUT_MARKER), { force: true }).catch(() => undefined);
    // An absent folder is removed again, if nothing else came into it meanwhile.
    if (this.before === 'absent') await rmdir(this.out).catch(() => undefined);
  }
}
