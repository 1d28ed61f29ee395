/**
 * Every bundled function ships its source map as the cold start reads it: NODE_OPTIONS --enable-source-maps makes
 * node read and parse index.mjs.map as the module loads, so the map holds what a stack trace needs (mappings, file
 * names, symbol names) and not the sources' text (sourcesContent: 3.6 of the enrich map's 5.5 MB). Asserted on the
 * synthesised assets, as deployed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FULL_CONTEXT, type Synthesised, synth } from './synth.js';

let synthesised: Synthesised;

beforeAll(() => {
  synthesised = synth({ ...FULL_CONTEXT, 'aws:cdk:enable-asset-metadata': true });
});

interface FunctionResource {
  Properties: { Environment?: { Variables?: Record<string, unknown> } };
  Metadata?: Record<string, string>;
}

/** [logical id, asset folder, environment] of each function bundled from a local asset. */
function bundledFunctions(): [string, string, Record<string, unknown>][] {
  const resources = synthesised.template.findResources('AWS::Lambda::Function') as Record<string, FunctionResource>;
  return Object.entries(resources)
    .filter(([, fn]) => fn.Metadata?.['aws:asset:path'] !== undefined)
    .map(([id, fn]) => [
      id,
      join(synthesised.app.outdir, fn.Metadata?.['aws:asset:path'] as string),
      fn.Properties.Environment?.Variables ?? {},
    ]);
}

describe('the bundled functions', () => {
  it('are found (the stack bundles at least the enrich, enrich-hold and DNS answers functions)', () => {
    expect(bundledFunctions().length).toBeGreaterThanOrEqual(3);
  });

  it('load their source map (NODE_OPTIONS, the sourceMappingURL comment), which has mappings and no sources text', () => {
    for (const [id, asset, variables] of bundledFunctions()) {
      expect([id, String(variables.NODE_OPTIONS).split(' ')]).toEqual([
        id,
        expect.arrayContaining(['--enable-source-maps']),
      ]);
      const code = readFileSync(join(asset, 'index.mjs'), 'utf8');
      expect([id, code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')]).toEqual([id, true]);
      const map = JSON.parse(readFileSync(join(asset, 'index.mjs.map'), 'utf8')) as Record<string, unknown>;
      expect([id, 'sourcesContent' in map]).toEqual([id, false]);
      expect([id, typeof map.mappings === 'string' && map.mappings.length > 0]).toEqual([id, true]);
      // The project's own files are named, so a stack trace points at lambda/ and src/ lines.
      const sources = map.sources as string[];
      expect([id, sources.some((source) => /(^|\/)lambda\/.+\.ts$/.test(source))]).toEqual([id, true]);
    }
  });
});
