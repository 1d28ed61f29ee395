// Bundles the command line into dist/hookstream.js (run by `npm start`, `npx hookstream`, the `bin` entry); the
// options are in cli-build-options.mjs.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { cliBuildOptions } from './cli-build-options.mjs';

// Chunks of an earlier build would stay beside the new ones, unused.
rmSync('dist/chunks', { recursive: true, force: true });
await build(cliBuildOptions('dist'));
