/**
 * The network-label hook's CIDR table from a local file (replay's `--network-labels <file>`): CSV `cidr,label` lines
 * or JSON (src/hooks/network-label.ts, parseNetworkTable). The table is checked whole here, so a bad file stops the
 * run before any input is read, with the file named.
 */
import { readFile } from 'node:fs/promises';
import {
  compileNetworkTable,
  InvalidNetworkTableError,
  type NetworkTableEntry,
  parseNetworkTable,
} from '../src/hooks/network-label.js';

/** Reads and checks a table file; throws {@link InvalidNetworkTableError} prefixed with the file (or its absence). */
export async function readNetworkTableFile(file: string): Promise<NetworkTableEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InvalidNetworkTableError(
      `network labels: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  try {
    const entries = parseNetworkTable(text);
    compileNetworkTable(entries);
    return entries;
  } catch (error) {
    if (error instanceof InvalidNetworkTableError) {
      throw new InvalidNetworkTableError(`network labels: ${file}: ${error.message}`);
    }
    throw error;
  }
}
