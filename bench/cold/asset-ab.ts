/**
 * The enrich function's cold start from two synth outputs, alternated in fresh processes: `npx tsx
 * bench/cold/asset-ab.ts <cdk.out A> <cdk.out B> <rounds>` (e.g. `npx cdk synth -o /tmp/a` before a bundling change,
 * `-o /tmp/b` after). Each side runs its enrich asset as deployed: index.mjs with its source map, with the
 * function's NODE_OPTIONS from that side's template (--enable-source-maps), up to the end of a first invocation
 * with no records (bench/cold/asset-start.mjs). Both sides read the same rules folder, the SigmaHQ Windows corpus
 * written as synth writes it (bench/cold/task-root.ts): the stack's own rules folder holds a few rules only.
 * `--own-rules` (last argument): each side reads the rules folder of its own asset instead, as that side's synth
 * wrote it; for outputs synthesized with the corpus (`npx cdk synth -c rules=<corpus folder> -c
 * skipInvalidRules=true -o <dir>`), so that a change to what synth writes into the bundle is measured too. No
 * IOC containers (they would be read from S3). Prints each figure's median, range and every run.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runNode } from '../child-process.js';
import { ENRICH_ENV } from '../rule-load.js';
import { AlternatedFigures } from './alternated-figures.js';
import { writeEnrichTaskRoot } from './task-root.js';

const [outA, outB, roundsText, mode] = process.argv.slice(2);
if (!outA || !outB || !roundsText || (mode !== undefined && mode !== '--own-rules')) {
  throw new Error('usage: asset-ab.ts <cdk.out A> <cdk.out B> <rounds> [--own-rules]');
}
const ownRules = mode === '--own-rules';
const rounds = Number(roundsText);
const CHILD = path.join(import.meta.dirname, 'asset-start.mjs');

interface Side {
  tag: string;
  asset: string;
  nodeOptions: string;
}

interface TemplateFunction {
  Type: string;
  Properties: { Code?: { S3Key?: unknown }; Environment?: { Variables?: Record<string, unknown> } };
}

/** The enrich function's asset folder and NODE_OPTIONS in one synth output. */
function enrichSide(out: string, tag: string): Side {
  const template = JSON.parse(readFileSync(path.join(out, 'Hookstream.template.json'), 'utf8')) as {
    Resources: Record<string, TemplateFunction>;
  };
  const fn = Object.values(template.Resources).find(
    (r) =>
      r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'enrich',
  );
  const key = fn?.Properties.Code?.S3Key;
  if (typeof key !== 'string') throw new Error(`${out}: no enrich function with an asset key`);
  const asset = path.join(path.resolve(out), `asset.${key.replace(/\.zip$/, '')}`);
  const nodeOptions = fn?.Properties.Environment?.Variables?.NODE_OPTIONS;
  return { tag, asset, nodeOptions: typeof nodeOptions === 'string' ? nodeOptions : '' };
}

const sides = [enrichSide(outA, 'A'), enrichSide(outB, 'B')];
for (const side of sides) {
  const size = (file: string) => {
    try {
      return `${(statSync(path.join(side.asset, file)).size / 1e6).toFixed(2)} MB`;
    } catch {
      return 'absent';
    }
  };
  console.log(
    `${side.tag}: ${side.asset}: index.mjs ${size('index.mjs')}, index.mjs.map ${size('index.mjs.map')}, NODE_OPTIONS '${side.nodeOptions}'`,
  );
}
const work = mkdtempSync(path.join(tmpdir(), 'hookstream-asset-ab-'));
try {
  const root = ownRules ? undefined : await writeEnrichTaskRoot(work);
  const env = {
    ...ENRICH_ENV,
    ...(root === undefined ? {} : { RULES_DIR: path.join(root, 'rules'), LAMBDA_TASK_ROOT: root }),
    POWERTOOLS_SERVICE_NAME: 'enrich',
    POWERTOOLS_METRICS_NAMESPACE: 'hookstream',
    POWERTOOLS_LOG_LEVEL: 'WARN',
  };
  const figures = new AlternatedFigures();
  const add = (name: string, value: unknown) => figures.add(name, value);
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
      // With --own-rules the asset is the task root: RULES_DIR is `rules` (ENRICH_ENV), as /var/task/rules deployed.
      const own = root === undefined ? { LAMBDA_TASK_ROOT: side.asset } : {};
      const run = runNode([CHILD, side.asset], { ...env, ...own, NODE_OPTIONS: side.nodeOptions });
      const line = run.stdout.split('\n').find((l) => l.startsWith('BENCH '));
      if (!line) throw new Error(`${side.tag}: no BENCH line in ${run.stdout.slice(-2000)}`);
      const figure = JSON.parse(line.slice('BENCH '.length));
      const t = side.tag;
      add(`${t} enrich asset: node start-up before import ms`, figure.beforeImportMs);
      add(`${t} enrich asset: module import ms`, figure.importMs);
      add(`${t} enrich asset: process CPU after import`, figure.importedCpuMs);
      add(`${t} enrich asset: rule set ready since start ms`, figure.rulesReadyMs);
      add(`${t} enrich asset: process CPU at rule set ready`, figure.rulesReadyCpuMs);
      add(`${t} enrich asset: first invocation done since start ms`, figure.readyMs);
      add(`${t} enrich asset: process CPU at first invocation done`, figure.readyCpuMs);
      add(`${t} enrich asset: whole-process CPU (at exit)`, run.usage.userMs + run.usage.systemMs);
      add(`${t} enrich asset: peak RSS MB`, run.usage.maxRssKb / 1024);
    }
  }
  figures.print(58);
} finally {
  rmSync(work, { recursive: true, force: true });
}
