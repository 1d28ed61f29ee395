/**
 * Builds the CDK app: settings from context, the stack, and the cdk-nag packs as validation plugins. Shared by bin/app.ts
 * and the tests, so the tests check exactly what `cdk synth` produces.
 */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { parseRuleSelection, type RuleSelection } from '../src/detection/rule-selection.js';
import type { RuleCompileResult, RuleCompiler } from './constructs/rule-bundle.js';
import { type HookstreamSettings, readSettings } from './settings.js';
import { HookstreamStack } from './stacks/hookstream-stack.js';

/** `compileRules` of src/detection (or a stand-in): it is given the selection the settings chose. */
export type SelectingRuleCompiler = (
  sources: Parameters<RuleCompiler>[0],
  options: { selection: RuleSelection },
) => RuleCompileResult;

export interface BuildAppOptions {
  projectRoot: string;
  compileRules: SelectingRuleCompiler;
  /** Context and outdir for tests; `cdk synth` passes context through the environment. */
  appProps?: AppProps;
}

/**
 * The compiler the stack's rule bundle calls: with the settings' selection, and carrying the options the functions
 * must load with (selection, skipInvalidRules). `seen` receives each result, for the caller to list skipped rules.
 */
function configuredCompiler(
  settings: HookstreamSettings,
  compile: SelectingRuleCompiler,
  seen: (result: RuleCompileResult) => void,
): RuleCompiler {
  const selection = parseRuleSelection(settings.ruleSelection);
  // readSettings already refused a bad selection; this cannot fail.
  if (!selection.ok) throw new Error(selection.error);
  return (sources) => {
    const result = {
      ...compile(sources, { selection: selection.value }),
      options: { selection: settings.ruleSelection, skipInvalidRules: settings.skipInvalidRules },
    };
    seen(result);
    return result;
  };
}

export interface BuiltApp {
  app: App;
  stack: HookstreamStack;
  /** Rules that do not compile, left out because of skipInvalidRules (synth lists them). */
  invalidSkipped: RuleCompileResult['rejected'];
}

export function buildApp(options: BuildAppOptions): BuiltApp {
  const app = new App({
    ...options.appProps,
    // The log bucket is written through a bucket policy, not ACLs (it enforces bucket-owner object ownership):
    // forced here so the stack does not depend on cdk.json being present.
    postCliContext: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true, ...options.appProps?.postCliContext },
  });
  const settings = readSettings((key) => app.node.tryGetContext(key));
  let invalidSkipped: RuleCompileResult['rejected'] = [];
  const compileRules = configuredCompiler(settings, options.compileRules, (result) => {
    invalidSkipped = result.rejected;
  });
  const stack = new HookstreamStack(app, settings.stackName, {
    stackName: settings.stackName,
    description: 'hookstream: Windows DNS-enriched Sysmon events, Sigma alerts, S3/Athena',
    settings,
    projectRoot: options.projectRoot,
    compileRules,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  // cdk-nag v3 runs as CDK policy-validation plugins (not Aspects): any unacknowledged finding, error or
  // warning, fails `cdk synth` with the validation report.
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
  );
  return { app, stack, invalidSkipped };
}
