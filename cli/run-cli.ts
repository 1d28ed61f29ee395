/**
 * The command line as a function: parse `argv`, run the command, return the exit code. main.ts calls it with the
 * process's streams; tests call it in-process with buffers. It never calls process.exit, and a user's error (a bad
 * argument, a missing file, a rule that does not compile) is a message without a stack trace: one line per problem,
 * each prefixed `hookstream:`, and for a bad argument a pointer to the command's --help instead of the whole help.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.js';
import { terminalText } from './io/terminal-text.js';

export interface CliIo {
  /** `isTTY`: a terminal (process.stdout has it), where what a command writes is made safe to show (below). */
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
}

/** package.json's version: one folder up from both cli/ (sources) and dist/ (the built binary). */
function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** `hookstream rules check`, for the pointer to its --help. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function pointToHelp(command: Command): void {
  command.showHelpAfterError(`(see '${commandPath(command)} --help')`);
  for (const sub of command.commands) pointToHelp(sub);
}

/** The exit code: 0 success (or --help, --version), 1 as a command sets it (e.g. rules check), 2 a user's error. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command('hookstream')
    .description('Enrich Sysmon network connections with the names each host resolved, and run Sigma rules on them.')
    .version(version(), '-V, --version', 'print the version')
    // Before the commands are added: they inherit the output and the exit behaviour.
    .configureOutput({
      // On a terminal, nothing a command writes can act on it: CSV (kept byte for byte in a file or a pipe) and
      // any text a command did not make safe itself show escapes as text (io/terminal-text.ts). Tables and JSON
      // are safe already, and stay as they are.
      writeOut: (text) => io.stdout.write(io.stdout.isTTY === true ? terminalText(text) : text),
      writeErr: (text) => io.stderr.write(text),
      // commander's `error: ...` reads like every other message of ours.
      outputError: (text, write) => write(text.replace(/^error: /, 'hookstream: ')),
    })
    .exitOverride();
  await registerCommands(program, argv);
  pointToHelp(program);
  const previousExitCode = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    // A command reports a finding (not an error) by setting process.exitCode (rules check: a rule was rejected).
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end here with 0; commander has already written its one-line message and the pointer.
      return error.exitCode === 0 ? 0 : 2;
    }
    // A message may quote an input's name or bytes (a zip entry named by whoever made the archive).
    const message = terminalText(error instanceof Error ? error.message : String(error));
    io.stderr.write(
      `${message
        .split('\n')
        .map((line) => `hookstream: ${line}`)
        .join('\n')}\n`,
    );
    return 2;
  } finally {
    process.exitCode = previousExitCode;
  }
}
