/**
 * The report a person reads: one document model per run, sweep or sizing, rendered either as a
 * single self-contained HTML file (inline CSS and SVG charts, no script, nothing fetched) or as
 * Markdown (charts become tables of their data).
 */
import type { Report } from '../run.js';
import { formatDiff, type CrossCheckRow } from './analytic.js';
import { binsFromCdf, esc, histogram, lineChart, type Series } from './charts.js';
import { FIGURE_DOCS, keyFigures, type FigureName } from './figures.js';
import type { SizeResult } from './size.js';
import type { SweepResult } from './sweep.js';
import { formatThresholdNumber as num, type ThresholdOutcome } from './thresholds.js';

export type Block =
  | { kind: 'h'; text: string }
  | { kind: 'p'; text: string }
  | { kind: 'table'; head: string[]; rows: string[][] }
  | { kind: 'chart'; svg: string; data: { head: string[]; rows: string[][] } };

export interface Doc {
  title: string;
  blocks: Block[];
}

const bytes = (b: number) => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : b >= 1e3 ? `${(b / 1e3).toFixed(1)} kB` : `${Math.round(b)} B`);

function thresholdBlocks(outcomes: readonly ThresholdOutcome[]): Block[] {
  if (outcomes.length === 0) return [];
  const failed = outcomes.filter((o) => !o.passed).length;
  return [
    { kind: 'h', text: 'Thresholds' },
    { kind: 'p', text: `${outcomes.length - failed} passed, ${failed} failed.` },
    {
      kind: 'table',
      head: ['outcome', 'threshold', 'deciding value', 'bound'],
      rows: outcomes.map((o) => [o.passed ? 'PASS' : 'FAIL', o.threshold, o.worst ? `${o.worst.binding ? `${o.worst.binding}: ` : ''}${num(o.worst.left)}` : 'no values', o.worst ? num(o.worst.right) : '']),
    },
  ];
}

function crossCheckBlocks(rows: readonly CrossCheckRow[] | undefined): Block[] {
  if (!rows || rows.length === 0) return [];
  const ci = rows.some((r) => r.ci95 !== undefined);
  return [
    { kind: 'h', text: 'Analytic cross-check' },
    { kind: 'p', text: 'Closed-form expectations next to the simulated figures. "exact" rows follow from the model\'s rules; "approx" rows lean on approximations named in the note.' },
    {
      kind: 'table',
      head: ['figure', ci ? 'simulated (mean ± 95% CI)' : 'simulated', 'analytic', 'difference', 'kind', 'note'],
      rows: rows.map((r) => [
        r.figure,
        r.ci95 !== undefined ? `${num(r.simulated)} ± ${num(r.ci95)}` : num(r.simulated),
        num(r.analytic),
        formatDiff(r),
        `${r.exact ? 'exact' : 'approx'}${r.withinCi === undefined ? '' : r.withinCi ? ', within CI' : ', outside CI'}`,
        r.note,
      ]),
    },
  ];
}

function cdfChart(name: string, cdf: readonly [number, number][]): Block {
  return {
    kind: 'chart',
    svg: lineChart({ title: `${name} latency CDF`, xLabel: 'latency (ms, simulated)', yLabel: 'cumulative fraction', series: [{ name, points: cdf.map(([x, p]) => [x, p]) }] }),
    data: { head: ['latency (ms)', 'cumulative fraction'], rows: cdf.map(([x, p]) => [num(x), num(p)]) },
  };
}

function histChart(name: string, cdf: readonly [number, number][]): Block {
  const bins = binsFromCdf(cdf);
  return {
    kind: 'chart',
    svg: histogram({ title: `${name} latency histogram`, xLabel: 'latency (ms, simulated)', yLabel: 'share per ms', bins }),
    data: { head: ['from (ms)', 'to (ms)', 'share per ms'], rows: bins.map((b) => [num(b.from), num(b.to), num(b.value)]) },
  };
}

