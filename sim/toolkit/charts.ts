/**
 * Charts as inline SVG strings, built in Node with d3-scale, d3-shape and d3-array (no DOM, no
 * script, no external resource): line charts with optional confidence bands, and bar charts.
 */
import { extent, max } from 'd3-array';
import { scaleLinear, scaleLog, type ScaleContinuousNumeric } from 'd3-scale';
import { area, line } from 'd3-shape';

export interface Series {
  name: string;
  points: [number, number][];
  /** [x, low, high] confidence band */
  band?: [number, number, number][];
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  xLog?: boolean;
  /** dashed horizontal line (a threshold) */
  limit?: number;
  /** draw a dot per point (default true; off for dense time series) */
  dots?: boolean;
}

const W = 640;
const H = 320;
const M = { top: 30, right: 20, bottom: 46, left: 70 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmtTick = (x: number) => (Math.abs(x) >= 1e6 ? `${+(x / 1e6).toPrecision(3)}M` : Math.abs(x) >= 1e4 ? `${+(x / 1e3).toPrecision(3)}k` : `${+x.toPrecision(4)}`);

function axes(x: ScaleContinuousNumeric<number, number>, y: ScaleContinuousNumeric<number, number>, spec: { xLabel: string; yLabel: string; xLog?: boolean }): string {
  const out: string[] = [];
  const xt = spec.xLog ? (x.ticks(6) as number[]).filter((t) => Math.log10(t) % 1 === 0) : (x.ticks(6) as number[]);
  const yt = y.ticks(5) as number[];
  out.push(`<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="#333"/>`);
  for (const t of xt.length > 0 ? xt : (x.domain() as number[])) {
    const px = x(t);
    out.push(`<line x1="${px}" y1="${H - M.bottom}" x2="${px}" y2="${H - M.bottom + 5}" stroke="#333"/><text x="${px}" y="${H - M.bottom + 18}" text-anchor="middle" font-size="11">${fmtTick(t)}</text>`);
  }
  for (const t of yt) {
    const py = y(t);
    out.push(`<line x1="${M.left - 5}" y1="${py}" x2="${W - M.right}" y2="${py}" stroke="#ddd"/><text x="${M.left - 8}" y="${py + 4}" text-anchor="end" font-size="11">${fmtTick(t)}</text>`);
  }
  out.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 8}" text-anchor="middle" font-size="12">${esc(spec.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(spec.yLabel)}</text>`);
  return out.join('');
}

function frame(title: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}"><rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/><text x="${W / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${esc(title)}</text>${body}</svg>`;
}

/** A line chart (points and lines per series, optional shaded confidence band and limit line). */
export function lineChart(spec: LineChartSpec): string {
  const all = spec.series.flatMap((s) => s.points);
  const bands = spec.series.flatMap((s) => s.band ?? []);
  if (all.length === 0) return frame(spec.title, `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" font-size="12">no data</text>`);
  let [x0, x1] = extent(all, (p) => p[0]) as [number, number];
  if (x0 === x1) {
    x0 = spec.xLog ? x0 / 2 : x0 - 1;
    x1 = spec.xLog ? x1 * 2 : x1 + 1;
  }
  const ymax = Math.max(max(all, (p) => p[1]) ?? 0, max(bands, (b) => b[2]) ?? 0, spec.limit ?? 0) || 1;
  const x = (spec.xLog && x0 > 0 ? scaleLog() : scaleLinear()).domain([x0, x1]).range([M.left, W - M.right]);
  const y = scaleLinear().domain([0, ymax * 1.05]).nice().range([H - M.bottom, M.top]);
  const body: string[] = [axes(x, y, spec)];
  spec.series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    if (s.band && s.band.length > 1) {
      const a = area<[number, number, number]>().x((d) => x(d[0])).y0((d) => y(d[1])).y1((d) => y(d[2]))(s.band);
      if (a) body.push(`<path class="band" d="${a}" fill="${colour}" fill-opacity="0.18" stroke="none"/>`);
    }
    const l = line<[number, number]>().x((d) => x(d[0])).y((d) => y(d[1]))(s.points);
    if (l) body.push(`<path class="series" d="${l}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    if (spec.dots !== false) for (const p of s.points) body.push(`<circle cx="${x(p[0])}" cy="${y(p[1])}" r="3" fill="${colour}"/>`);
    if (spec.series.length > 1) body.push(`<rect x="${W - M.right - 150}" y="${M.top + 4 + i * 16}" width="10" height="10" fill="${colour}"/><text x="${W - M.right - 135}" y="${M.top + 13 + i * 16}" font-size="11">${esc(s.name)}</text>`);
  });
  if (spec.limit !== undefined) body.push(`<line class="limit" x1="${M.left}" x2="${W - M.right}" y1="${y(spec.limit)}" y2="${y(spec.limit)}" stroke="#d62728" stroke-dasharray="6 4"/>`);
  return frame(spec.title, body.join(''));
}

/** A histogram: bars over [from, to) intervals with a height each. */
export function histogram(spec: { title: string; xLabel: string; yLabel: string; bins: { from: number; to: number; value: number }[] }): string {
  const bins = spec.bins.filter((b) => b.to > b.from);
  if (bins.length === 0) return frame(spec.title, `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" font-size="12">no data</text>`);
  const x = scaleLinear().domain([Math.min(...bins.map((b) => b.from)), Math.max(...bins.map((b) => b.to))]).range([M.left, W - M.right]);
  const y = scaleLinear().domain([0, (max(bins, (b) => b.value) ?? 1) * 1.05 || 1]).nice().range([H - M.bottom, M.top]);
  const body = [axes(x, y, spec)];
  for (const b of bins) {
    const px = x(b.from);
    const w = Math.max(1, x(b.to) - px - 0.5);
    const py = y(b.value);
    body.push(`<rect class="bar" x="${px}" y="${py}" width="${w}" height="${Math.max(0.5, H - M.bottom - py)}" fill="#1f77b4"/>`);
  }
  return frame(spec.title, body.join(''));
}

/** Histogram bins (share of values per ms) from CDF points [latency, cumulative fraction]. */
export function binsFromCdf(cdf: readonly [number, number][]): { from: number; to: number; value: number }[] {
  const out: { from: number; to: number; value: number }[] = [];
  for (let i = 1; i < cdf.length; i++) {
    const [x0, p0] = cdf[i - 1];
    const [x1, p1] = cdf[i];
    if (x1 > x0 && p1 > p0) out.push({ from: x0, to: x1, value: (p1 - p0) / (x1 - x0) });
  }
  return out;
}
