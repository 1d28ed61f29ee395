import type { Command } from 'commander';

/**
 * Every sub-command, in the order the help lists them; each module exports one `register(program)`. Loaded on demand:
 * a command's module pulls in what it uses (the AWS SDK for send and dev, DuckDB for query and report), and replay
 * must not pay for those at start-up. The bundle (scripts/build-cli.mjs) splits each into a chunk of its own.
 */
const COMMANDS: readonly { name: string; load: () => Promise<{ register(program: Command): void }> }[] = [
  { name: 'replay', load: () => import('./replay.js') },
  { name: 'rules', load: () => import('./rules.js') },
  { name: 'query', load: () => import('./query.js') },
  { name: 'send', load: () => import('./send.js') },
  { name: 'report', load: () => import('./report.js') },
  { name: 'timeline', load: () => import('./timeline.js') },
  { name: 'dev', load: () => import('./dev.js') },
  { name: 'cost', load: () => import('./cost.js') },
];

/**
 * Registers the commands `argv` needs: only the named one when its first word names a command; none for a bare
 * `--version`; every one otherwise (the help, `help <command>`, and an unknown command, whose error suggests a name).
 */
export async function registerCommands(program: Command, argv: readonly string[] = []): Promise<void> {
  const first = argv.find((word) => !word.startsWith('-'));
  const named = COMMANDS.find((command) => command.name === first);
  const versionOnly =
    first === undefined &&
    argv.some((w) => w === '-V' || w === '--version') &&
    !argv.some((w) => w === '-h' || w === '--help');
  const wanted = named ? [named] : versionOnly ? [] : COMMANDS;
  // One after the other: Jest's ESM loader fails on concurrent dynamic imports of shared modules, and it costs nothing.
  for (const command of wanted) (await command.load()).register(program);
}
