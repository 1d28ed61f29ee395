/**
 * The `--out` folder of replay and dev. hookstream clears parts of it, so it must be sure the folder is its own: a
 * marker file at its root says hookstream wrote it, and a folder that is, holds or sits inside one of the command's
 * inputs is refused outright (`replay events --out .` once deleted the input folder `events/`).
 */
import { lstat, mkdir, readdir, readFile, realpath, writeFile } from 'node:fs/promises';
import path from 'node:path';
import packageJson from '../../package.json' with { type: 'json' };

/** At the root of every folder replay or dev wrote; its presence is what lets a later run clear the folder. */
export const OUTPUT_MARKER = '.hookstream-output';

export interface OutputMarker {
  tool: 'hookstream';
  /** The sub-command that last wrote the folder. */
  command: string;
  version: string;
}

/** Why an `--out` folder is refused. */
export type OutputRefusal = 'overlaps-input' | 'not-hookstream-output' | 'not-a-folder';

/** The command stops before reading or deleting anything: a usage error, one line, non-zero exit. */
export class OutputFolderRefusedError extends Error {
  constructor(
    readonly out: string,
    readonly reason: OutputRefusal,
    detail: string,
  ) {
    super(`refusing --out ${out}: ${detail}`);
    this.name = 'OutputFolderRefusedError';
  }
}

/** Where the folder stands before the command writes to it. */
export type OutputFolderState = 'absent' | 'empty' | 'marked';

/**
 * Refuses `out` when it is, contains or is inside one of `inputs` (real paths: symlinks resolved, for `out` as far
 * as it exists), or when it is a non-empty folder without hookstream's marker. Inputs that do not exist are left to
 * the command's own reader to report. Writes nothing.
 */
export async function checkOutputFolder(out: string, inputs: readonly string[]): Promise<OutputFolderState> {
  const outReal = await realPathSoFar(out);
  for (const input of inputs) {
    const inputReal = await realpath(input).catch(() => undefined);
    if (inputReal === undefined) continue;
    const relation =
      inputReal === outReal
        ? 'is the input'
        : isInside(inputReal, outReal)
          ? 'contains the input'
          : isInside(outReal, inputReal)
            ? 'is inside the input'
            : undefined;
    if (relation !== undefined) {
      throw new OutputFolderRefusedError(
        out,
        'overlaps-input',
        `it ${relation} ${input}, which hookstream would overwrite or delete; choose an --out outside every input`,
      );
    }
  }
  const info = await lstat(outReal).catch(() => undefined);
  if (info === undefined) return 'absent';
  if (!info.isDirectory()) throw new OutputFolderRefusedError(out, 'not-a-folder', 'it is not a folder');
  if ((await readdir(outReal)).length === 0) return 'empty';
  if (await isMarked(outReal)) return 'marked';
  throw new OutputFolderRefusedError(
    out,
    'not-hookstream-output',
    `the folder is not empty and has no ${OUTPUT_MARKER} file, so hookstream did not write it; ` +
      'choose a new or empty folder (or remove this one yourself)',
  );
}

/** Creates `out` if needed and writes the marker at its root, before anything else goes in. */
export async function markOutputFolder(out: string, command: string): Promise<void> {
  await mkdir(out, { recursive: true });
  const marker: OutputMarker = { tool: 'hookstream', command, version: packageJson.version };
  await writeFile(path.join(out, OUTPUT_MARKER), `${JSON.stringify(marker)}\n`);
}

async function isMarked(folder: string): Promise<boolean> {
  const text = await readFile(path.join(folder, OUTPUT_MARKER), 'utf8').catch(() => undefined);
  if (text === undefined) return false;
  try {
    return (JSON.parse(text) as Partial<OutputMarker>).tool === 'hookstream';
  } catch {
    // A marker hookstream cannot read is not proof that hookstream wrote the folder.
    return false;
  }
}

/** `inner` strictly below `outer` (both absolute and normalised). */
function isInside(inner: string, outer: string): boolean {
  const relative = path.relative(outer, inner);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

/**
 * The real path of a folder that may not exist yet: the nearest existing ancestor resolved, the rest appended, so a
 * new `--out` under a symlink to an input is still seen as inside it.
 */
async function realPathSoFar(target: string): Promise<string> {
  let existing = path.resolve(target);
  const missing: string[] = [];
  for (;;) {
    try {
      return path.join(await realpath(existing), ...missing);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    }
    const parent = path.dirname(existing);
    if (parent === existing) return path.resolve(target);
    missing.unshift(path.basename(existing));
    existing = parent;
  }
}
