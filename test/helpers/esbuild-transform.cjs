/**
 * Jest's TypeScript transform: esbuild's transformSync, type-stripping only (types are checked by `npm run lint`,
 * as they were with ts-jest's `diagnostics: false`). ts-jest spent seconds of CPU per worker loading the
 * TypeScript compiler and transpiling the import graph on every cold cache, which is every clean clone and every CI
 * run; esbuild does the same files in milliseconds. The options follow tsconfig.json: ES2022 class fields with
 * define semantics, imports used only as types dropped (verbatimModuleSyntax false).
 */
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const esbuild = require('esbuild');

const TSCONFIG_RAW = { compilerOptions: { useDefineForClassFields: true, verbatimModuleSyntax: false } };
const SELF = readFileSync(__filename);

/** @param {boolean | undefined} esm */
const transformOptions = (esm, sourcefile) => ({
  loader: 'ts',
  format: esm ? 'esm' : 'cjs',
  target: 'node20.19', // package.json's engines; import attributes (`with { type: 'json' }`) are kept from 20.10 on
  sourcemap: 'external',
  sourcesContent: false,
  sourcefile,
  tsconfigRaw: TSCONFIG_RAW,
});

module.exports = {
  getCacheKey(source, path, options) {
    return createHash('sha256')
      .update(SELF)
      .update(esbuild.version)
      .update(String(Boolean(options.supportsStaticESM)))
      .update(path)
      .update('\0')
      .update(source)
      .digest('hex');
  },
  process(source, path, options) {
    const result = esbuild.transformSync(source, transformOptions(options.supportsStaticESM, path));
    return { code: result.code, map: result.map };
  },
};
