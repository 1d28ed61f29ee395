/**
 * The enrich service reads its rules from one folder (RULES_DIR). One folder given: used in place. Several paths,
 * or files: copied into `<scratch>/rules` (copies, not symlinks: the rule reader walks real files and folders only).
 * The scratch folder belongs to the dev session, which removes it with everything else it made.
 */
import { cp, mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatRuleOptions, RULE_OPTIONS_FILE, type RuleOptionsFile } from '../../lambda/rules.js';

/**
 * Returns the absolute path for RULES_DIR. With rule options (a selection, skipping invalid rules), the rules are
 * always copied, and the options written beside them as the deployed bundle has them (lambda/rules.ts).
 */
export async function prepareRulesFolder(
  paths: readonly string[],
  scratch: string,
  options?: RuleOptionsFile,
): Promise<string> {
  const infos = await Promise.all(
    paths.map(async (rulePath) => {
      const info = await stat(rulePath).catch(() => undefined);
      if (!info) throw new Error(`rule path not found: ${rulePath}`);
      return { rulePath, directory: info.isDirectory() };
    }),
  );
  const only = infos[0];
  if (infos.length === 1 && only?.directory && options === undefined) return path.resolve(only.rulePath);
  const dir = path.join(scratch, 'rules');
  await mkdir(dir);
  if (options !== undefined) await writeFile(path.join(dir, RULE_OPTIONS_FILE), formatRuleOptions(options));
  // A numbered name per path: two folders or files with the same name must not overwrite each other.
  for (const [index, { rulePath }] of infos.entries()) {
    await cp(rulePath, path.join(dir, `${index}-${path.basename(rulePath)}`), { recursive: true });
  }
  return dir;
}
