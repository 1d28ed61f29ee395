import { Command } from 'commander';
import { registerCommands } from './commands/index.js';

// The reader went away (`| head`, quitting `less`): nobody is left to read more, so stop quietly and successfully
// as Unix tools do, instead of dying on an unhandled EPIPE with a stack trace. Any other stream error is a real one.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

const program = new Command('hookstream')
  .description('Enrich Sysmon network connections with the names each host resolved, and run Sigma rules on them.')
  .showHelpAfterError();
registerCommands(program);
program.parseAsync(process.argv).catch((error: unknown) => {
  // A clear message, no stack trace: these are the user's errors (bad arguments, missing files).
  process.stderr.write(`hookstream: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
