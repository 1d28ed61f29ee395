/**
 * `npm run bench`: every benchmark, each printed beside a baseline measured in the same run.
 * `npm run bench -- --quick` for a shorter run (fewer generated events, no emulator run, replay at 1x only);
 * `--events 200000` sets the generated events; `--scales 1,3,10` the replay input sizes for peak RSS; `--only replay`
 * runs only the CLI start-up, rule set cold start and whole-replay blocks; `--only rules` the rule set cold start alone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from './child-process.js';
import { benchDetection, SIGMA_ROOT } from './detection.js';
import { benchEnrichment } from './enrichment.js';
import { benchEvtx, evtxArguments } from './evtx.js';
import { benchLambda } from './lambda.js';
import { type Figure, printFigures } from './measure.js';
import { benchReplay, benchStartup } from './replay.js';
import { benchRuleLoad } from './rule-load.js';

const flag = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const quick = process.argv.includes('--quick');
/** `--only replay`: the start-up, rule set and replay blocks alone (the micro benchmarks left out); `rules`: the rule set. */
const only = flag('--only');
const events = Number(flag('--events') ?? (quick ? 100_000 : 1_000_000));
const scales = (flag('--scales') ?? (quick ? '1' : '1,3,10')).split(',').map(Number);
const print = (title: string, figures: Figure[] | string) =>
  typeof figures === 'string' ? console.log(`\n${title}: ${figures}`) : printFigures(title, figures);

const cpus = os.cpus();
console.log(
  `hookstream benchmarks: node ${process.version}, ${cpus[0]?.model ?? 'unknown CPU'}, nproc ${os.availableParallelism()}, ` +
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at start${quick ? ' (--quick)' : ''}`,
);

const OTRF = path.resolve(PROJECT_ROOT, '../shared/datasets/otrf');
const WINDOWS_RULES = path.join(SIGMA_ROOT, 'rules/windows');
if (only === 'rules') {
  print(
    'Rule set cold start, SigmaHQ Windows folder, fresh processes',
    await benchRuleLoad(WINDOWS_RULES, quick ? 1 : 3),
  );
  process.exit(0);
}
if (existsSync(OTRF) && existsSync(WINDOWS_RULES)) {
  // The CLI as it is now: the replay figures are of dist/hookstream.js.
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  print('CLI start-up (dist/hookstream.js), fresh processes', benchStartup(OTRF, quick ? 2 : 5));
  print(
    'Rule set cold start, SigmaHQ Windows folder, fresh processes',
    await benchRuleLoad(WINDOWS_RULES, quick ? 1 : 3),
  );
  print(
    'Whole replay command, OTRF recordings, SigmaHQ Windows folder, beside the JSON ceiling',
    benchReplay({ otrf: OTRF, rules: WINDOWS_RULES, scales, phases: true }),
  );
} else {
  console.log(`\nReplay and rule set cold start: skipped (${OTRF} or ${WINDOWS_RULES} is absent)`);
}
if (only === 'replay') process.exit(0);
print(`Enrichment: ${events.toLocaleString('en-US')} generated events`, await benchEnrichment(events));
const detectionEvents = Math.min(events, 200_000);
print(
  `Detection, whole SigmaHQ Windows corpus: ${detectionEvents.toLocaleString('en-US')} generated events`,
  await benchDetection(detectionEvents),
);
print('EVTX decoding beside JSON.parse of the same events', benchEvtx(evtxArguments(process.argv)));
if (!quick) print('Lambda handlers against the local emulators, OTRF recordings', await benchLambda());
