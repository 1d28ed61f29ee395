/**
 * The rule set cold start of two checkouts, alternated in fresh processes, for before/after figures on a shared
 * machine (one run of each per round, the order swapped every round): `npx tsx bench/cold/alternate.ts <A root>
 * <B root> <rounds> [rules|enrich]` (A: e.g. `git worktree add /tmp/base <commit>` with node_modules linked).
 * Bundles each side's bench/cold/rule-load.ts (as the CLI: packages external) and bench/cold/enrich-start.ts (as
 * infra bundles the function) inside that checkout, so each resolves its own packages. The replay side runs on a
 * stamped cache hit of the SigmaHQ Windows folder (one cache per side, warmed first); the enrich side on a task
 * root with the corpus, parsed-rules.json and compile-record.json written as synth writes them (by this checkout's
 * modules; the formats must be the same on both sides). Prints each figure's median, range and every run.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { runNode } from '../child-process.js';
import { ENRICH_ENV } from '../rule-load.js';
import { AlternatedFigures } from './alternated-figures.js';
import { SIGMA_WINDOWS, writeEnrichTaskRoot } from './task-root.js';

const [rootA, rootB, roundsText, only] = process.argv.slice(2);
if (!rootA || !rootB || !roundsText) throw new Error('usage: alternate.ts <A root> <B root> <rounds> [rules|enrich]');
const rounds = Number(roundsText);
const corpus = SIGMA_WINDOWS;

interface Side {
  tag: string;
  ruleLoad: string;
  enrich: string;
  cache: string;
}

/** Bundles one checkout's entries under its own dist/ (its node_modules resolve the external packages). */
async function prepare(root: string, tag: string, work: string): Promise<Side> {
  mkdirSync(path.join(root, 'dist'), { recursive: true });
  const out = mkdtempSync(path.join(path.resolve(root), 'dist', `.alternate-${tag}-`));
  const ruleLoad = path.join(out, 'rule-load.mjs');
  const enrich = path.join(out, 'enrich-start.mjs');
  await build({
    entryPoints: [path.join(root, 'bench/cold/rule-load.ts')],
    outfile: ruleLoad,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  // As bench/child-process.ts bundles a function (and infra does): every package in, minified.
  await build({
    entryPoints: [path.join(root, 'bench/cold/enrich-start.ts')],
    outfile: enrich,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'error',
  });
  return { tag, ruleLoad, enrich, cache: path.join(work, `cache-${tag}`) };
}

const work = mkdtempSync(path.join(tmpdir(), 'hookstream-alternate-'));
const sides = [await prepare(rootA, 'A', work), await prepare(rootB, 'B', work)];
try {
  const root = only === 'rules' ? '' : await writeEnrichTaskRoot(work);
  const figures = new AlternatedFigures();
  const add = (name: string, value: unknown) => figures.add(name, value);
  if (only !== 'enrich') {
    // The miss writes the entry, the next run the record; a run 2 s later (the stamp margin) writes a stamp the
    // timed runs can use.
    for (const side of sides) for (let i = 0; i < 2; i++) runNode([side.ruleLoad, corpus, side.cache]);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    for (const side of sides) runNode([side.ruleLoad, corpus, side.cache]);
  }
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
      const t = side.tag;
      if (only !== 'enrich') {
        // Whole process to ready: the usage at exit of a run that ends there (module loading included).
        const stop = runNode([side.ruleLoad, corpus, side.cache], { HOOKSTREAM_BENCH_STOP: 'ready' });
        add(`${t} replay hit: process CPU to ready`, stop.usage.userMs + stop.usage.systemMs);
        const run = JSON.parse(runNode([side.ruleLoad, corpus, side.cache]).stdout);
        add(`${t} replay hit: node start-up before the first line`, run.startupMs);
        add(`${t} replay hit: ready CPU after module loading`, run.readyCpuMs);
        add(`${t} replay hit: first process-creation event CPU`, run.firstEventCpuMs);
      }
      if (only !== 'rules') {
        const run = JSON.parse(runNode([side.enrich], { ...ENRICH_ENV, LAMBDA_TASK_ROOT: root }).stdout);
        add(`${t} enrich: module (import) ms`, run.importMs);
        add(`${t} enrich: rule set ready since start ms`, run.rulesReadyMs);
        add(`${t} enrich: process CPU at rule set ready`, run.rulesReadyCpuMs);
        add(`${t} enrich: ready since start ms`, run.readyMs);
        add(`${t} enrich: process CPU at ready`, run.readyCpuMs);
      }
    }
  }
  figures.print(52);
} finally {
  rmSync(work, { recursive: true, force: true });
  for (const side of sides) rmSync(path.dirname(side.ruleLoad), { recursive: true, force: true });
}
