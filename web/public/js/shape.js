/**
 * Pure data shaping for the dashboard: latency buckets to histograms, percentiles and CDFs,
 * snapshot deltas to rates, sampling of animated particles, trace records to sequence-chart lanes.
 * No DOM and no d3 here, so that vitest can test it directly.
 */

/**
 * @typedef {{ x0: number, x1: number, count: number }} Bin
 * @typedef {{ t: number, op: string, fromDomain: string, toDomain: string, from: string, to: string, bytes: number, detail: string }} TraceRecord
 */

/**
 * Latency buckets as sent in a snapshot (`edgesMs` and one count per bucket) to bins.
 * Accepts the three usual layouts: counts between consecutive edges (n-1 counts), counts up to
 * each edge starting at 0 (n counts), or that plus an overflow bucket (n+1 counts).
 * @param {number[]} edges
 * @param {number[]} counts
 * @returns {Bin[]}
 */
export function binsFromBuckets(edges, counts) {
  if (!Array.isArray(edges) || !Array.isArray(counts)) return [];
  const n = edges.length;
  const bins = [];
  if (counts.length === n - 1) {
    for (let i = 0; i < counts.length; i++) bins.push({ x0: edges[i], x1: edges[i + 1], count: counts[i] || 0 });
  } else {
    for (let i = 0; i < counts.length; i++) {
      const x0 = i === 0 ? 0 : edges[i - 1];
      const x1 = i < n ? edges[i] : Infinity;
      bins.push({ x0, x1, count: counts[i] || 0 });
    }
  }
  return bins;
}

/** @param {Bin[]} bins */
export function totalCount(bins) {
  let s = 0;
  for (let i = 0; i < bins.length; i++) s += bins[i].count;
  return s;
}

/**
 * The q-quantile (0..1) of binned data, interpolating linearly inside the bin that holds it.
 * An open-ended last bin answers its lower edge. NaN when there is no data.
 * @param {Bin[]} bins
 * @param {number} q
 */
export function quantile(bins, q) {
  const total = totalCount(bins);
  if (total <= 0) return NaN;
  const target = Math.min(Math.max(q, 0), 1) * total;
  let acc = 0;
  for (let i = 0; i < bins.length; i++) {
    const b = bins[i];
    if (b.count <= 0) continue;
    if (acc + b.count >= target) {
      if (!Number.isFinite(b.x1)) return b.x0;
      const f = (target - acc) / b.count;
      return b.x0 + f * (b.x1 - b.x0);
    }
    acc += b.count;
  }
  const last = bins[bins.length - 1];
  return Number.isFinite(last.x1) ? last.x1 : last.x0;
}

/** @param {Bin[]} bins */
export function percentiles(bins) {
  return { count: totalCount(bins), p50: quantile(bins, 0.5), p95: quantile(bins, 0.95), p99: quantile(bins, 0.99) };
}

/**
 * Cumulative distribution of binned data as [upper edge ms, fraction] points, starting at the
 * first non-empty bin's lower edge with fraction 0. Open-ended bins end at their lower edge.
 * @param {Bin[]} bins
 * @returns {Array<[number, number]>}
 */
export function cdfFromBins(bins) {
  const total = totalCount(bins);
  if (total <= 0) return [];
  /** @type {Array<[number, number]>} */
  const pts = [];
  let acc = 0;
  for (let i = 0; i < bins.length; i++) {
    const b = bins[i];
    if (b.count <= 0 && pts.length === 0) continue;
    if (pts.length === 0) pts.push([b.x0, 0]);
    acc += b.count;
    pts.push([Number.isFinite(b.x1) ? b.x1 : b.x0, acc / total]);
    if (acc >= total) break;
  }
  return pts;
}

/**
 * The q-quantile read off a CDF given as [x, fraction] points (the report's latencyCdf).
 * @param {Array<[number, number]>} cdf
 * @param {number} q
 */
export function quantileFromCdf(cdf, q) {
  if (!cdf || cdf.length === 0) return NaN;
  for (let i = 0; i < cdf.length; i++) {
    if (cdf[i][1] >= q) {
      if (i === 0) return cdf[0][0];
      const [x0, f0] = cdf[i - 1];
      const [x1, f1] = cdf[i];
      return f1 === f0 ? x1 : x0 + ((q - f0) / (f1 - f0)) * (x1 - x0);
    }
  }
  return cdf[cdf.length - 1][0];
}

/**
 * Messages per simulated second on each ordered domain pair between two snapshots.
 * @param {{ clock: number, pairs?: Array<{from: string, to: string, messages: number, bytes: number}> } | null} prev
 * @param {{ clock: number, pairs?: Array<{from: string, to: string, messages: number, bytes: number}> }} cur
 * @returns {Map<string, { from: string, to: string, perSec: number, delta: number, messages: number }>}
 */
export function pairRates(prev, cur) {
  const out = new Map();
  const before = new Map();
  if (prev && prev.pairs) for (const p of prev.pairs) before.set(p.from + '\u0000' + p.to, p);
  const dtSec = prev ? (cur.clock - prev.clock) / 1000 : cur.clock / 1000;
  for (const p of cur.pairs ?? []) {
    const key = p.from + '\u0000' + p.to;
    const b = before.get(key);
    const delta = Math.max(0, p.messages - (b?.messages ?? 0));
    // notifications and instant messages among them (snapshots from older runs lack the split)
    const notify = p.notify === undefined ? null : Math.max(0, p.notify - (b?.notify ?? 0));
    const message = p.message === undefined ? null : Math.max(0, p.message - (b?.message ?? 0));
    out.set(key, { from: p.from, to: p.to, delta, notify, message, messages: p.messages, perSec: dtSec > 0 ? delta / dtSec : 0 });
  }
  return out;
}

