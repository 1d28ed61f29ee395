#!/usr/bin/env node
/** `cdk synth` / `cdk deploy` entry (cdk.json runs it with tsx). */
import { fileURLToPath } from 'node:url';
import { compileRules } from '../../src/detection/index.js';
import { buildApp } from '../build-app.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
// The same compiler the enrich functions run at cold start: a rule that does not compile fails synth here.
const { app } = buildApp({ projectRoot, compileRules: (sources) => compileRules(sources) });
app.synth();
