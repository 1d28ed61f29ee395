/**
 * The report's own script, inlined in the page (no network, no library): a time axis proportional to time, the time
 * range and host filters, and the alert tables shown or hidden by them. Plain ES2020 text, kept as strings because
 * it runs in the browser, not in Node; TIME_AXIS_SCRIPT has no DOM access, so the unit tests evaluate it as is.
 *
 * Event text never reaches the DOM as markup here: the script sets `textContent` and attributes only.
 */

/** Pure functions: bin size for a span, calendar-aligned ticks and their labels. Defines `timeAxis`. */
export const TIME_AXIS_SCRIPT = `
var timeAxis = (function () {
  var MIN = 60000, HOUR = 3600000, DAY = 86400000;
  // Bins of the columns: the smallest that keeps the span within maxBins.
  var BINS = [MIN, 5 * MIN, 15 * MIN, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 7 * DAY, 30 * DAY, 91 * DAY, 365 * DAY];
  // Tick steps: fixed lengths, then calendar months and years ({months: n}).
  var STEPS = [MIN, 2 * MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
    DAY, 2 * DAY, 7 * DAY, { months: 1 }, { months: 2 }, { months: 3 }, { months: 6 }, { months: 12 },
    { months: 24 }, { months: 60 }, { months: 120 }, { months: 240 }, { months: 600 }, { months: 1200 }];
  function approx(step) { return typeof step === 'number' ? step : step.months * 30.44 * DAY; }
  function binSize(span, maxBins) {
    for (var i = 0; i < BINS.length; i++) if (span / BINS[i] <= maxBins) return BINS[i];
    return BINS[BINS.length - 1];
  }
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function label(t, step) {
    var d = new Date(t);
    var ymd = d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate());
    if (typeof step !== 'number') return step.months % 12 === 0 ? String(d.getUTCFullYear()) : ymd.slice(0, 7);
    if (step >= DAY) return ymd;
    return ymd.slice(5) + ' ' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
  }
  // Widest label of a step, in characters: what decides how many ticks fit.
  function labelChars(step) {
    if (typeof step !== 'number') return step.months % 12 === 0 ? 4 : 7;
    return step >= DAY ? 10 : 11;
  }
  /** Ticks within [from, to] at the finest step whose labels fit: maxLabels(chars) says how many fit. */
  function ticks(from, to, maxLabels) {
    var span = Math.max(to - from, MIN);
    var step = STEPS[STEPS.length - 1];
    for (var i = 0; i < STEPS.length; i++) {
      if (span / approx(STEPS[i]) <= maxLabels(labelChars(STEPS[i]))) { step = STEPS[i]; break; }
    }
    var out = [];
    if (typeof step === 'number') {
      for (var t = Math.ceil(from / step) * step; t <= to; t += step) out.push({ t: t, label: label(t, step) });
    } else {
      var d = new Date(from);
      var month = d.getUTCFullYear() * 12 + d.getUTCMonth();
      if (Date.UTC(Math.floor(month / 12), month % 12, 1) < from) month++;
      month = Math.ceil(month / step.months) * step.months;
      for (;; month += step.months) {
        var at = Date.UTC(Math.floor(month / 12), month % 12, 1);
        if (at > to) break;
        out.push({ t: at, label: label(at, step) });
      }
    }
    return { step: step, ticks: out };
  }
  /** A round step for about count gridlines up to max (counts: whole numbers). */
  function countStep(max, count) {
    var raw = Math.max(max, 1) / count;
    var magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    var n = raw / magnitude;
    return Math.max(1, Math.round((n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * magnitude));
  }
  return { binSize: binSize, ticks: ticks, label: label, countStep: countStep, MIN: MIN, HOUR: HOUR, DAY: DAY };
})();
`;

