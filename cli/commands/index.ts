import type { Command } from 'commander';
import { register as registerCost } from './cost.js';
import { register as registerDev } from './dev.js';
import { register as registerQuery } from './query.js';
import { register as registerReplay } from './replay.js';
import { register as registerReport } from './report.js';
import { register as registerRules } from './rules.js';
import { register as registerSend } from './send.js';
import { register as registerTimeline } from './timeline.js';

/** Every sub-command registers itself here; each module exports one `register(program)`. */
export function registerCommands(program: Command): void {
  registerReplay(program);
  registerRules(program);
  registerQuery(program);
  registerSend(program);
  registerReport(program);
  registerTimeline(program);
  registerDev(program);
  registerCost(program);
}
