/** Test helper: locates the shared Sigma corpus and its regression data (../shared beside the checkout; absent in a user's clone). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { SHARED_DIR } from './skip.js';

export const SIGMA_ROOT = join(SHARED_DIR, 'sigma');
export const sigmaCorpusPresent = (): boolean => existsSync(join(SIGMA_ROOT, 'regression_data'));

export function listFiles(dir: string, ending: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, ending));
    else if (entry.name.endsWith(ending)) out.push(full);
  }
  return out.sort();
}

export interface RegressionCase {
  ruleId: string;
  ruleFile: string;
  jsonFile: string;
  matchCount: number;
}

/** Every (rule, sample) pair with regression data; the rule file found under rules*\/ by its id. */
export function regressionCases(): RegressionCase[] {
  const ruleFiles = new Map<string, string>();
  for (const top of readdirSync(SIGMA_ROOT).filter((d) => d.startsWith('rules'))) {
    for (const file of listFiles(join(SIGMA_ROOT, top), '.yml')) {
      const m = /^id:\s*['"]?([0-9a-fA-F-]{36})/m.exec(readFileSync(file, 'utf8'));
      if (m?.[1]) ruleFiles.set(m[1].toLowerCase(), file);
    }
  }
  const cases: RegressionCase[] = [];
  for (const info of listFiles(join(SIGMA_ROOT, 'regression_data'), 'info.yml')) {
    const doc = parse(readFileSync(info, 'utf8')) as {
      rule_metadata?: { id: string }[];
      regression_tests_info?: { path?: string; match_count?: number }[];
    };
    const dir = dirname(info);
    for (const meta of doc.rule_metadata ?? []) {
      const ruleFile = ruleFiles.get(String(meta.id).toLowerCase()) ?? '';
      for (const test of doc.regression_tests_info ?? []) {
        const base = test.path
          ? test.path
              .split('/')
              .pop()
              ?.replace(/\.evtx$/, '.json')
          : undefined;
        const jsonFile = base && existsSync(join(dir, base)) ? join(dir, base) : '';
        const jsons = jsonFile ? [jsonFile] : listFiles(dir, '.json');
        for (const j of jsons)
          cases.push({ ruleId: meta.id, ruleFile, jsonFile: j, matchCount: test.match_count ?? 1 });
      }
    }
  }
  return cases;
}
