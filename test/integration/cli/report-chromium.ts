/**
 * Test helpers of the report tests: the page as headless Chromium leaves it after its script ran (`--dump-dom`), a
 * screenshot's pixels by colour, and the rows of an alert table read back from the markup.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { inflateSync } from 'node:zlib';

export const CHROMIUM = '/usr/bin/chromium';

/** Why the Chromium checks cannot run here, or undefined when they can (chosen when the test file is collected). */
export const chromiumMissing: string | undefined = existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} is absent (apt-get install chromium)`;

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The DOM after load (scripts run), and optionally a screenshot of the page. */
export async function renderInChromium(file: string, screenshot?: string): Promise<{ dom: string; png?: Buffer }> {
  const profile = await mkdtemp(path.join(tmpdir(), 'hookstream-chromium-'));
  const run = promisify(execFile);
  const flags = [...FLAGS, `--user-data-dir=${profile}`];
  try {
    const { stdout: dom } = await run(CHROMIUM, [...flags, '--dump-dom', `file://${file}`], {
      timeout: 90_000,
      maxBuffer: 256 * 1024 * 1024,
    });
    if (screenshot === undefined) return { dom };
    await run(CHROMIUM, [...flags, `--screenshot=${screenshot}`, '--window-size=1300,1400', `file://${file}`], {
      timeout: 90_000,
    });
    return { dom, png: await readFile(screenshot) };
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

function cellText(text: string): string {
  return text
    .replace(/<[^>]*>/g, '')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');
}

export interface TableRow {
  level: string;
  host: string;
  /** The cells' text, tags removed and entities decoded. */
  cells: string[];
}

/** The id of the first `<table>` of the page, in document order. */
export function firstTableId(html: string): string | undefined {
  return /<table\b[^>]*\bid="([^"]*)"/.exec(html)?.[1];
}

/** The alert rows (`<tr data-t=...>`) of the table with this id. */
export function tableRows(html: string, id: string): TableRow[] {
  const start = html.indexOf(`id="${id}"`);
  if (start === -1) throw new Error(`no table ${id}`);
  const end = html.indexOf('</table>', start);
  return [...html.slice(start, end).matchAll(/<tr ([^>]*)>([\s\S]*?)<\/tr>/g)]
    .filter((match) => /\bdata-t="/.test(match[1] ?? ''))
    .map((match) => ({
      level: /data-level="([^"]*)"/.exec(match[1] ?? '')?.[1] ?? '',
      host: cellText(/data-host="([^"]*)"/.exec(match[1] ?? '')?.[1] ?? ''),
      cells: [...(match[2] ?? '').matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cellText(cell[1] ?? '')),
    }));
}

/** `<rect class="bar" ...>` elements with their data-value and width/height. */
export function bars(html: string): { value: number; width: number; height: number }[] {
  return [...html.matchAll(/<rect class="bar"([^>]*)>/g)].map((match) => {
    const attribute = (name: string) => Number(new RegExp(`\\b${name}="([^"]*)"`).exec(match[1] ?? '')?.[1]);
    return { value: attribute('data-value'), width: attribute('width'), height: attribute('height') };
  });
}

/** The tick labels of the time axis as drawn: x centre and measured width (data-w). */
export function tickLabels(html: string): { x: number; width: number; text: string }[] {
  return [...html.matchAll(/<text class="axis tick-label"([^>]*)>([^<]*)<\/text>/g)].map((match) => ({
    x: Number(/\bx="([^"]*)"/.exec(match[1] ?? '')?.[1]),
    width: Number(/\bdata-w="([^"]*)"/.exec(match[1] ?? '')?.[1]),
    text: match[2] ?? '',
  }));
}

/** Pixels of an 8-bit RGB or RGBA PNG (what chromium's screenshots are) with this exact colour. */
export function countColour(png: Buffer, rgb: [number, number, number]): number {
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const [depth, type] = [png[24], png[25]];
  if (depth !== 8 || (type !== 2 && type !== 6)) throw new Error(`PNG depth ${depth} type ${type} not handled`);
  const channels = type === 6 ? 4 : 3;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  let count = 0;
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x] as number;
      const left = x >= channels ? (pixels[y * stride + x - channels] as number) : 0;
      const up = y > 0 ? (pixels[(y - 1) * stride + x] as number) : 0;
      const upLeft = x >= channels && y > 0 ? (pixels[(y - 1) * stride + x - channels] as number) : 0;
      let predictor = 0;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        predictor = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      pixels[y * stride + x] = (value + predictor) & 0xff;
    }
    for (let x = 0; x < stride; x += channels) {
      const i = y * stride + x;
      if (pixels[i] === rgb[0] && pixels[i + 1] === rgb[1] && pixels[i + 2] === rgb[2]) count++;
    }
  }
  return count;
}

/** The critical and high alerts of an output folder as the first table shows them: `time|host|rule|level`, sorted. */
export async function severeAlerts(out: string): Promise<string[]> {
  const { openLocalTables } = await import('../../../cli/query/local-tables.js');
  const connection = await openLocalTables(out);
  try {
    const reader = await connection.runAndReadAll(
      `SELECT replace(replace(time, 'T', ' '), 'Z', '') AS time, lower(host) AS host,
              coalesce(rule_title, rule_id) AS rule, lower(level) AS level
       FROM alerts WHERE lower(level) IN ('critical', 'high')`,
    );
    return (reader.getRowObjectsJS() as Record<string, string>[])
      .map((row) => `${row.time}|${row.host}|${row.rule}|${row.level}`)
      .sort();
  } finally {
    connection.closeSync();
  }
}

/** The rows of the page's first table as `time|host|rule|level` (sorted), and whether every critical one leads. */
export function firstTableAlerts(dom: string): { first: string | undefined; alerts: string[]; criticalFirst: boolean } {
  const rows = tableRows(dom, 'severe-alerts');
  const levels = rows.map((row) => row.level);
  const lastCritical = levels.lastIndexOf('critical');
  const firstHigh = levels.indexOf('high');
  return {
    first: firstTableId(dom),
    alerts: rows.map((row) => `${row.cells[0]}|${row.host}|${row.cells[3]}|${row.level}`).sort(),
    criticalFirst: firstHigh === -1 || lastCritical === -1 || lastCritical < firstHigh,
  };
}
