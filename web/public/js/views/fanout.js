/**
 * The fan-out view: the domains, servers and gateways of the scenario with message rates on the
 * edges and particles for notifications and IMs in flight, and the per-domain table.
 */
import d3 from '../d3.js';
import { fanoutGraph } from '../charts/fanout-graph.js';
import { fmtCount, fmtPct } from '../shape.js';
import { invalidate, on, registerView, S } from '../state.js';

export const fan = fanoutGraph().testid('fanout');

/** The picture of a scenario: its domains with users, servers and cores (after the run's overrides). */
export function setModel(scenario, overrides = []) {
  if (!scenario?.domains) return;
  const doms = scenario.domains.map((d) => ({ name: d.name, users: d.users, servers: d.servers?.count ?? 1, cores: d.servers?.cores ?? 1 }));
  // the overrides the run used that change the picture (users, servers, cores of a domain)
  for (const o of overrides) {
    const m = /^domains\[(\d+)\]\.(users|servers\.count|servers\.cores)\s*=\s*(\d+)$/.exec(o);
    if (!m || !doms[+m[1]]) continue;
    const k = m[2] === 'users' ? 'users' : m[2] === 'servers.count' ? 'servers' : 'cores';
    doms[+m[1]][k] = Number(m[3]);
  }
  fan.domains(doms);
  invalidate('fanout', 'throughput');
}

/**
 * Per-domain figures of the run being watched: `now` over the last snapshot's interval (live
 * runs), `run` over the whole run so far (the snapshot's cumulative figures, or the report).
 */
export function domainFigures() {
  const rows = new Map();
  const snap = S.lastSnap;
  const r = S.report;
  if (r) {
    for (const [name, d] of Object.entries(r.domains)) rows.set(name, { name, runUtil: d.utilisation, maxQueue: d.maxQueue, queue: NaN, nowUtil: NaN });
  } else if (snap) {
    for (const d of snap.domains ?? []) rows.set(d.name, { name: d.name, runUtil: d.utilisation, queue: d.queue, maxQueue: NaN, nowUtil: NaN });
  }
  if (snap && S.run && !r) {
    for (const d of snap.rates?.domains ?? []) {
      const row = rows.get(d.name) ?? { name: d.name, runUtil: NaN, maxQueue: NaN };
      rows.set(d.name, { ...row, nowUtil: d.utilisation, queue: d.queue });
    }
  }
  return rows;
}

function render() {
  const figures = domainFigures();
  const stats = new Map();
  for (const [name, f] of figures) stats.set(name, { utilisation: Number.isFinite(f.nowUtil) ? f.nowUtil : f.runUtil, queue: Number.isFinite(f.queue) ? f.queue : f.maxQueue });
  let pr = S.pairRates;
  if (!S.lastSnap && S.report) {
    pr = new Map();
    const sec = S.report.parameters.duration / 1000;
    for (const p of S.report.pairs) pr.set(`${p.from}\u0000${p.to}`, { from: p.from, to: p.to, perSec: p.total / sec });
  }
  d3.select('#fanout').datum({ stats, pairRates: pr }).call(fan);

  const out = new Map();
  for (const p of pr.values()) out.set(p.from, (out.get(p.from) ?? 0) + p.perSec);
  const rows = fan.domains().map((d) => ({ name: d.name, cores: d.servers * d.cores, ...(figures.get(d.name) ?? {}), out: out.get(d.name) ?? 0 }));
  d3.select('#domain-table tbody')
    .selectAll('tr')
    .data(rows, (r) => r.name)
    .join((enter) => {
      const tr = enter.append('tr');
      for (let i = 0; i < 6; i++) tr.append('td');
      return tr;
    })
    .attr('data-testid', 'domain-row')
    .selectAll('td')
    .data((r) => [r.name, fmtCount(r.cores), fmtPct(r.nowUtil), fmtPct(r.runUtil), fmtCount(Number.isFinite(r.queue) ? r.queue : r.maxQueue), fmtCount(r.out)])
    .text((d) => d);
}

/** Fan-out particles for the events between two snapshots (sampled inside the chart). */
function spawnFromSnapshot(prev, cur) {
  if (S.view !== 'fanout' || document.hidden || !prev) return;
  const dn = (cur.counters.notifyDelivered ?? 0) - (prev.counters.notifyDelivered ?? 0);
  const di = (cur.counters.imDelivered ?? 0) - (prev.counters.imDelivered ?? 0);
  if (!(dn + di > 0)) return;
  const fN = dn / (dn + di);
  const reqs = [];
  let crossN = 0;
  let crossI = 0;
  for (const p of S.pairRates.values()) {
    if (!(p.delta > 0)) continue;
    // the live view counts notifications and IMs per boundary; older snapshots only totals
    const n = p.notify ?? Math.round(p.delta * fN);
    const m = p.message ?? p.delta - n;
    reqs.push({ kind: 'notification', from: p.from, to: p.to, n });
    reqs.push({ kind: 'im', from: p.from, to: p.to, n: m });
    crossN += n;
    crossI += m;
  }
  const doms = fan.domains();
  const users = d3.sum(doms, (d) => d.users) || doms.length || 1;
  for (const d of doms) {
    const w = (d.users || 1) / users;
    reqs.push({ kind: 'notification', from: d.name, to: d.name, n: Math.max(0, dn - crossN) * w });
    reqs.push({ kind: 'im', from: d.name, to: d.name, n: Math.max(0, di - crossI) * w });
  }
  fan.spawn(reqs.filter((r) => r.n > 0));
}

/** Exact particles for traced messages (interactive runs): one per notify or IM. */
function spawnFromTrace(records) {
  if (S.view !== 'fanout' || document.hidden) return;
  const reqs = [];
  for (const r of records) {
    if (r.op === 'notify') reqs.push({ kind: 'notification', from: r.fromDomain, to: r.toDomain, n: 1 });
    else if (r.op === 'message') reqs.push({ kind: 'im', from: r.fromDomain, to: r.toDomain, n: 1 });
  }
  if (reqs.length) fan.spawn(reqs);
}

registerView('fanout', { render, hide: () => fan.clear() });
on('snapshot', (prev, snap) => {
  if (fan.domains().length === 0 && snap.domains?.length) {
    fan.domains(snap.domains.map((d) => ({ name: d.name, users: 0, servers: 1, cores: d.cores })));
  }
  if (S.run?.mode !== 'interactive') spawnFromSnapshot(prev, snap);
});
on('trace', (records) => spawnFromTrace(records));
on('reset', () => fan.clear());
document.addEventListener('visibilitychange', () => {
  if (document.hidden) fan.clear();
});
