import type { BuildOptions } from 'esbuild';

/** The esbuild options of the command line's bundle into `outdir` (see cli-build-options.mjs). */
export function cliBuildOptions(outdir: string): BuildOptions;
