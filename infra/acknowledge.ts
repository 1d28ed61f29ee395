/**
 * cdk-nag v3 findings are acknowledged through CDK's Validations API. One finding per call, with its reason; a
 * finding id of a multi-finding rule names the finding, e.g. `AwsSolutions-IAM5[Resource::*]`.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export function acknowledge(construct: IConstruct, findings: readonly { id: string; reason: string }[]): void {
  Validations.of(construct).acknowledge(...findings);
}
