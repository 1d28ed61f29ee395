/**
 * IOC container files from local folders (`--containers <folder>` of replay, dev and rules check): one file per
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

/** One container file of a folder, as written. */
export interface ContainerFile {
  name: string;
  /** The file name (no folder). */
  fileName: string;
  text: string;
}

/** The container files of every folder, sorted by name. */
export function readContainerFiles(dirs: readonly string[]): ContainerFile[] {
  const byName = new Map<string, string>();
  const out: ContainerFile[] = [];
  for (const dir of dirs) {
    const info = statSync(dir, { throwIfNoEntry: false });
    if (!info) throw new ContainerFolderError(`containers folder not found: ${dir}`);
    if (!info.isDirectory()) {
      throw new ContainerFolderError(`containers: ${dir} is not a folder (one file per container)`);
    }
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (!entry.isFile() || entry.name.startsWith('.')) continue;
      const name = containerName(entry.name);
      const path = join(dir, entry.name);
      const other = byName.get(name);
      if (other !== undefined) throw new ContainerFolderError(`containers: ${other} and ${path} both define ${name}`);
      byName.set(name, path);
      out.push({ name, fileName: entry.name, text: readFileSync(path, 'utf8') });
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The containers of the folders' files. */
export function readContainerFolders(dirs: readonly string[]): Container[] {
  return readContainerFiles(dirs).map((f) => ({ name: f.name, values: parseContainerText(f.text) }));
}

/** A live set of the containers of every folder. */
export function loadContainerFolders(dirs: readonly string[]): ContainerSet {
  return new ContainerSet(readContainerFolders(dirs));
}
