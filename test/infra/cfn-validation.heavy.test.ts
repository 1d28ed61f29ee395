/**
 * aws-cdk-lib's built-in CloudFormation validation (resource schemas, property types, required properties) over
 * the whole default deployment, as a check that fails: aws-cdk-lib itself only reports what it finds as warnings.
 * Every other test synthesises without it (test/helpers/cdk-validation.cjs: 8-10 s of CPU per synth).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { VALIDATION_REPORT_FILE } from 'aws-cdk-lib/cx-api';
import { FULL_CONTEXT, synth } from './synth.js';

interface ValidationReport {
  // Plugins that found nothing are left out of the report.
  pluginReports: { pluginName: string; violations: { ruleName: string }[] }[];
}

const violations = (outdir: string) =>
  (JSON.parse(readFileSync(join(outdir, VALIDATION_REPORT_FILE), 'utf8')) as ValidationReport).pluginReports.flatMap(
    (plugin) => plugin.violations.map((violation) => `${plugin.pluginName}: ${violation.ruleName}`),
  );

describe('CloudFormation validation', () => {
  const before = process.env.CDK_VALIDATION;
  beforeAll(() => {
    process.env.CDK_VALIDATION = 'true';
  });
  afterAll(() => {
    if (before === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = before;
  });

  it('runs: a bucket with a property CloudFormation does not know is reported', () => {
    // The control: without it, an empty report below could mean the validation never ran.
    const app = new App();
    new CfnResource(new Stack(app, 'Bad'), 'Bucket', { type: 'AWS::S3::Bucket', properties: { NoSuchProperty: 1 } });
    app.synth();
    expect(violations(app.outdir).length).toBeGreaterThan(0);
  });

  it('finds nothing in the default deployment', () => {
    const { app } = synth(FULL_CONTEXT, { bundle: false });
    expect(violations(app.outdir)).toEqual([]);
  });
});
