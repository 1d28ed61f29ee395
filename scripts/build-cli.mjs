// Bundles the command line into dist/hookstream.js (run by `npm start`, `npx hookstream`, the `bin` entry).
// Packages stay external: they are installed, and DuckDB is a native addon.
// Split into chunks (dist/chunks/): each command is imported on demand (cli/commands/index.ts), so `replay` or
// `--version` never loads the modules only `query` (DuckDB) or `send` and `dev` (the AWS SDK) use.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunks of an earlier build would stay beside the new ones, unused.
rmSync('dist/chunks', { recursive: true, force: true });
await build({
  entryPoints: { hookstream: 'cli/main.ts' },
  outdir: 'dist',
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
});
