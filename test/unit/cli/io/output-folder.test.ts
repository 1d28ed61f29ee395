/**
 * What replay and dev accept as --out: never a folder that is, holds or sits inside an input (by real path), and
 * only an absent, empty or hookstream-marked folder.
 */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  checkOutputFolder,
  markOutputFolder,
  OUTPUT_MARKER,
  OutputFolderRefusedError,
} from '../../../../cli/io/output-folder.js';

describe('checkOutputFolder', () => {
  let root: string;

  beforeEach(async () => {
    // Prepare: inputs/events/a.json, a link to inputs, a file, a foreign folder.
    root = await mkdtemp(path.join(tmpdir(), 'hookstream-output-folder-'));
    await mkdir(path.join(root, 'inputs/events'), { recursive: true });
    await writeFile(path.join(root, 'inputs/events/a.json'), '{}');
    await symlink(path.join(root, 'inputs'), path.join(root, 'link'));
    await writeFile(path.join(root, 'file'), 'x');
    await mkdir(path.join(root, 'foreign'));
    await writeFile(path.join(root, 'foreign/notes.txt'), 'mine');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it.each([
    ['is the input', 'inputs', ['inputs'], 'overlaps-input', /it is the input /],
    ['contains the input folder', '.', ['inputs/events'], 'overlaps-input', /it contains the input /],
    ['contains an input file', 'inputs', ['inputs/events/a.json'], 'overlaps-input', /it contains the input /],
    ['is inside the input', 'inputs/events/out', ['inputs'], 'overlaps-input', /it is inside the input /],
    ['is the input through a symlink', 'link', ['inputs'], 'overlaps-input', /it is the input /],
    ['is inside the input by a path not made yet', 'link/new/out', ['inputs'], 'overlaps-input', /inside the input/],
    ['holds an input named through a symlink', 'inputs', ['link/events'], 'overlaps-input', /contains the input/],
    ['is a file', 'file', ['inputs'], 'not-a-folder', /it is not a folder/],
    ['is a folder hookstream did not write', 'foreign', ['inputs'], 'not-hookstream-output', /no \.hookstream-output/],
  ])('refuses an --out that %s', async (_name, out, inputs, reason, message) => {
    // Act
    const check = checkOutputFolder(
      path.join(root, out),
      inputs.map((input) => path.join(root, input)),
    );

    // Assess
    await expect(check).rejects.toBeInstanceOf(OutputFolderRefusedError);
    await expect(check).rejects.toMatchObject({ reason, message: expect.stringMatching(message) });
  });

  it.each([
    ['absent', 'new/out'],
    ['empty', 'empty'],
    ['marked', 'marked'],
  ])('accepts an --out that is %s, beside the inputs', async (state, out) => {
    // Prepare
    await mkdir(path.join(root, 'empty'));
    await markOutputFolder(path.join(root, 'marked'), 'replay');
    await writeFile(path.join(root, 'marked/report.html'), '<html>');

    // Act
    const found = await checkOutputFolder(path.join(root, out), [path.join(root, 'inputs')]);

    // Assess
    expect(found).toBe(state);
  });

  it('ignores inputs that do not exist (the reader reports them)', async () => {
    await expect(checkOutputFolder(path.join(root, 'out'), [path.join(root, 'no/such')])).resolves.toBe('absent');
  });

  it.each([
    ['not JSON', 'hookstream'],
    ['another tool', JSON.stringify({ tool: 'other', command: 'x', version: '1' })],
  ])('refuses a folder whose marker is %s', async (_name, marker) => {
    await writeFile(path.join(root, 'foreign', OUTPUT_MARKER), marker);

    await expect(checkOutputFolder(path.join(root, 'foreign'), [])).rejects.toMatchObject({
      reason: 'not-hookstream-output',
    });
  });
});

describe('markOutputFolder', () => {
  it('creates the folder and says which tool, command and version wrote it', async () => {
    // Prepare
    const root = await mkdtemp(path.join(tmpdir(), 'hookstream-output-folder-'));
    const packageJson = JSON.parse(
      await readFile(path.resolve(import.meta.dirname, '../../../../package.json'), 'utf8'),
    );

    // Act
    await markOutputFolder(path.join(root, 'a/b'), 'dev');

    // Assess
    const marker = JSON.parse(await readFile(path.join(root, 'a/b', OUTPUT_MARKER), 'utf8'));
    expect(marker).toEqual({ tool: 'hookstream', command: 'dev', version: packageJson.version });
    await rm(root, { recursive: true, force: true });
  });
});
