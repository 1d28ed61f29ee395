#!/usr/bin/env node
/** `cdk synth` / `cdk deploy` entry (cdk.json runs it with tsx). */
import { fileURLToPath } from 'node:url';
import { compileRules } from '../../src/detection/index.js';
import { ContainerSet } from '../../src/ioc/container-set.js';
import { buildApp } from '../build-app.js';
import { RuleBundleError } from '../constructs/rule-bundle.js';
import { InvalidSettingError } from '../settings.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const say = (text: string) =>
  process.stderr.write(
    `${text
      .split('\n')
      .map((line) => `hookstream synth: ${line}`)
      .join('\n')}\n`,
  );
try {
  // The same compiler and options the enrich functions use at cold start: a rule that does not compile fails synth
  // here, with one line per rule, unless -c skipInvalidRules=true (then they are listed and left out).
  // The functions compile with a live (S3-loaded) IOC container set, so synth does too, with none loaded yet: Gene
  // `in <name>` and Sigma `|expand %name%` rules compile and wait for their containers instead of being refused.
  const { app, invalidSkipped } = buildApp({
    projectRoot,
    compileRules: (sources, options) => compileRules(sources, { ...options, containers: new ContainerSet() }),
  });
  for (const problem of invalidSkipped) {
    say(`rule skipped (skipInvalidRules): ${problem.file}${problem.line ? `:${problem.line}` : ''}: ${problem.reason}`);
  }
  app.synth();
} catch (error) {
  // A setting or a rule the user can fix: the message is the answer, a stack trace would only hide it.
  if (!(error instanceof RuleBundleError || error instanceof InvalidSettingError)) throw error;
  say(error.message);
  process.exitCode = 1;
}