/** The document of one run. */
export function runDocument(r: Report, extra: { thresholds?: ThresholdOutcome[]; crossCheck?: CrossCheckRow[]; description?: string } = {}): Doc {
  const f = keyFigures(r);
  const secs = r.parameters.duration / 1000;
  const blocks: Block[] = [];
  blocks.push({ kind: 'h', text: 'Scenario' });
  blocks.push({
    kind: 'p',
    text: `${r.scenario} (seed ${r.seed}): ${r.parameters.domains} domain(s), ${r.parameters.users.toLocaleString('en-US')} users, ${r.parameters.subscriptionEdges.toLocaleString('en-US')} buddy edges, ${num(secs)} s simulated${(r.parameters.warmup ?? 0) > 0 ? ` after a ${num(r.parameters.warmup / 1000)} s warm-up (every figure covers the measured ${num(secs)} s only; the throughput-over-time chart shows the whole run)` : ''}.${r.stopped ? ` Stopped at ${num(r.stopped.at / 1000)} s of ${num(r.stopped.planned / 1000)} s: ${r.stopped.reason}.` : ''}${extra.description ? ` ${extra.description}` : ''}`,
  });
  blocks.push({ kind: 'h', text: 'Key figures' });
  blocks.push({ kind: 'table', head: ['figure', 'value', 'meaning'], rows: (Object.keys(f) as FigureName[]).filter((k) => k !== 'eventsPerSec').map((k) => [k, num(f[k]), FIGURE_DOCS[k]]) });
  blocks.push(...thresholdBlocks(extra.thresholds ?? []));
  blocks.push(...crossCheckBlocks(extra.crossCheck));
  blocks.push({ kind: 'h', text: 'Latency' });
  blocks.push({
    kind: 'table',
    head: ['distribution', 'count', 'mean', 'p50', 'p90', 'p95', 'p99', 'max'],
    rows: Object.entries(r.latency).map(([k, l]) => [k, String(l.count), num(l.mean), num(l.p50), num(l.p90), num(l.p95), num(l.p99), num(l.max)]),
  });
  for (const [k, c] of Object.entries(r.latencyCdf)) {
    blocks.push(histChart(k, c));
    blocks.push(cdfChart(k, c));
  }
  blocks.push({ kind: 'h', text: 'Throughput' });
  blocks.push({
    kind: 'table',
    head: ['flow', 'total', 'per simulated second'],
    rows: [
      ['presence publishes', String(r.presence.publishes), num(r.presence.publishes / secs)],
      ['notifications sent', String(r.presence.notifications.sent), num(r.presence.notifications.sent / secs)],
      ['notifications delivered', String(r.presence.notifications.delivered), num(r.presence.notifications.delivered / secs)],
      ['IMs sent', String(r.im.sent), num(r.im.sent / secs)],
      ['IMs delivered', String(r.im.delivered), num(r.im.delivered / secs)],
    ],
  });
  const tl = r.timeline;
  if (tl && tl.bucketMs > 0 && Object.keys(tl.series).length > 0) {
    const perSec = 1000 / tl.bucketMs;
    const keys = Object.keys(tl.series).filter((k) => tl.series[k].some((v) => v > 0));
    const n = Math.max(0, ...Object.values(tl.series).map((v) => v.length));
    const t = (i: number) => ((i + 0.5) * tl.bucketMs) / 1000;
    blocks.push({
      kind: 'chart',
      svg: lineChart({
        title: 'throughput over time',
        xLabel: 'simulated time (s, bucket midpoints)',
        yLabel: 'per simulated second',
        series: keys.map((k) => ({ name: k, points: tl.series[k].map((v, i) => [t(i), v * perSec] as [number, number]) })),
        dots: false,
      }),
      data: { head: ['t (s)', ...keys.map((k) => `${k}/s`)], rows: Array.from({ length: n }, (_, i) => [num(t(i)), ...keys.map((k) => num((tl.series[k][i] ?? 0) * perSec))]) },
    });
  } else {
    blocks.push({ kind: 'p', text: 'Throughput over time: this report holds no time series (run totals only).' });
  }
  blocks.push({ kind: 'h', text: 'Domains' });
  blocks.push({
    kind: 'table',
    head: ['domain', 'users', 'servers', 'cores', 'utilisation', 'max queue', 'rejected (overload)', 'busiest operation'],
    rows: Object.entries(r.domains).map(([name, d]) => {
      const b = Object.entries(d.operations).sort((a, c) => c[1].count - a[1].count)[0];
      return [name, String(d.users), String(d.servers), String(d.cores), `${(d.utilisation * 100).toFixed(2)}%`, String(d.maxQueue), String(d.rejectedOverload), b ? `${b[0]} (${b[1].count}, mean sojourn ${num(b[1].meanSojourn)} ms)` : ''];
    }),
  });
  const pairs = r.pairs.filter((p) => p.total > 0);
  blocks.push({ kind: 'h', text: 'Boundaries between domains' });
  if (pairs.length === 0) blocks.push({ kind: 'p', text: 'No messages crossed a domain boundary.' });
  else
    blocks.push({
      kind: 'table',
      head: ['from', 'to', 'messages', 'messages/s', 'bytes', 'bytes/s', 'notify', 'message'],
      rows: pairs.map((p) => [p.from, p.to, String(p.total), num(p.total / secs), bytes(p.bytes), bytes(p.bytes / secs), String(p.messages.notify ?? 0), String(p.messages.message ?? 0)]),
    });
  return { title: `impp-sim run: ${r.scenario}`, blocks };
}

