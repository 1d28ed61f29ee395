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
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  // Lists every skipped test (its title says why: test/helpers/skip.ts); the default reporter shows none of a file
  // whose tests were all skipped.
  reporters: ['default', '<rootDir>/test/helpers/skipped-reporter.cjs'],
  testTimeout: 120000,
  maxWorkers: 2,
};
