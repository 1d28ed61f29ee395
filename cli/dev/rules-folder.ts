/**
 * The enrich service reads its rules from one folder (RULES_DIR). One folder given: used in place. Several paths,
 * or files: copied into `<scratch>/rules` (copies, not symlinks: the rule reader walks real files and folders only).
 * The scratch folder belongs to the dev session, which removes it with everything else it made.
 */
import { cp, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Returns the absolute path for RULES_DIR. */
export async function prepareRulesFolder(paths: readonly string[], scratch: string): Promise<string> {
  const infos = await Promise.all(
    paths.map(async (rulePath) => {
      const info = await stat(rulePath).catch(() => undefined);
      if (!info) throw new Error(`rule path not found: ${rulePath}`);
      return { rulePath, directory: info.isDirectory() };
    }),
  );
  const only = infos[0];
  if (infos.length === 1 && only?.directory) return path.resolve(only.rulePath);
  const dir = path.join(scratch, 'rules');
  await mkdir(dir);
  // A numbered name per path: two folders or files with the same name must not overwrite each other.
  for (const [index, { rulePath }] of infos.entries()) {
    await cp(rulePath, path.join(dir, `${index}-${path.basename(rulePath)}`), { recursive: true });
  }
  return dir;
}
