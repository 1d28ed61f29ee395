import { runCli } from './run-cli.js';

// The reader went away (`| head`, quitting `less`): nobody is left to read more, so stop quietly and successfully
// as Unix tools do, instead of dying on an unhandled EPIPE with a stack trace. Any other stream error is a real one.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
