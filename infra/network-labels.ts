/**
 * The network-label hook's CIDR table in AWS (context `networkLabels=<file>`, CSV `cidr,label` or JSON, relative to
 * the project root): read and checked at synth, and given to both enrich functions as NETWORK_LABELS (compact
 * JSON), so a bad table fails synth instead of a cold start. Lambda allows 4 KB of environment per function in all,
 * so the table is capped at {@link MAX_NETWORK_LABELS_CHARS}; a larger one needs another channel (docs/hooks.md).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compileNetworkTable, parseNetworkTable } from '../src/hooks/network-label.js';
import { InvalidSettingError } from './settings.js';

/** Room left for the table in the 4 KB environment, beside the functions' other variables. */
export const MAX_NETWORK_LABELS_CHARS = 2048;

/** NETWORK_LABELS' value for the table in `file`; throws InvalidSettingError('networkLabels', ...). */
export function networkLabelsVariable(file: string, projectRoot: string): string {
  let text: string;
  try {
    text = readFileSync(path.resolve(projectRoot, file), 'utf8');
  } catch (error) {
    throw new InvalidSettingError('networkLabels', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code}`);
  }
  const table: Record<string, string> = {};
  try {
    const entries = parseNetworkTable(text);
    compileNetworkTable(entries);
    for (const { cidr, label } of entries) table[cidr.trim()] = label.trim();
  } catch (error) {
    throw new InvalidSettingError('networkLabels', `${file}: ${(error as Error).message}`);
  }
  const value = JSON.stringify(table);
  if (value.length > MAX_NETWORK_LABELS_CHARS) {
    throw new InvalidSettingError(
      'networkLabels',
      `${file} is ${value.length} characters as JSON, over the ${MAX_NETWORK_LABELS_CHARS} the Lambda environment leaves it`,
    );
  }
  return value;
}
