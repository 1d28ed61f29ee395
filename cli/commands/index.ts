import type { Command } from 'commander';

/** Every sub-command registers itself here; each module exports one `register(program)`. */
export function registerCommands(_program: Command): void {}
