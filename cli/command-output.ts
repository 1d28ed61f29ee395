import type { Command } from 'commander';

/**
 * Writes a command's result to the output runCli gave the program (the process's stdout, or a test's buffer):
 * commands inherit it through commander's output configuration.
 */
export function writeOut(command: Command, text: string): void {
  const write = command.configureOutput().writeOut;
  if (write) write(text);
  else process.stdout.write(text);
}
