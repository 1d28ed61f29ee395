// Moved to cli/dev/emulators.ts (`hookstream dev` runs the emulators, and the CLI must not import from test/);
// re-exported here so the tests keep their import path.
export * from '../../cli/dev/emulators.js';
