// Bundles the command line into dist/hookstream.js (run by `npm start`, `npx hookstream`, the `bin` entry).
// Packages stay external: they are installed, and DuckDB is a native addon.
import { build } from 'esbuild';

await build({
  entryPoints: ['cli/main.ts'],
  outfile: 'dist/hookstream.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
