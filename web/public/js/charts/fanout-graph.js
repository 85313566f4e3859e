/**
 * fanoutGraph(): domains, their servers and CPIM gateways as a graph, with edge widths from
 * message rates and animated particles for notifications and instant messages.
 *
 * Layout: one domain is drawn left to right (presentities -> servers -> watchers); up to eight
 * domains sit on a circle with their gateways facing the middle; more domains are placed by
 * d3-force, run synchronously with a fixed number of ticks so the picture is the same every time.
 *
 * `chart.domains([{ name, users, servers, cores }])` sets the model, `chart(selection)` draws the
 * datum `{ stats: Map<domain, {utilisation, queue}>, pairRates: Map<'from\0to', {perSec}> }` and
 * `chart.spawn([{ kind, from, to, n }])` queues particles. At most `maxPerFrame` particles start
 * per animation frame and at most `maxAlive` move at once, whatever the rates: the excess is
 * sampled away and the legend says how many events one particle stands for.
 */
import d3 from '../d3.js';
import { frame, layer } from './common.js';
import { sampleParticles } from '../shape.js';
import { fanoutLayout } from './fanout-layout.js';

const KIND_COLOUR = { notification: '#0072b2', im: '#d55e00', other: '#777777' };

export function fanoutGraph() {
  let width = 900;
  let height = 600;
  let maxPerFrame = 8;
  let maxAlive = 240;
  let flightMs = 1400;
  let testid = 'fanout';
  /** @type {Array<{name: string, users: number, servers: number, cores: number}>} */
  let model = [];
  /** layout: nodes by id, edges, per-domain anchors */
  let L = { nodes: new Map(), edges: [], domains: new Map() };
  let svgSel = null;
  let queue = [];
  let alive = [];
  let nextId = 0;
  let timer = null;
  let perParticle = 1;

  function computeLayout() {
    L = fanoutLayout(model, width, height);
  }

  const edgePath = (e) =>
    e.c ? `M${e.source.x},${e.source.y}Q${e.c.x},${e.c.y} ${e.target.x},${e.target.y}` : `M${e.source.x},${e.source.y}L${e.target.x},${e.target.y}`;

  function chart(selection) {
    selection.each(function (datum) {
      const stats = datum?.stats ?? new Map();
      const pr = datum?.pairRates ?? new Map();
      const svg = frame(d3.select(this), { width, height, title: 'Fan-out: domains, servers and gateways', testid, className: 'fanout' });
      svgSel = svg;
      const maxRate = d3.max(Array.from(pr.values()), (p) => p.perSec) || 1;
      const wInter = d3.scaleSqrt().domain([0, maxRate]).range([1, 16]);
      const colourU = (u) => d3.interpolateRgb('#2e9d57', '#d7301f')(Math.min(1, Math.max(0, u ?? 0)));

      layer(svg, 'hulls')
        .selectAll('g.hull')
        .data(Array.from(L.domains.values()), (d) => d.name)
        .join((enter) => {
          const e = enter.append('g').attr('class', 'hull');
          e.append('circle');
          e.append('text').attr('class', 'domain-label');
          e.append('text').attr('class', 'domain-sub');
          return e;
        })
        .call((g) => {
          g.select('circle')
            .attr('cx', (d) => d.hull.x)
            .attr('cy', (d) => d.hull.y)
            .attr('r', (d) => d.hull.r)
            .attr('fill', '#f3f6fa')
            .attr('stroke', '#c9d3df');
          g.select('text.domain-label')
            .attr('x', (d) => d.labelAt.x)
            .attr('y', (d) => d.labelAt.y)
            .attr('text-anchor', (d) => d.labelAt.anchor ?? 'middle')
            .attr('font-weight', 700)
            .attr('font-size', 14)
            .attr('fill', '#1b2a3a')
            .text((d) => d.name);
          g.select('text.domain-sub')
            .attr('x', (d) => d.labelAt.x)
            .attr('y', (d) => d.labelAt.y + 16)
            .attr('text-anchor', (d) => d.labelAt.anchor ?? 'middle')
            .attr('font-size', 11)
            .attr('fill', '#44556a')
            .text((d) => {
              const s = stats.get(d.name);
              const u = s && Number.isFinite(s.utilisation) ? ` · ${(s.utilisation * 100).toFixed(1)} % busy` : '';
              return `${d3.format(',')(d.users)} users · ${d.serverCount}×${d.cores} cores${u}`;
            });
        });

      const edgeRate = (e) => (e.kind === 'inter' ? pr.get(`${e.from}\u0000${e.to}`)?.perSec ?? 0 : 0);
      const edgeWidth = (e) => {
        if (e.kind === 'inter') return wInter(edgeRate(e));
        const s = stats.get(e.domain);
        return 1.5 + 10 * Math.min(1, s?.utilisation ?? 0);
      };
      layer(svg, 'edges')
        .selectAll('path.edge')
        .data(L.edges, (e) => e.id)
        .join((enter) => enter.append('path').attr('class', 'edge').attr('fill', 'none').call((p) => p.append('title')))
        .attr('data-testid', `${testid}-edge`)
        .attr('data-kind', (e) => e.kind)
        .attr('data-rate', (e) => (e.kind === 'inter' ? edgeRate(e).toFixed(3) : (stats.get(e.domain)?.utilisation ?? 0).toFixed(4)))
        .attr('d', edgePath)
        .attr('stroke', (e) => (e.kind === 'inter' ? '#5b6f86' : '#9fb0c3'))
        .attr('stroke-opacity', (e) => (e.kind === 'inter' ? 0.75 : 0.8))
        .attr('stroke-linecap', 'round')
        .attr('stroke-width', edgeWidth)
        .select('title')
        .text((e) =>
          e.kind === 'inter'
            ? `${e.from} → ${e.to}: ${d3.format(',.1f')(edgeRate(e))} messages/s`
            : `${e.domain}: ${((stats.get(e.domain)?.utilisation ?? 0) * 100).toFixed(1)} % utilisation`,
        );

      const nodeSel = layer(svg, 'nodes')
        .selectAll('g.node')
        .data(Array.from(L.nodes.values()), (n) => n.id)
        .join((enter) => {
          const e = enter.append('g').attr('class', 'node');
          e.append('path').attr('class', 'shape');
          e.append('text').attr('class', 'node-label');
          e.append('text').attr('class', 'node-badge');
          e.append('title');
          return e;
        })
        .attr('data-testid', `${testid}-node`)
        .attr('data-kind', (n) => n.kind)
        .attr('transform', (n) => `translate(${n.x},${n.y})`);
      const big = model.length <= 8;
      nodeSel
        .select('path.shape')
        .attr('d', (n) => {
          if (n.kind === 'server') return d3.symbol(d3.symbolCircle, big ? 700 : 300)();
          if (n.kind === 'gateway') return d3.symbol(d3.symbolDiamond, big ? 650 : 260)();
          const w = model.length === 1 ? 120 : big ? 84 : 54;
          const h = model.length === 1 ? 56 : big ? 28 : 22;
          return `M${-w / 2},${-h / 2}h${w}v${h}h${-w}Z`;
        })
        .attr('fill', (n) => {
          if (n.kind === 'server') return colourU(stats.get(n.domain)?.utilisation);
          if (n.kind === 'gateway') return '#6a51a3';
          return n.kind === 'presentities' ? '#deebf7' : '#fdebd9';
        })
        .attr('stroke', '#2b3a4a')
        .attr('stroke-width', 1.2);
      nodeSel
        .select('text.node-label')
        .attr('text-anchor', 'middle')
        .attr('dy', '0.35em')
        .attr('font-size', (n) => (n.kind === 'server' || n.kind === 'gateway' ? 11 : big ? 13 : 10))
        .attr('font-weight', 600)
        .attr('fill', (n) => (n.kind === 'gateway' || n.kind === 'server' ? '#fff' : '#1b2a3a'))
        .text((n) => n.label);
      nodeSel
        .select('text.node-badge')
        .attr('text-anchor', 'middle')
        .attr('y', (n) => (n.kind === 'server' ? 28 : n.kind === 'gateway' ? 26 : model.length === 1 ? 44 : 26))
        .attr('font-size', 11)
        .attr('fill', '#33475b')
        .text((n) => {
          const s = stats.get(n.domain);
          // the queue is known per domain: shown once, under its first server
          if (n.kind === 'server') return s && s.queue > 0 && n.index === 0 ? `queue ${d3.format(',')(s.queue)}` : '';
          if (model.length === 1 && (n.kind === 'presentities' || n.kind === 'watchers')) return `${d3.format(',')(model[0].users)} users`;
          return '';
        });
      nodeSel.select('title').text((n) => {
        const s = stats.get(n.domain);
        if (n.kind === 'server')
          return `${n.domain} server ${n.index + 1}: ${s ? (s.utilisation * 100).toFixed(1) + ' % utilisation, queue ' + s.queue : 'idle'}`;
        if (n.kind === 'gateway') return `${n.domain} CPIM gateway`;
        return `${n.domain} ${n.kind}`;
      });

      layer(svg, 'particles');
      const lg = layer(svg, 'fanout-legend', `translate(16,${height - 16})`);
      const items = [
        { c: KIND_COLOUR.notification, t: 'notification' },
        { c: KIND_COLOUR.im, t: 'instant message' },
      ];
      lg.selectAll('g.li')
        .data(items)
        .join((enter) => {
          const e = enter.append('g').attr('class', 'li');
          e.append('circle').attr('r', 5);
          e.append('text').attr('x', 9).attr('dy', '0.35em').attr('font-size', 12);
          return e;
        })
        .attr('transform', (d, i) => `translate(${i * 130},0)`)
        .call((g) => {
          g.select('circle').attr('fill', (d) => d.c);
          g.select('text').text((d) => d.t);
        });
      lg.selectAll('text.note')
        .data([0])
        .join('text')
        .attr('class', 'note')
        .attr('x', 270)
        .attr('dy', '0.35em')
        .attr('font-size', 12)
        .attr('fill', '#44556a')
        .attr('data-testid', `${testid}-sampling`)
        .text(
          `edge width = messages/s · server colour = utilisation` + (perParticle > 1.05 ? ` · 1 dot ≈ ${d3.format(',.0f')(perParticle)} events` : ''),
        );
    });
  }

  /** The path a particle flies along: a list of segments, each with an optional control point. */
  function route(kind, from, to) {
    const a = L.domains.get(from) ?? L.domains.get(to);
    const b = L.domains.get(to) ?? a;
    if (!a || !b) return null;
    const server = a.servers[Math.floor(Math.random() * a.servers.length)];
    const pts = [{ p: a.pres }, { p: server }];
    if (a !== b && a.gw && b.gw) {
      const inter = L.edges.find((e) => e.kind === 'inter' && e.from === a.name && e.to === b.name);
      pts.push({ p: a.gw }, { p: b.gw, c: inter?.c });
    }
    pts.push({ p: b.wat });
    return { kind, pts };
  }

  /**
   * Queues particles. Each request `{ kind: 'notification'|'im'|'other', from, to, n }` asks for
   * n events from domain `from` to domain `to`; the total is sampled down to what one animation
   * second can show.
   */
  chart.spawn = (requests) => {
    const total = d3.sum(requests, (r) => r.n);
    if (!(total > 0) || L.domains.size === 0) return chart;
    const budget = Math.max(0, maxAlive - alive.length - queue.length);
    const { count, per } = sampleParticles(total, Math.max(1, Math.min(budget, maxPerFrame * 30)));
    perParticle = per;
    for (const r of requests) {
      let k = Math.round((r.n / total) * count);
      if (k === 0 && r.n > 0 && Math.random() < (r.n / total) * count) k = 1;
      for (let i = 0; i < k; i++) {
        const rt = route(r.kind, r.from, r.to);
        if (rt) queue.push(rt);
      }
    }
    if (queue.length > 0 && !timer && typeof document !== 'undefined') timer = d3.timer(tick);
    return chart;
  };

  function positionAt(pt, f) {
    const n = pt.pts.length - 1;
    const seg = Math.min(n - 1, Math.floor(f * n));
    const u = f * n - seg;
    const a = pt.pts[seg].p;
    const b = pt.pts[seg + 1].p;
    const c = pt.pts[seg + 1].c;
    if (c) {
      const m = 1 - u;
      return { x: m * m * a.x + 2 * m * u * c.x + u * u * b.x, y: m * m * a.y + 2 * m * u * c.y + u * u * b.y };
    }
    return { x: a.x + (b.x - a.x) * u, y: a.y + (b.y - a.y) * u };
  }

  function tick(elapsed) {
    const now = performance.now();
    let started = 0;
    while (queue.length > 0 && started < maxPerFrame && alive.length < maxAlive) {
      const q = queue.shift();
      q.id = nextId++;
      q.t0 = now + Math.random() * 60;
      q.dur = flightMs * (q.pts.length > 3 ? 1.5 : 1);
      alive.push(q);
      started++;
    }
    alive = alive.filter((p) => now - p.t0 < p.dur);
    if (svgSel) {
      const g = svgSel.select('g.particles');
      g.selectAll('circle.particle')
        .data(alive, (p) => p.id)
        .join((enter) => enter.append('circle').attr('class', 'particle').attr('r', 4.5))
        .attr('fill', (p) => KIND_COLOUR[p.kind] ?? KIND_COLOUR.other)
        .attr('opacity', (p) => Math.max(0, 0.95 - 0.5 * Math.max(0, (now - p.t0) / p.dur - 0.8) * 5))
        .each(function (p) {
          const f = Math.min(1, Math.max(0, (now - p.t0) / p.dur));
          const { x, y } = positionAt(p, f);
          this.setAttribute('cx', x.toFixed(1));
          this.setAttribute('cy', y.toFixed(1));
        });
    }
    if (alive.length === 0 && queue.length === 0 && timer) {
      timer.stop();
      timer = null;
    }
    return elapsed < 0;
  }

  /** Stops the animation and drops every particle. */
  chart.clear = () => {
    queue = [];
    alive = [];
    if (timer) {
      timer.stop();
      timer = null;
    }
    if (svgSel) svgSel.select('g.particles').selectAll('*').remove();
    return chart;
  };
  chart.domains = (v) => {
    if (v === undefined) return model.slice();
    model = Array.from(v ?? []).map((d) => ({ name: d.name, users: +d.users || 0, servers: Math.max(1, +d.servers || 1), cores: +d.cores || 1 }));
    // one domain is a left-to-right strip: it needs less height than a federation
    height = model.length <= 1 ? 420 : 600;
    chart.clear();
    computeLayout();
    return chart;
  };
  chart.width = (v) => (v === undefined ? width : ((width = +v), computeLayout(), chart));
  chart.height = (v) => (v === undefined ? height : ((height = +v), computeLayout(), chart));
  chart.maxPerFrame = (v) => (v === undefined ? maxPerFrame : ((maxPerFrame = Math.max(1, +v)), chart));
  chart.maxAlive = (v) => (v === undefined ? maxAlive : ((maxAlive = Math.max(1, +v)), chart));
  chart.flightMs = (v) => (v === undefined ? flightMs : ((flightMs = Math.max(50, +v)), chart));
  chart.testid = (v) => (v === undefined ? testid : ((testid = String(v)), chart));
  chart.layout = () => L;
  chart.alive = () => alive.length + queue.length;
  return chart;
}