/**
 * How many particles to animate for `n` events when at most `cap` may start: every event when
 * n <= cap, otherwise `cap` particles each standing for `per` events.
 * @param {number} n
 * @param {number} cap
 */
export function sampleParticles(n, cap) {
  if (!(n > 0) || !(cap > 0)) return { count: 0, per: 1 };
  if (n <= cap) return { count: Math.floor(n), per: 1 };
  return { count: cap, per: n / cap };
}


/**
 * Parses the override text box: one `path=value` per line (blank lines and # comments skipped).
 * @param {string} text
 */
export function parseOverrides(text) {
  return String(text ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
}

/**
 * Parses a list of sweep values: comma or space separated; numbers stay numbers, other words
 * (such as `10/h`) stay strings.
 * @param {string} text
 */
export function parseValues(text) {
  return String(text ?? '')
    .split(/[,\s]+/)
    .map((v) => v.trim())
    .filter((v) => v.length > 0)
    .map((v) => (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v));
}

/** Compact number: 1234 -> "1,234", 1.5e6 -> "1.5M". */
export function fmtCount(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  const a = Math.abs(x);
  if (a >= 1e9) return (x / 1e9).toFixed(2) + 'G';
  if (a >= 1e6) return (x / 1e6).toFixed(2) + 'M';
  if (a >= 1e4) return Math.round(x).toLocaleString('en-US');
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  return x.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 2);
}

/** Milliseconds with a sensible unit: 0.42 -> "0.42 ms", 1532 -> "1.53 s". */
export function fmtMs(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '–';
  if (ms >= 60000) return (ms / 60000).toFixed(1) + ' min';
  if (ms >= 1000) return (ms / 1000).toFixed(2) + ' s';
  if (ms >= 10) return ms.toFixed(1) + ' ms';
  return ms.toFixed(2) + ' ms';
}

/** Simulated clock as h:mm:ss (ms precision below a minute). */
export function fmtClock(ms) {
  if (!(ms >= 0)) return '–';
  const s = ms / 1000;
  if (s < 60) return s.toFixed(s < 10 ? 3 : 1) + ' s';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
}

/** 0.734 -> "73.4 %". */
export function fmtPct(f) {
  if (f === null || f === undefined || Number.isNaN(f)) return '–';
  return (f * 100).toFixed(f < 0.1 ? 2 : 1) + ' %';
}

/**
 * The 1-based line of a scenario field path such as `domains[1].servers.cores` in YAML text, found
 * by walking the keys in order (list indices pick the n-th `- ` item under the current key).
 * 0 when the path cannot be found (the field is missing, or the text is not block YAML).
 * @param {string} yaml
 * @param {string} path
 */
export function lineOfPath(yaml, path) {
  const lines = String(yaml ?? '').split(/\r?\n/);
  const segs = String(path ?? '')
    .replace(/^\/+/, '')
    .split(/[./]|\[(\d+)\]/)
    .filter((s) => s !== undefined && s !== '');
  if (segs.length === 0) return 0;
  let at = -1; // 0-based line of the last segment found
  let indent = -1;
  let afterItem = false;
  for (const seg of segs) {
    if (/^\d+$/.test(seg)) {
      // the n-th list item below the current key
      let n = Number(seg);
      let itemIndent = -1;
      let hit = -1;
      for (let i = at + 1; i < lines.length; i++) {
        const ind = lines[i].search(/\S/);
        if (ind < 0 || lines[i].trimStart().startsWith('#')) continue;
        const item = lines[i].trimStart().startsWith('-');
        if (ind < indent || (ind === indent && !item)) break;
        if (!item) continue;
        if (itemIndent < 0) itemIndent = ind;
        if (ind !== itemIndent) continue;
        if (n === 0) {
          hit = i;
          break;
        }
        n--;
      }
      if (hit < 0) return at + 1;
      at = hit;
      indent = lines[hit].search(/\S/);
      afterItem = true;
      continue;
    }
    const key = seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const block = new RegExp(`^(\\s*)(-\\s+)?${key}\\s*:`);
    const inline = new RegExp(`[{,]\\s*${key}\\s*:`);
    let hit = -1;
    if (at >= 0 && inline.test(lines[at])) hit = at;
    for (let i = afterItem ? at : at + 1; hit < 0 && i < lines.length; i++) {
      const ind = lines[i].search(/\S/);
      if (ind < 0) continue;
      if (i > at && at >= 0 && ind <= indent && !(afterItem && i === at)) break;
      if (block.test(lines[i])) hit = i;
    }
    if (hit < 0) return at + 1;
    // a key on the list item's own line (`- name: x`) is indented past the dash
    indent = afterItem && hit === at ? indent + 2 : lines[hit].search(/\S/);
    at = hit;
    afterItem = false;
  }
  return at + 1;
}

/** A step of simulated time in its own unit: 500 ms, 10 s, 2 min, 1 h. */
export function fmtStep(ms) {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${+ms.toFixed(3)} ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(3)} s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(3)} min`;
  return `${+(ms / 3_600_000).toFixed(3)} h`;
}

/**
 * CDF points ready for a monotone curve: sorted by latency, one point per latency (the highest
 * fraction of those that share it), non-positive latencies dropped (log scale).
 * @param {Array<[number, number]>} points
 */
export function cdfPoints(points) {
  const out = [];
  for (const [x, f] of [...(points ?? [])].filter((p) => p[0] > 0).sort((a, b) => a[0] - b[0] || a[1] - b[1])) {
    if (out.length && out[out.length - 1][0] === x) out[out.length - 1][1] = Math.max(out[out.length - 1][1], f);
    else out.push([x, f]);
  }
  return out;
}

export { LANES, laneOf, shortName, domainLanes, domainLaneOf, qualifiedName } from './lanes.js';
