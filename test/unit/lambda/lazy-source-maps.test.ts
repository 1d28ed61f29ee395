/**
 * lambda/lazy-source-maps.ts in a bundle built as infra builds the functions (esbuild, minified, external map
 * without the sources' text), run in a fresh node: the frames of a thrown error map to the same TypeScript
 * positions as `node --enable-source-maps` gives, and the map is read only when a stack is formatted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';

const INSTALLER = path.resolve(import.meta.dirname, '../../../lambda/lazy-source-maps.ts');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hookstream-lazy-maps-'));
  writeFileSync(
    path.join(dir, 'thrower.ts'),
    [
      'export class ConfigError extends Error {',
      '  constructor(what: string) {',
      "    super('missing ' + what);",
      "    this.name = 'ConfigError';",
      '  }',
      '}',
      'export function readSetting(name: string): string {',
      '  throw new ConfigError(name);',
      '}',
      'export async function start(): Promise<string> {',
      '  await Promise.resolve();',
      "  return readSetting('TABLE');",
      '}',
      '',
    ].join('\n'),
  );
  // MODE=remove-map: the map is deleted after install and before the throw, so only a map read at install time
  // (not lazily) could still map the stack.
  writeFileSync(
    path.join(dir, 'entry.ts'),
    [
      "import { rmSync } from 'node:fs';",
      "import { fileURLToPath } from 'node:url';",
      `import { installLazySourceMaps } from ${JSON.stringify(INSTALLER)};`,
      "import { start } from './thrower.js';",
      'const installed = installLazySourceMaps(import.meta.url);',
      "if (process.env.MODE === 'remove-map') rmSync(fileURLToPath(import.meta.url) + '.map');",
      'try {',
      '  await start();',
      '} catch (error) {',
      '  console.log(JSON.stringify({ installed, stack: (error as Error).stack }));',
      '}',
      '',
    ].join('\n'),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bundle(name: string): string {
  const outfile = path.join(dir, `${name}.mjs`);
  buildSync({
    entryPoints: [path.join(dir, 'entry.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'error',
  });
  return outfile;
}

function run(file: string, options: { nodeOptions?: string[]; mode?: string } = {}) {
  const out = execFileSync(process.execPath, [...(options.nodeOptions ?? []), file], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '', MODE: options.mode ?? '' },
  });
  return JSON.parse(out) as { installed: boolean; stack: string };
}

/** The `file:line:column` of every frame in the fixture's TypeScript files. */
const sourcePositions = (stack: string) => stack.match(/(thrower|entry)\.ts:\d+:\d+/g) ?? [];

describe('installLazySourceMaps', () => {
  it('maps the bundle frames to the positions node --enable-source-maps gives', () => {
    // Prepare
    const file = bundle('mapped');

    // Act
    const lazy = run(file);
    const node = run(file, { nodeOptions: ['--enable-source-maps'] });

    // Assess: installed only without node's own mapping; the same head line and the same source positions.
    expect(lazy.installed).toBe(true);
    expect(node.installed).toBe(false);
    expect(lazy.stack.split('\n')[0]).toBe('ConfigError: missing TABLE');
    expect(lazy.stack.split('\n')[1]).toMatch(/^ {4}at readSetting \(/);
    expect(sourcePositions(lazy.stack)).toEqual(sourcePositions(node.stack));
    expect(sourcePositions(lazy.stack).slice(0, 2)).toEqual(['thrower.ts:8:9', 'thrower.ts:12:10']);
    expect(lazy.stack).not.toContain('.mjs:');
  });

  it('reads the map on the first stack formatted, not at install', () => {
    const file = bundle('removed');

    const { installed, stack } = run(file, { mode: 'remove-map' });

    // The map was gone by the time the stack was formatted: the frames stay those of the bundle.
    expect(installed).toBe(true);
    expect(stack).toContain('removed.mjs:');
    expect(sourcePositions(stack)).toEqual([]);
  });

  it('is not installed for a module with no map beside it (sources run by tsx or jest)', () => {
    const file = bundle('no-map');
    rmSync(`${file}.map`);

    const { installed, stack } = run(file);

    expect(installed).toBe(false);
    expect(stack).toContain('no-map.mjs:');
  });
});
