/**
 * The native EVTX reader against python-evtx and libevtx's evtxexport on a subset of SigmaHQ's regression .evtx
 * (every 10th file; all of them in evtx-python.heavy.test.ts): same record count, same header fields, same
 * EventData names and values (python-evtx), same strings in the same order (evtxexport). Skipped, visibly, when a
 * reference reader or ../shared is absent (`apt-get install -y python3-evtx libevtx-utils`).
 */
import { join } from 'node:path';
import { listFiles, SIGMA_ROOT, sigmaCorpusPresent } from '../helpers/sigma-corpus.js';
import { defineReferenceTests } from './evtx-reference-tests.js';

const files = sigmaCorpusPresent()
  ? listFiles(join(SIGMA_ROOT, 'regression_data'), '.evtx').filter((_, i) => i % 10 === 0)
  : [];
defineReferenceTests(files, 'a subset (every 10th file)');