/** The DOM part: reads the embedded JSON, draws the time axis, wires the filters. Needs TIME_AXIS_SCRIPT first. */
export const PAGE_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var SVG = 'http://www.w3.org/2000/svg';
  var W = 1000, H = 300, M = { left: 56, right: 16, top: 36, bottom: 40 };
  var CHAR = 6.6;
  var chart = document.getElementById('timeline-chart');
  var from = document.getElementById('filter-from');
  var to = document.getElementById('filter-to');
  var hostSelect = document.getElementById('filter-host');
  var period = document.getElementById('filter-period');
  var shown = document.getElementById('filter-shown');
  var first = data.first, last = data.last;

  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    for (var key in attrs) node.setAttribute(key, String(attrs[key]));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function iso(ms) { return new Date(ms).toISOString().slice(0, 19); }
  function parseInput(input) {
    if (!input.value) return undefined;
    var ms = Date.parse(input.value.length === 16 ? input.value + ':00Z' : input.value + 'Z');
    return isNaN(ms) ? undefined : ms;
  }
  function range() {
    var f = parseInput(from), t = parseInput(to);
    return { from: f === undefined ? -Infinity : f, to: t === undefined ? Infinity : t, host: hostSelect.value };
  }

  data.hosts.forEach(function (host) {
    var option = document.createElement('option');
    option.value = host; option.textContent = host; hostSelect.appendChild(option);
  });
  data.periods.forEach(function (p) {
    var option = document.createElement('option');
    option.value = p.from + '/' + p.to;
    option.textContent = p.label;
    period.appendChild(option);
  });

  function draw(r) {
    while (chart.firstChild) chart.removeChild(chart.firstChild);
    var points = data.points.filter(function (p) {
      var ms = p[0] * 60000;
      return ms >= r.from && ms <= r.to && (r.host === '' || data.hosts[p[1]] === r.host);
    });
    var svg = el('svg', { 'class': 'chart', viewBox: '0 0 ' + W + ' ' + H, width: '100%', role: 'img',
      'aria-label': 'Alerts over time by level', preserveAspectRatio: 'xMinYMin meet' });
    chart.appendChild(svg);
    if (points.length === 0) {
      svg.setAttribute('viewBox', '0 0 ' + W + ' 60');
      svg.appendChild(el('text', { 'class': 'empty', x: W / 2, y: 34, 'text-anchor': 'middle' },
        data.points.length === 0 ? 'No alerts with a time in this output' : 'No alerts in the chosen range and host'));
      return;
    }
    var lo = isFinite(r.from) ? r.from : points[0][0] * 60000;
    var hi = isFinite(r.to) ? r.to : points[points.length - 1][0] * 60000 + 60000;
    var plot = W - M.left - M.right;
    // The points are per minute: under an hour, widen the domain around them so a column stays a column.
    if (hi - lo < 3600000) { var mid = (lo + hi) / 2; lo = mid - 1800000; hi = mid + 1800000; }
    var bin = timeAxis.binSize(Math.max(hi - lo, 60000), 240);
    lo = Math.floor(lo / bin) * bin; hi = Math.max(Math.ceil(hi / bin) * bin, lo + bin);
    var x = function (t) { return M.left + (plot * (t - lo)) / (hi - lo); };
    var bins = {};
    points.forEach(function (p) {
      var start = Math.floor((p[0] * 60000) / bin) * bin;
      var b = bins[start] || (bins[start] = { total: 0, levels: {} });
      b.levels[p[2]] = (b.levels[p[2]] || 0) + p[3];
      b.total += p[3];
    });
    var max = 0;
    for (var k in bins) max = Math.max(max, bins[k].total);
    var step = timeAxis.countStep(max, 5), top = Math.ceil(max / step) * step;
    var ph = H - M.top - M.bottom;
    var y = function (v) { return M.top + ph - (ph * v) / top; };
    for (var v = 0; v <= top; v += step) {
      svg.appendChild(el('line', { 'class': 'grid', x1: M.left, x2: W - M.right, y1: y(v), y2: y(v) }));
      svg.appendChild(el('text', { 'class': 'axis', x: M.left - 8, y: y(v) + 4, 'text-anchor': 'end' }, String(v)));
    }
    var width = Math.max(1.5, (plot * bin) / (hi - lo) - 1);
    Object.keys(bins).forEach(function (key) {
      var start = Number(key), b = bins[key], base = 0;
      data.levels.forEach(function (level, li) {
        var n = b.levels[li] || 0;
        if (n === 0) return;
        var rect = el('rect', { 'class': 'bar', x: x(start).toFixed(1), y: y(base + n).toFixed(1),
          width: width.toFixed(1), height: (y(base) - y(base + n)).toFixed(1), fill: data.colors[li],
          'data-value': n, 'data-level': level, 'data-t': start });
        rect.appendChild(el('title', {}, iso(start) + 'Z +' + Math.round(bin / 60000) + ' min · ' + level + ': ' + n));
        svg.appendChild(rect);
        base += n;
      });
    });
    svg.appendChild(el('line', { 'class': 'baseline', x1: M.left, x2: W - M.right, y1: y(0), y2: y(0) }));
    // Ticks: as many as their labels fit, then any label that would still touch the previous one is dropped.
    var axis = timeAxis.ticks(lo, hi, function (chars) { return Math.max(2, Math.floor(plot / (chars * CHAR + 24))); });
    var lastEnd = -Infinity;
    axis.ticks.forEach(function (tick) {
      var tx = x(tick.t);
      svg.appendChild(el('line', { 'class': 'tick', x1: tx, x2: tx, y1: H - M.bottom, y2: H - M.bottom + 5 }));
      var text = el('text', { 'class': 'axis tick-label', x: tx.toFixed(1), y: H - M.bottom + 18, 'text-anchor': 'middle',
        'data-t': tick.t }, tick.label);
      svg.appendChild(text);
      var w = text.getComputedTextLength ? text.getComputedTextLength() : tick.label.length * CHAR;
      if (tx - w / 2 < lastEnd + 4) { svg.removeChild(text); return; }
      text.setAttribute('data-w', w.toFixed(1));
      lastEnd = tx + w / 2;
    });
    var legendX = M.left;
    data.levels.forEach(function (level, li) {
      var total = 0;
      points.forEach(function (p) { if (p[2] === li) total += p[3]; });
      if (total === 0) return;
      var label = level + ' ' + total;
      svg.appendChild(el('rect', { x: legendX, y: 8, width: 12, height: 12, rx: 2, fill: data.colors[li] }));
      svg.appendChild(el('text', { 'class': 'legend', x: legendX + 18, y: 18 }, label));
      legendX += 18 + label.length * CHAR * 1.12 + 24;
    });
    var caption = document.getElementById('timeline-caption');
    caption.textContent = 'UTC, event time: ' + iso(lo).replace('T', ' ') + ' to ' + iso(hi).replace('T', ' ') +
      '; each column is ' + (bin >= 86400000 ? Math.round(bin / 86400000) + ' day(s)' : bin >= 3600000 ?
      Math.round(bin / 3600000) + ' hour(s)' : Math.round(bin / 60000) + ' minute(s)') +
      ', stacked by level; the axis is proportional to time.';
  }

  function apply() {
    var r = range();
    var rows = document.querySelectorAll('tr[data-t]');
    var visible = 0;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var t = Number(row.getAttribute('data-t'));
      var host = row.getAttribute('data-host');
      var show = (isNaN(t) ? r.from === -Infinity && r.to === Infinity : t >= r.from && t <= r.to) &&
        (r.host === '' || host === r.host);
      row.hidden = !show;
      if (show && row.closest('#severe-alerts')) visible++;
    }
    var totalSevere = document.querySelectorAll('#severe-alerts tr[data-t]').length;
    shown.textContent = (r.host === '' && r.from === -Infinity && r.to === Infinity) ? '' :
      'Filtered: ' + visible + ' of ' + totalSevere + ' critical and high alerts shown.';
    draw(r);
  }

  period.addEventListener('change', function () {
    if (period.value === '') { from.value = ''; to.value = ''; }
    else { var p = period.value.split('/'); from.value = iso(Number(p[0])); to.value = iso(Number(p[1])); }
    apply();
  });
  [from, to, hostSelect].forEach(function (input) { input.addEventListener('change', apply); });
  document.getElementById('filter-reset').addEventListener('click', function () {
    from.value = ''; to.value = ''; hostSelect.value = ''; period.value = ''; apply();
  });
  var links = document.querySelectorAll('[data-filter-host]');
  for (var i = 0; i < links.length; i++) {
    links[i].addEventListener('click', function (event) {
      event.preventDefault();
      hostSelect.value = this.getAttribute('data-filter-host');
      apply();
      document.getElementById('filters').scrollIntoView();
    });
  }
  if (first !== null) { from.min = iso(first); to.max = iso(last + 60000); }
  document.getElementById('filters').hidden = false;
  apply();
})();
`;
