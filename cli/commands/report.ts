/** `hookstream report --html <file>`: one self-contained HTML page of charts over the output of replay. */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { openLocalTables } from '../query/local-tables.js';
import { renderReport } from '../report/render-report.js';
import { loadReportData } from '../report/report-data.js';

export function register(program: Command): void {
  program
    .command('report')
    .description('write an HTML report (alerts over time, enrichment, top destinations) from the output of replay')
    .option('--out <dir>', 'output folder written by replay', 'out')
    .requiredOption('--html <file>', 'where to write the HTML page')
    .addHelpText(
      'after',
      `
The page is self-contained (inline CSS and SVG, no scripts, no external fonts or links).

Example:
  hookstream replay events --rules rules --out out && hookstream report --out out --html report.html`,
    )
    .action(async (flags: { out: string; html: string }) => {
      const info = await stat(flags.out).catch(() => undefined);
      if (!info?.isDirectory())
        throw new Error(`no such output folder: ${flags.out} (write one with hookstream replay)`);
      const connection = await openLocalTables(flags.out);
      let html: string;
      try {
        html = renderReport(await loadReportData(connection), { out: flags.out, generatedAt: new Date() });
      } finally {
        connection.closeSync();
      }
      await mkdir(path.dirname(path.resolve(flags.html)), { recursive: true });
      await writeFile(flags.html, html).catch((error: NodeJS.ErrnoException) => {
        throw new Error(`cannot write ${flags.html}: ${error.code ?? error.message}`);
      });
      process.stdout.write(`wrote ${flags.html} (${Math.round(Buffer.byteLength(html) / 1024)} KB)\n`);
    });
}
