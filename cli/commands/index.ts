import type { Command } from 'commander';
import { register as registerReplay } from './replay.js';
import { register as registerRules } from './rules.js';

/** Every sub-command registers itself here; each module exports one `register(program)`. */
export function registerCommands(program: Command): void {
  registerReplay(program);
  registerRules(program);
}