const CURVE_FIGURES: FigureName[] = ['notificationsPerSec', 'imPerSec', 'latency.notification.p99', 'latency.im.p99', 'maxUtilisation', 'crossDomainMessagesPerSec', 'crossDomainBytesPerSec'];

/** The document of a sweep: the table of points and one curve per key figure. */
export function sweepDocument(s: SweepResult): Doc {
  const blocks: Block[] = [];
  blocks.push({ kind: 'h', text: 'Sweep' });
  blocks.push({
    kind: 'p',
    text: `${s.scenario}: ${s.points.length} point(s) x ${s.replications} replication(s), base seed ${s.seed}, ${num(s.duration / 1000)} s simulated per run. Parameters: ${s.params.map((p) => `${p.path} = ${p.values.join(', ')}`).join('; ') || '(none)'}. Values are means over replications with the half-width of their 95% confidence interval.`,
  });
  const keys = s.params.map((p) => p.path);
  const pm = (p: (typeof s.points)[number], f: string) => (s.replications > 1 ? `${num(p.mean[f])} ± ${num(p.ci95[f])}` : num(p.mean[f]));
  blocks.push({
    kind: 'table',
    head: [...keys, ...CURVE_FIGURES, ...(s.thresholds.length ? ['thresholds'] : [])],
    rows: s.points.map((p) => [...keys.map((k) => String(p.point[k])), ...CURVE_FIGURES.map((f) => pm(p, f)), ...(s.thresholds.length ? [p.thresholds.every((o) => o.passed) ? 'PASS' : `FAIL: ${p.thresholds.filter((o) => !o.passed).map((o) => o.threshold).join('; ')}`] : [])]),
  });
  // curves over the first numeric parameter, one series per combination of the others
  const xKey = keys.find((k) => s.points.every((p) => typeof p.point[k] === 'number'));
  if (xKey !== undefined) {
    const xs = s.points.map((p) => p.point[xKey] as number).filter((x) => x > 0);
    const xLog = xs.length === s.points.length && Math.max(...xs) / Math.min(...xs) >= 50;
    for (const f of CURVE_FIGURES) {
      const groups = new Map<string, typeof s.points>();
      for (const p of s.points) {
        const g = keys.filter((k) => k !== xKey).map((k) => `${k}=${p.point[k]}`).join(', ') || f;
        groups.set(g, [...(groups.get(g) ?? []), p]);
      }
      const series: Series[] = [...groups].map(([name, pts]) => {
        const sorted = [...pts].sort((a, b) => (a.point[xKey] as number) - (b.point[xKey] as number));
        return {
          name,
          points: sorted.map((p) => [p.point[xKey] as number, p.mean[f]] as [number, number]),
          band: s.replications > 1 ? sorted.map((p) => [p.point[xKey] as number, Math.max(0, p.mean[f] - p.ci95[f]), p.mean[f] + p.ci95[f]] as [number, number, number]) : undefined,
        };
      });
      blocks.push({
        kind: 'chart',
        svg: lineChart({ title: `${f} vs ${xKey}`, xLabel: xKey, yLabel: f, series, xLog }),
        data: { head: [xKey, ...series.map((x) => x.name)], rows: series[0].points.map((pt, i) => [num(pt[0]), ...series.map((x) => (x.points[i] ? num(x.points[i][1]) : ''))]) },
      });
    }
  }
  const withCheck = s.points.filter((p) => p.crossCheck);
  for (const p of withCheck) {
    const b = crossCheckBlocks(p.crossCheck);
    if (b.length > 0) (b[0] as { text: string }).text = `Analytic cross-check at ${Object.entries(p.point).map(([k, v]) => `${k}=${v}`).join(', ') || 'the scenario'}`;
    blocks.push(...b);
  }
  return { title: `impp-sim sweep: ${s.scenario}`, blocks };
}

