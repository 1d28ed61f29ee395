/** `hookstream report [out]`: one self-contained HTML page over the output of replay, leading with severity. */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { writeOut } from '../command-output.js';
import { openLocalTables } from '../query/local-tables.js';
import { renderReport } from '../report/render-report.js';
import { loadReportData } from '../report/report-data.js';

interface ReportFlags {
  out?: string;
  html?: string;
}

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'write an HTML report (critical and high alerts first, alerts over time, hosts, rejected input, enrichment)',
    )
    .argument('[out]', 'output folder written by replay (or give --out)')
    .option('--out <dir>', 'output folder written by replay (default: out)')
    .option('--html <file>', 'where to write the HTML page (default: <out>/report.html)')
    .addHelpText(
      'after',
      `
The page is one self-contained file: inline CSS, SVG and script, nothing loaded from elsewhere.

Examples:
  hookstream report out
  hookstream replay events --rules rules --out out && hookstream report --out out --html report.html`,
    )
    .action(async (positional: string | undefined, flags: ReportFlags, self: Command) => {
      if (positional !== undefined && flags.out !== undefined && positional !== flags.out)
        throw new Error(`two output folders given: ${positional} and --out ${flags.out}; give one`);
      const out = positional ?? flags.out ?? 'out';
      const html = flags.html ?? path.join(out, 'report.html');
      const info = await stat(out).catch(() => undefined);
      if (!info?.isDirectory()) throw new Error(`no such output folder: ${out} (write one with hookstream replay)`);
      const connection = await openLocalTables(out);
      let page: string;
      try {
        page = renderReport(await loadReportData(connection, out), { out, generatedAt: new Date() });
      } finally {
        connection.closeSync();
      }
      await mkdir(path.dirname(path.resolve(html)), { recursive: true });
      await writeFile(html, page).catch((error: NodeJS.ErrnoException) => {
        throw new Error(`cannot write ${html}: ${error.code ?? error.message}`);
      });
      writeOut(self, `wrote ${html} (${Math.round(Buffer.byteLength(page) / 1024)} KB)\n`);
    });
}
