/**
 * Test helper: builds the app exactly as bin/app.ts does (cdk.json feature flags + the given context), with the
 * real rule compiler and the fixture rules. `bundle: false` skips esbuild for tests that only read the template.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type BuiltApp, buildApp, type SelectingRuleCompiler } from '../../infra/build-app.js';
import type { HookstreamStack } from '../../infra/stacks/hookstream-stack.js';
import { compileRules } from '../../src/detection/index.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURE_RULES = 'test/infra/fixtures/rules';

const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

export const realCompiler: SelectingRuleCompiler = (sources, options) => compileRules(sources, options);

/** The context of a full deployment: e-mail and Slack alerts, operations e-mail. */
export const FULL_CONTEXT = {
  rules: FIXTURE_RULES,
  alertEmail: 'soc@example.com',
  slackWebhookSecret: 'hookstream/slack-webhook',
  opsEmail: 'ops@example.com',
};

export interface Synthesised {
  app: App;
  stack: HookstreamStack;
  template: Template;
  invalidSkipped: BuiltApp['invalidSkipped'];
}

export function synth(
  context: Record<string, unknown>,
  options: { bundle?: boolean; compileRules?: SelectingRuleCompiler } = {},
): Synthesised {
  const { app, stack, invalidSkipped } = buildApp({
    projectRoot: PROJECT_ROOT,
    compileRules: options.compileRules ?? realCompiler,
    appProps: {
      context: {
        ...cdkJson.context,
        // Stack traces in construct metadata cost seconds per synth and are never read by these tests.
        'aws:cdk:disable-stack-trace': true,
        ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}),
        ...context,
      },
    },
  });
  return { app, stack, template: Template.fromStack(stack), invalidSkipped };
}

/** All resources of a type, as [logicalId, resource]. */
export function resourcesOf(template: Template, type: string): [string, { Properties: Record<string, unknown> }][] {
  return Object.entries(template.findResources(type)) as [string, { Properties: Record<string, unknown> }][];
}