/** The document of a capacity search. */
export function sizeDocument(r: SizeResult): Doc {
  const blocks: Block[] = [];
  blocks.push({ kind: 'h', text: 'Sizing' });
  blocks.push({ kind: 'p', text: `${r.scenario}: smallest ${r.vary} meeting every target, ${r.replications} replication(s) per probe (targets judged on their means), base seed ${r.seed}, ${num(r.duration / 1000)} s simulated per run.` });
  blocks.push({ kind: 'table', head: ['target'], rows: r.targets.map((t) => [t]) });
  if (!r.found) blocks.push({ kind: 'p', text: `Not found: no value up to the largest tried meets every target.` });
  else blocks.push({ kind: 'table', head: ['parameter', 'answer'], rows: Object.entries(r.setting).map(([k, v]) => [k, String(v)]) });
  if (r.final) blocks.push(...thresholdBlocks(r.final.outcomes));
  blocks.push({ kind: 'h', text: 'Probes' });
  blocks.push({
    kind: 'table',
    head: ['setting', 'outcome', 'latency.notification.p99', 'maxUtilisation', 'crossDomainBytesPerSec'],
    rows: r.probes.map((p) => [Object.entries(p.setting).map(([k, v]) => `${k}=${v}`).join(' '), p.passed ? 'pass' : 'FAIL', num(p.mean['latency.notification.p99']), num(p.mean.maxUtilisation), bytes(p.mean.crossDomainBytesPerSec)]),
  });
  const doc = { title: `impp-sim size: ${r.scenario}`, blocks };
  if (r.report) doc.blocks.push({ kind: 'h', text: 'The answer, replication 0' }, ...runDocument(r.report).blocks.slice(2));
  return doc;
}

const CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.PASS{color:#176317;font-weight:bold}td.FAIL{color:#b00;font-weight:bold}
figure{margin:1em 0}details{font-size:.85em}svg.chart{max-width:100%;height:auto;border:1px solid #eee}`;

function htmlTable(head: string[], rows: string[][]): string {
  const cls = (c: string) => (c === 'PASS' || c.startsWith('FAIL') ? ` class="${c.startsWith('FAIL') ? 'FAIL' : 'PASS'}"` : '');
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td${cls(c)}>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** One self-contained HTML file: no script, no link, no fetched resource. */
export function toHtml(doc: Doc): string {
  const body = doc.blocks
    .map((b) => {
      switch (b.kind) {
        case 'h':
          return `<h2>${esc(b.text)}</h2>`;
        case 'p':
          return `<p>${esc(b.text)}</p>`;
        case 'table':
          return htmlTable(b.head, b.rows);
        case 'chart':
          return `<figure>${b.svg}<details><summary>data</summary>${htmlTable(b.data.head, b.data.rows)}</details></figure>`;
      }
    })
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(doc.title)}</title><style>${CSS}</style></head>
<body><h1>${esc(doc.title)}</h1>
${body}
<p><small>Written by impp-sim ${esc(new Date().toISOString().slice(0, 10))}. Times are simulated milliseconds unless stated.</small></p>
</body></html>
`;
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
function mdTable(head: string[], rows: string[][]): string {
  return [`| ${head.map(mdCell).join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`)].join('\n');
}

/** The same document as Markdown; each chart becomes a titled table of its data. */
export function toMarkdown(doc: Doc): string {
  const out = [`# ${doc.title}`];
  for (const b of doc.blocks) {
    switch (b.kind) {
      case 'h':
        out.push(`## ${b.text}`);
        break;
      case 'p':
        out.push(b.text);
        break;
      case 'table':
        out.push(mdTable(b.head, b.rows));
        break;
      case 'chart': {
        const title = /aria-label="([^"]*)"/.exec(b.svg)?.[1] ?? 'chart';
        out.push(`**${title.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')}**`);
        out.push(mdTable(b.data.head, b.data.rows));
        break;
      }
    }
  }
  return out.join('\n\n') + '\n';
}
