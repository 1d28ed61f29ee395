/**
 * Temporary folders that can be cleaned up after a crash. A process killed outright (SIGKILL, out of memory, a
 * power cut) cannot remove what it made, so each folder carries a recognisable name and the pid of its owner: the
 * next `hookstream dev` removes the folders whose owner is gone, and never those of a process still running
 * (another dev session, a test run's emulators).
 */
import { rmSync } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';

/** Every folder made here starts with this, so a sweep looks at nothing else. */
export const TEMP_PREFIX = 'hookstream-tmp-';

/** In each folder's root: who made it. */
export const OWNER_FILE = 'owner.json';

export interface TempFolderOwner {
  pid: number;
  /** pids are per machine (and per container): a folder from elsewhere in a shared /tmp is never judged. */
  host: string;
  purpose: string;
}

export interface TempFolder {
  path: string;
  /** Removes the folder; it is then no longer removed at exit. */
  remove(): Promise<void>;
}

/** Folders of this process not removed yet: removed synchronously at exit (process.exit, a second Ctrl-C). */
const live = new Set<string>();
let exitHookInstalled = false;

/**
 * Creates `<root>/hookstream-tmp-<purpose>-XXXXXX` with its owner file. Removed by `remove()`, or when this process
 * exits; if it is killed, by the next {@link removeAbandonedTempFolders}.
 */
export async function createTempFolder(purpose: string, root: string = tmpdir()): Promise<TempFolder> {
  const folder = await mkdtemp(path.join(root, `${TEMP_PREFIX}${purpose}-`));
  const owner: TempFolderOwner = { pid: process.pid, host: hostname(), purpose };
  try {
    await writeFile(path.join(folder, OWNER_FILE), `${JSON.stringify(owner)}\n`);
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  live.add(folder);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // 'exit' listeners must be synchronous; this runs for process.exit() and uncaught errors, not for SIGKILL.
    process.on('exit', () => {
      for (const left of live) rmSync(left, { recursive: true, force: true });
    });
  }
  return {
    path: folder,
    async remove() {
      await rm(folder, { recursive: true, force: true });
      live.delete(folder);
    },
  };
}

/** A leftover removed by {@link removeAbandonedTempFolders}. */
export interface RemovedTempFolder {
  path: string;
  owner: TempFolderOwner;
}

/**
 * Removes the folders of {@link createTempFolder} under `root` whose owner process is no longer running on this
 * host. Kept: folders of live processes, of other hosts or users, and any without a readable owner file (one being
 * created right now has none for an instant).
 */
export async function removeAbandonedTempFolders(root: string = tmpdir()): Promise<RemovedTempFolder[]> {
  const removed: RemovedTempFolder[] = [];
  const here = hostname();
  const uid = process.getuid?.();
  for (const name of await readdir(root)) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const folder = path.join(root, name);
    const info = await lstat(folder).catch(() => undefined);
    // lstat: a symlink with our prefix must not lead the sweep into someone else's folder.
    if (!info?.isDirectory() || (uid !== undefined && info.uid !== uid)) continue;
    const owner = await readOwner(folder);
    if (owner === undefined || owner.host !== here || isRunning(owner.pid)) continue;
    await rm(folder, { recursive: true, force: true });
    removed.push({ path: folder, owner });
  }
  return removed;
}

async function readOwner(folder: string): Promise<TempFolderOwner | undefined> {
  const text = await readFile(path.join(folder, OWNER_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const owner = JSON.parse(text) as Partial<TempFolderOwner>;
    // A pid of 0 or below would make process.kill address a process group: not an owner.
    if (!Number.isSafeInteger(owner.pid) || (owner.pid as number) <= 0 || typeof owner.host !== 'string') {
      return undefined;
    }
    return { pid: owner.pid as number, host: owner.host, purpose: String(owner.purpose ?? '') };
  } catch {
    // Unreadable: not proof of anything, so the folder stays.
    return undefined;
  }
}

/** Signal 0 checks for the process without touching it; EPERM means it exists under another user. */
function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
