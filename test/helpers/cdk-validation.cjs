/**
 * Jest setup (every test file): aws-cdk-lib runs its built-in CloudFormation schema validation (a WASM engine) on
 * every synth of an app in test mode (NODE_ENV=test makes the app "in-memory"), and only reports what it finds as
 * warnings. It cost 8-10 s of CPU per synth (profiled on the QueryCatalog stack alone: 8.1 s of 9.4 s), in every
 * infra suite. `cdk synth` of the real app does not run it. It runs once, as a check that fails, in
 * test/infra/cfn-validation.heavy.test.ts (npm run test:full).
 */
process.env.CDK_VALIDATION ??= 'false';
