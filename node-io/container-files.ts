/**
 * IOC container files from a local folder (`--containers <folder>` of replay, dev and rules check): one file per
 * container, named after the file without its extension, one value per line, `#` comments (src/ioc). Subfolders
 * are not read; hidden files are skipped. Two files giving the same name are an error naming both.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Container, ContainerSet } from '../src/ioc/container-set.js';
import { containerName, parseContainerText } from '../src/ioc/parse-container.js';

/** The folder is missing, not a folder, or two files name one container: nothing may run with a partial set. */
export class ContainerFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerFolderError';
  }
}

/** The containers of one folder, sorted by name. */
export function readContainerFolder(dir: string): Container[] {
  const info = statSync(dir, { throwIfNoEntry: false });
  if (!info) throw new ContainerFolderError(`containers folder not found: ${dir}`);
  if (!info.isDirectory())
    throw new ContainerFolderError(`containers: ${dir} is not a folder (one file per container)`);
  const byName = new Map<string, string>();
  const out: Container[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    const name = containerName(entry.name);
    const other = byName.get(name);
    if (other !== undefined) {
      throw new ContainerFolderError(`containers: ${other} and ${entry.name} both define container ${name}`);
    }
    byName.set(name, entry.name);
    out.push({ name, values: parseContainerText(readFileSync(join(dir, entry.name), 'utf8')) });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** A live set of the containers of every folder (later folders may not redefine a name). */
export function loadContainerFolders(dirs: readonly string[]): ContainerSet {
  const all: Container[] = [];
  const seen = new Set<string>();
  for (const dir of dirs) {
    for (const c of readContainerFolder(dir)) {
      if (seen.has(c.name)) throw new ContainerFolderError(`containers: ${c.name} is defined in more than one folder`);
      seen.add(c.name);
      all.push(c);
    }
  }
  return new ContainerSet(all);
}
