/**
 * Builds the CDK app: settings from context, the stack, and the cdk-nag packs as validation plugins. Shared by bin/app.ts
 * and the tests, so the tests check exactly what `cdk synth` produces.
 */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { RuleCompiler } from './constructs/rule-bundle.js';
import { readSettings } from './settings.js';
import { HookstreamStack } from './stacks/hookstream-stack.js';

export interface BuildAppOptions {
  projectRoot: string;
  compileRules: RuleCompiler;
  /** Context and outdir for tests; `cdk synth` passes context through the environment. */
  appProps?: AppProps;
}

export function buildApp(options: BuildAppOptions): { app: App; stack: HookstreamStack } {
  const app = new App({
    ...options.appProps,
    // The log bucket is written through a bucket policy, not ACLs (it enforces bucket-owner object ownership):
    // forced here so the stack does not depend on cdk.json being present.
    postCliContext: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true, ...options.appProps?.postCliContext },
  });
  const settings = readSettings((key) => app.node.tryGetContext(key));
  const stack = new HookstreamStack(app, settings.stackName, {
    stackName: settings.stackName,
    description: 'hookstream: Windows DNS-enriched Sysmon events, Sigma alerts, S3/Athena',
    settings,
    projectRoot: options.projectRoot,
    compileRules: options.compileRules,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  // cdk-nag v3 runs as CDK policy-validation plugins (not Aspects): any unacknowledged finding, error or
  // warning, fails `cdk synth` with the validation report.
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
  );
  return { app, stack };
}
