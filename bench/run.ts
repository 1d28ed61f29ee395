/**
 * `npm run bench`: every benchmark, each printed beside a baseline measured in the same run.
 * `npm run bench -- --events 200000` for a shorter run.
 */
import os from 'node:os';
import { benchDetection } from './detection.js';
import { benchEnrichment } from './enrichment.js';
import { benchEvtx, evtxArguments } from './evtx.js';
import { benchLambda } from './lambda.js';
import { type Figure, printFigures } from './measure.js';

const eventsFlag = process.argv.indexOf('--events');
const events = eventsFlag >= 0 ? Number(process.argv[eventsFlag + 1]) : 1_000_000;
const print = (title: string, figures: Figure[] | string) =>
  typeof figures === 'string' ? console.log(`\n${title}: ${figures}`) : printFigures(title, figures);

console.log(
  `hookstream benchmarks: node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} x${os.cpus().length}`,
);
print(`Enrichment: ${events.toLocaleString('en-US')} generated events`, await benchEnrichment(events));
const detectionEvents = Math.min(events, 200_000);
print(
  `Detection, whole SigmaHQ Windows corpus: ${detectionEvents.toLocaleString('en-US')} generated events`,
  await benchDetection(detectionEvents),
);
print('EVTX decoding beside JSON.parse of the same events', benchEvtx(evtxArguments(process.argv)));
print('Lambda handlers against the local emulators, OTRF recordings', await benchLambda());
