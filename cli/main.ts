import { Command } from 'commander';
import { registerCommands } from './commands/index.js';

const program = new Command('hookstream')
  .description('Enrich Sysmon network connections with the names each host resolved, and run Sigma rules on them.')
  .showHelpAfterError();
registerCommands(program);
program.parseAsync(process.argv).catch((error: unknown) => {
  // A clear message, no stack trace: these are the user's errors (bad arguments, missing files).
  process.stderr.write(`hookstream: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
