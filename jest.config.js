/** Jest in ESM mode: middy is ESM-only, so the whole project is ESM (see docs/design.md). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // `*.heavy.test.ts` (whole-corpus and multi-process end-to-end runs) belong to `npm run test:full` only.
  testPathIgnorePatterns:
    process.env.HOOKSTREAM_TESTS === 'full' ? ['/node_modules/'] : ['/node_modules/', '\\.heavy\\.test\\.ts$'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    // esbuild strips the types (lint type-checks): see the file for why not ts-jest.
    '^.+\\.ts$': '<rootDir>/test/helpers/esbuild-transform.cjs',
  },
  setupFiles: ['<rootDir>/test/helpers/cdk-validation.cjs'],
  globalSetup: '<rootDir>/test/helpers/test-cli-setup.mjs',
  globalTeardown: '<rootDir>/test/helpers/test-cli-teardown.mjs',
  // Lists every skipped test (its title says why: test/helpers/skip.ts); the default reporter shows none of a file
  // whose tests were all skipped.
  reporters: ['default', '<rootDir>/test/helpers/skipped-reporter.cjs'],
  testTimeout: 120000,
  maxWorkers: 2,
  // A worker is replaced once it holds more than this after a test file. Workers kept what earlier files left
  // (modules, emulator servers, timers), and later files slowed down in them: record-chunks-xml.test.ts took 35 s
  // late in a whole run against 4.7 s early. Whole npm test, fresh cache, quiet machine (2026-12-03 15:14/15:22):
  // 175 s wall, 310 s CPU without the limit; 154 s, 268 s with it.
  workerIdleMemoryLimit: '600MB',
};
