// The esbuild options of the command line's bundle, shared by scripts/build-cli.mjs (dist/) and the test suite's
// global set-up (test/helpers/test-cli-setup.mjs), so tests spawn the CLI exactly as it is built.
// Packages stay external: they are installed, and DuckDB is a native addon. The bundle must sit one folder below
// the project root: cli/run-cli.ts reads ../package.json beside it, and packages resolve from the root's
// node_modules.
// Split into chunks (<outdir>/chunks/): each command is imported on demand (cli/commands/index.ts), so `replay` or
// `--version` never loads the modules only `query` (DuckDB) or `send` and `dev` (the AWS SDK) use.

/** @param {string} outdir @returns {import('esbuild').BuildOptions} */
export function cliBuildOptions(outdir) {
  return {
    entryPoints: { hookstream: 'cli/main.ts' },
    outdir,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    sourcemap: true,
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  };
}
