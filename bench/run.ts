/**
 * `npm run bench`: every benchmark, each printed beside a baseline measured in the same run.
 * `npm run bench -- --events 200000` for a shorter run.
 */
import os from 'node:os';
import { benchEnrichment } from './enrichment.js';
import { printFigures } from './measure.js';

const eventsFlag = process.argv.indexOf('--events');
const events = eventsFlag >= 0 ? Number(process.argv[eventsFlag + 1]) : 1_000_000;

console.log(
  `hookstream benchmarks: node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} x${os.cpus().length}`,
);
printFigures(`Enrichment: ${events.toLocaleString('en-US')} generated events`, await benchEnrichment(events));
