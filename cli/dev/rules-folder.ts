/**
 * The enrich service reads its rules from one folder (RULES_DIR). One folder given: used in place. Several paths,
 * or files: copied into a temporary folder (copies, not symlinks: the rule reader walks real files and folders only).
 */
import { cp, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface RulesFolder {
  /** Absolute path for RULES_DIR. */
  dir: string;
  /** Removes the temporary copy, if one was made. */
  dispose(): Promise<void>;
}

export async function prepareRulesFolder(paths: readonly string[]): Promise<RulesFolder> {
  const infos = await Promise.all(
    paths.map(async (rulePath) => {
      const info = await stat(rulePath).catch(() => undefined);
      if (!info) throw new Error(`rule path not found: ${rulePath}`);
      return { rulePath, directory: info.isDirectory() };
    }),
  );
  const only = infos[0];
  if (infos.length === 1 && only?.directory) {
    return { dir: path.resolve(only.rulePath), dispose: async () => undefined };
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'hookstream-dev-rules-'));
  try {
    // A numbered name per path: two folders or files with the same name must not overwrite each other.
    for (const [index, { rulePath }] of infos.entries()) {
      await cp(rulePath, path.join(dir, `${index}-${path.basename(rulePath)}`), { recursive: true });
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}
