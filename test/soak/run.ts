/**
 * `npm run soak`: the fault soak of issue 9 (see soak.ts). Every OTRF recording in ../shared/datasets/otrf, with
 * the hostile records mixed in, through the real handlers on the in-process emulators under seeded random faults,
 * compared with replay; one block of figures per seed, then a line per seed. Exits 1 when any seed lost,
 * duplicated or renamed an event, or got the rejected lines, alerts or notifications wrong, or gave up a batch.
 *
 *   npm run soak                         20 seeds (1..20), every recording
 *   npm run soak -- --seeds 5            seeds 1..5
 *   npm run soak -- --seed 7             one seed
 *   npm run soak -- --files subset       psh_cmstp + the four covenant recordings (7,588 records)
 *   npm run soak -- --no-hostile         ordinary records only
 */
import { otrfAvailable, otrfFiles } from '../helpers/otrf.js';
import { formatResult, problemsOf, summaryLine } from './report.js';
import { runSoak, type SoakResult, SUBSET_FILES } from './soak.js';

interface Args {
  seeds: number[];
  files: 'subset' | 'all';
  hostile: boolean;
}

function usage(message: string): never {
  console.error(`soak: ${message}\nusage: npm run soak -- [--seeds N | --seed S] [--files subset|all] [--no-hostile]`);
  process.exit(2);
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { seeds: range(20), files: 'all', hostile: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) usage(`${flag} needs a value`);
      return next;
    };
    const integer = (text: string) => {
      const n = Number(text);
      if (!Number.isInteger(n) || n < 0) usage(`${flag} ${text}: not a non-negative integer`);
      return n;
    };
    if (flag === '--seeds') {
      const n = integer(value());
      if (n < 1) usage('--seeds must be at least 1');
      args.seeds = range(n);
    } else if (flag === '--seed') args.seeds = [integer(value()) >>> 0];
    else if (flag === '--files') {
      const files = value();
      if (files !== 'subset' && files !== 'all') usage(`--files ${files}: subset or all`);
      args.files = files;
    } else if (flag === '--no-hostile') args.hostile = false;
    else usage(`unknown option ${flag}`);
  }
  return args;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

const args = parseArgs(process.argv.slice(2));
if (!otrfAvailable()) {
  console.error('soak: ../shared/datasets/otrf is absent (the soak feeds the OTRF recordings)');
  process.exit(2);
}
const files = args.files === 'subset' ? SUBSET_FILES : otrfFiles();
console.log(
  `hookstream fault soak: ${args.seeds.length} seed(s) [${args.seeds.join(', ')}], ${files.length} recordings ` +
    `(${args.files}), hostile records ${args.hostile ? 'on' : 'off'}`,
);
const results: SoakResult[] = [];
let failed = 0;
for (const seed of args.seeds) {
  const result = await runSoak({
    seed,
    files,
    hostile: args.hostile,
    log: (line) => console.log(line),
  });
  results.push(result);
  console.log(formatResult(result));
  if (problemsOf(result).length > 0) failed++;
}
console.log('\nper seed:');
for (const result of results) console.log(`  ${summaryLine(result)}`);
console.log(failed === 0 ? '\nsoak: every seed clean' : `\nsoak: ${failed} of ${results.length} seed(s) failed`);
process.exit(failed === 0 ? 0 : 1);
