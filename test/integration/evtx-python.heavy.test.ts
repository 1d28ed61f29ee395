/** The native EVTX reader against python-evtx and evtxexport on every SigmaHQ regression .evtx (see evtx-python.test.ts). */
import { join } from 'node:path';
import { listFiles, SIGMA_ROOT, sigmaCorpusPresent } from '../helpers/sigma-corpus.js';
import { defineReferenceTests } from './evtx-reference-tests.js';

const files = sigmaCorpusPresent() ? listFiles(join(SIGMA_ROOT, 'regression_data'), '.evtx') : [];
defineReferenceTests(files, 'every file');
