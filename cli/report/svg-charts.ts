/**
 * Inline SVG charts for the HTML report, drawn from numbers with no library: horizontal bars, stacked columns over
 * time, and a 100% share bar. Every bar is a `<rect class="bar">` carrying `data-value`, text is escaped, sizes are
 * in viewBox units (the page scales them), fonts come from the page's CSS.
 */

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** 1234567 -> "1,234,567". */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Average glyph width of the 12px UI font, to fit labels without measuring. */
const CHAR_WIDTH = 6.6;

function fitLabel(text: string, width: number): string {
  const max = Math.max(4, Math.floor(width / CHAR_WIDTH));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A round step for about `count` gridlines up to `max` (counts: whole numbers). */
function niceStep(max: number, count: number): number {
  const raw = Math.max(max, 1) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const normalised = raw / magnitude;
  const step = (normalised <= 1 ? 1 : normalised <= 2 ? 2 : normalised <= 5 ? 5 : 10) * magnitude;
  return Math.max(1, Math.round(step));
}

function svgOpen(width: number, height: number, label: string): string {
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" role="img" aria-label="${escapeXml(label)}" xmlns="http://www.w3.org/2000/svg">`;
}

function bar(x: number, y: number, width: number, height: number, color: string, value: number, tip: string): string {
  return `<rect class="bar" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(0, width).toFixed(1)}" height="${Math.max(0, height).toFixed(1)}" rx="2" fill="${color}" data-value="${value}"><title>${escapeXml(tip)}</title></rect>`;
}

function empty(width: number, message: string): string {
  return `${svgOpen(width, 60, message)}<text class="empty" x="${width / 2}" y="34" text-anchor="middle">${escapeXml(message)}</text></svg>`;
}

export interface Bar {
  label: string;
  value: number;
  color: string;
  /** Extra text after the value, e.g. "3 hosts". */
  note?: string;
}

export interface HorizontalBarOptions {
  /** viewBox width. Default 1000. */
  width?: number;
  /** Room for the labels on the left. Default 300. */
  labelWidth?: number;
  /** Least room right of the longest bar for its value and note (more is taken when the text needs it). Default 60. */
  valueWidth?: number;
  /** What the chart says when there are no bars. */
  emptyMessage: string;
  ariaLabel: string;
}

/** One labelled bar per row, longest first as given, each value written at its end. */
export function horizontalBarChart(bars: readonly Bar[], options: HorizontalBarOptions): string {
  const width = options.width ?? 1000;
  if (bars.length === 0) return empty(width, options.emptyMessage);
  const labelWidth = options.labelWidth ?? 300;
  const noteText = (item: Bar) => `${formatCount(item.value)}${item.note ? `  ${item.note}` : ''}`;
  // Room for the longest value and note, so the longest bar's text stays inside the chart.
  const needed = Math.max(...bars.map((item) => noteText(item).length)) * CHAR_WIDTH * 1.08 + 12;
  const valueRoom = Math.min(width * 0.5, Math.max(options.valueWidth ?? 60, needed));
  const row = 26;
  const barHeight = 18;
  const plot = width - labelWidth - valueRoom;
  const max = Math.max(...bars.map((b) => b.value), 1);
  const parts = [svgOpen(width, bars.length * row + 8, options.ariaLabel)];
  bars.forEach((item, i) => {
    const y = 4 + i * row;
    const length = item.value > 0 ? Math.max(2, (plot * item.value) / max) : 0;
    const value = noteText(item);
    const note = item.note ? `<tspan class="note">  ${escapeXml(item.note)}</tspan>` : '';
    parts.push(
      `<text class="label" x="${labelWidth - 10}" y="${y + barHeight / 2 + 4}" text-anchor="end">${escapeXml(fitLabel(item.label, labelWidth - 14))}<title>${escapeXml(item.label)}</title></text>`,
      bar(labelWidth, y, length, barHeight, item.color, item.value, `${item.label}: ${value}`),
      `<text class="value" x="${labelWidth + length + 6}" y="${y + barHeight / 2 + 4}">${formatCount(item.value)}${note}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

export interface Series {
  name: string;
  color: string;
  /** One value per bucket. */
  values: readonly number[];
}

export interface StackedColumnOptions {
  width?: number;
  height?: number;
  emptyMessage: string;
  ariaLabel: string;
}

/** Columns over buckets (e.g. hours), each stacked by series (e.g. alert level), with a y grid and a legend. */
export function stackedColumnChart(
  buckets: readonly string[],
  series: readonly Series[],
  options: StackedColumnOptions,
): string {
  const width = options.width ?? 1000;
  const height = options.height ?? 300;
  const totals = buckets.map((_b, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  if (buckets.length === 0 || totals.every((t) => t === 0)) return empty(width, options.emptyMessage);
  const margin = { left: 56, right: 16, top: 40, bottom: 44 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const step = niceStep(Math.max(...totals), 5);
  const top = Math.ceil(Math.max(...totals) / step) * step;
  const y = (value: number) => margin.top + plotHeight - (plotHeight * value) / top;
  const parts = [svgOpen(width, height, options.ariaLabel)];
  for (let tick = 0; tick <= top; tick += step) {
    parts.push(
      `<line class="grid" x1="${margin.left}" x2="${width - margin.right}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}"/>`,
      `<text class="axis" x="${margin.left - 8}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end">${formatCount(tick)}</text>`,
    );
  }
  const column = plotWidth / buckets.length;
  const barWidth = Math.min(56, Math.max(1, column * 0.78));
  const labelEvery = Math.max(1, Math.ceil((buckets.length * 84) / plotWidth));
  buckets.forEach((bucket, i) => {
    const x = margin.left + i * column + (column - barWidth) / 2;
    let base = 0;
    for (const s of series) {
      const value = s.values[i] ?? 0;
      if (value > 0) {
        parts.push(
          bar(
            x,
            y(base + value),
            barWidth,
            y(base) - y(base + value),
            s.color,
            value,
            `${bucket} ${s.name}: ${formatCount(value)}`,
          ),
        );
      }
      base += value;
    }
    const total = totals[i] ?? 0;
    if (total > 0 && buckets.length <= 48) {
      parts.push(
        `<text class="value" x="${(x + barWidth / 2).toFixed(1)}" y="${(y(total) - 5).toFixed(1)}" text-anchor="middle">${formatCount(total)}</text>`,
      );
    }
    if (i % labelEvery === 0) {
      parts.push(
        `<text class="axis" x="${(margin.left + i * column + column / 2).toFixed(1)}" y="${height - margin.bottom + 18}" text-anchor="middle">${escapeXml(bucket)}</text>`,
      );
    }
  });
  parts.push(`<line class="baseline" x1="${margin.left}" x2="${width - margin.right}" y1="${y(0)}" y2="${y(0)}"/>`);
  let legendX = margin.left;
  for (const s of series) {
    const total = s.values.reduce((sum, v) => sum + v, 0);
    const text = `${s.name} ${formatCount(total)}`;
    parts.push(
      `<rect x="${legendX}" y="10" width="12" height="12" rx="2" fill="${s.color}"/>`,
      `<text class="legend" x="${legendX + 18}" y="20">${escapeXml(text)}</text>`,
    );
    legendX += 18 + text.length * CHAR_WIDTH * 1.12 + 24; // the legend's font is 13px
  }
  parts.push('</svg>');
  return parts.join('');
}

export interface Segment {
  label: string;
  value: number;
  color: string;
}

/** One bar split into shares of the whole, percentages inside when they fit, and a legend with counts beneath. */
export function shareBar(
  segments: readonly Segment[],
  options: { width?: number; emptyMessage: string; ariaLabel: string },
): string {
  const width = options.width ?? 1000;
  const total = segments.reduce((sum, s) => sum + s.value, 0);
  if (total === 0) return empty(width, options.emptyMessage);
  const shown = segments.filter((s) => s.value > 0);
  const barHeight = 40;
  const legendRow = 24;
  const parts = [svgOpen(width, barHeight + 20 + shown.length * legendRow, options.ariaLabel)];
  let x = 0;
  for (const segment of shown) {
    const length = (width * segment.value) / total;
    const percent = `${((100 * segment.value) / total).toFixed(1)}%`;
    parts.push(
      bar(
        x,
        0,
        length,
        barHeight,
        segment.color,
        segment.value,
        `${segment.label}: ${formatCount(segment.value)} (${percent})`,
      ),
    );
    if (length > percent.length * CHAR_WIDTH + 12) {
      parts.push(
        `<text class="inside" x="${(x + length / 2).toFixed(1)}" y="${barHeight / 2 + 5}" text-anchor="middle">${percent}</text>`,
      );
    }
    x += length;
  }
  shown.forEach((segment, i) => {
    const y = barHeight + 20 + i * legendRow;
    const percent = `${((100 * segment.value) / total).toFixed(1)}%`;
    parts.push(
      `<rect x="0" y="${y - 12}" width="14" height="14" rx="2" fill="${segment.color}"/>`,
      `<text class="legend" x="22" y="${y}">${escapeXml(segment.label)}</text>`,
      `<text class="legend strong" x="${width - 110}" y="${y}" text-anchor="end">${formatCount(segment.value)}</text>`,
      `<text class="legend" x="${width}" y="${y}" text-anchor="end">${percent}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
