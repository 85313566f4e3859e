/**
 * The layout of fanoutGraph (fanout-graph.js), a pure function of the domains and the canvas size,
 * so the same model always gives the same picture. One domain is drawn left to right
 * (presentities -> servers -> watchers); up to eight domains sit on an ellipse with their gateways
 * facing the middle; more are placed by d3-force, run synchronously with a fixed number of ticks
 * and a seeded random source.
 */
import d3 from '../d3.js';

const MAX_SERVERS_DRAWN = 8;

/**
 * @param {Array<{name: string, users: number, servers: number, cores: number}>} model
 * @returns {{nodes: Map<string, object>, edges: object[], domains: Map<string, object>}}
 */
export function fanoutLayout(model, width, height) {
  const nodes = new Map();
  const edges = [];
  const domains = new Map();
  const D = model.length;
  if (D === 0) return { nodes, edges, domains };
  const anchors = domainAnchors(model, width, height);
  model.forEach((dom, i) => placeDomain(dom, anchors[i], D, nodes, edges, domains));
  if (D > 1) interEdges(model, domains, edges);
  return { nodes, edges, domains };
}

/**
 * Where each domain's cluster sits: its centre, the outward unit vector and a scale.
 * @returns {Array<{x: number, y: number, ux: number, uy: number, s: number}>}
 */
function domainAnchors(model, width, height) {
  const D = model.length;
  const cx = width / 2;
  const cy = height / 2;
  if (D === 1) {
    return [{ x: cx, y: cy, ux: 1, uy: 0, s: 1 }];
  } else if (D <= 8) {
    // an ellipse that fills the wide canvas; clusters (radius ~100 x s) stay inside it
    const s = D <= 4 ? 1 : 0.72;
    const Rx = width / 2 - 110 * s - 8;
    const Ry = height / 2 - 100 * s - 8;
    return model.map((_, i) => {
      const a = -Math.PI / 2 + (2 * Math.PI * i) / D + (D === 2 ? Math.PI / 2 : 0);
      return { x: cx + Rx * Math.cos(a), y: cy + Ry * Math.sin(a), ux: Math.cos(a), uy: Math.sin(a), s };
    });
  } else {
    const fn = model.map((d, i) => ({ id: d.name, i, x: cx + 10 * Math.cos(i), y: cy + 10 * Math.sin(i) }));
    const links = [];
    for (let i = 0; i < D; i++) for (let j = i + 1; j < D; j++) links.push({ source: i, target: j });
    const sim = d3
      .forceSimulation(fn)
      .randomSource(d3.randomLcg(42))
      .force('charge', d3.forceManyBody().strength(-260))
      .force('link', d3.forceLink(links).distance(160).strength(0.05))
      .force('collide', d3.forceCollide(60))
      .force('x', d3.forceX(cx).strength(0.06))
      .force('y', d3.forceY(cy).strength(0.08))
      .stop();
    for (let k = 0; k < 300; k++) sim.tick();
    const ext = { x: d3.extent(fn, (n) => n.x), y: d3.extent(fn, (n) => n.y) };
    const sx = (width - 160) / Math.max(1, ext.x[1] - ext.x[0]);
    const sy = (height - 140) / Math.max(1, ext.y[1] - ext.y[0]);
    return fn.map((n) => {
      const x = 80 + (n.x - ext.x[0]) * sx;
      const y = 80 + (n.y - ext.y[0]) * sy;
      const a = Math.atan2(y - cy, x - cx);
      return { x, y, ux: Math.cos(a), uy: Math.sin(a), s: 0.45 };
    });
  }
}

/** The nodes and edges of one domain (presentities, servers, watchers, gateway) and its hull and label. */
function placeDomain(dom, A, D, nodes, edges, domains) {
  const vx = -A.uy;
  const vy = A.ux;
  const at = (u, v) => ({ x: A.x + (u * A.ux + v * vx) * A.s, y: A.y + (u * A.uy + v * vy) * A.s });
  const single = D === 1;
  // the two boxes sit side by side across the radial direction, far enough apart not to overlap
  const bw = D <= 8 ? 84 : 54;
  const bh = D <= 8 ? 30 : 22;
  const spanU = single ? 300 : 46;
  const spanV = single ? 0 : (Math.abs(vx) * (bw + 10) + Math.abs(vy) * (bh + 10)) / 2 / A.s;
  const pres = { id: `${dom.name}|presentities`, kind: 'presentities', domain: dom.name, label: 'presentities', ...at(single ? -spanU : spanU, -spanV) };
  const wat = { id: `${dom.name}|watchers`, kind: 'watchers', domain: dom.name, label: 'watchers', ...at(spanU, single ? 0 : spanV) };
  nodes.set(pres.id, pres);
  nodes.set(wat.id, wat);
  const k = D > 8 ? 1 : Math.min(dom.servers, MAX_SERVERS_DRAWN);
  const servers = [];
  const gap = single ? Math.min(70, 360 / Math.max(1, k)) : 30;
  for (let j = 0; j < k; j++) {
    const off = (j - (k - 1) / 2) * gap;
    const p = single ? { x: A.x, y: A.y + off } : at(-8, off);
    const n = {
      id: `${dom.name}|server${j}`,
      kind: 'server',
      domain: dom.name,
      index: j,
      label: D > 8 ? `×${dom.servers}` : `S${j + 1}`,
      ...p,
    };
    nodes.set(n.id, n);
    servers.push(n);
    edges.push({ id: `${pres.id}>${n.id}`, kind: 'intra', domain: dom.name, source: pres, target: n });
    edges.push({ id: `${n.id}>${wat.id}`, kind: 'intra', domain: dom.name, source: n, target: wat });
  }
  let gw = null;
  if (D > 1) {
    gw = { id: `${dom.name}|gateway`, kind: 'gateway', domain: dom.name, label: 'GW', ...at(-64, 0) };
    nodes.set(gw.id, gw);
    for (const n of servers) edges.push({ id: `${n.id}>${gw.id}`, kind: 'gw', domain: dom.name, source: n, target: gw });
  }
  const hullR = single ? 0 : 100 * A.s;
  domains.set(dom.name, {
    name: dom.name,
    users: dom.users,
    servers,
    serverCount: dom.servers,
    cores: dom.cores,
    pres,
    wat,
    gw,
    hull: { x: A.x + (-4 * A.ux) * A.s, y: A.y + (-4 * A.uy) * A.s, r: hullR },
    // inside the circle on its outer side (or above the cluster when it faces up or down)
    labelAt: single
      ? { x: A.x, y: 40 }
      : Math.abs(A.uy) > 0.7
        ? { x: A.x + hullR + 6, y: A.y - 8, anchor: 'start' }
        : { x: A.x, y: A.y - hullR - 22 },
  });
}

/** The edges between every ordered pair of gateways, bent to the right of the direction of travel. */
function interEdges(model, domains, edges) {
  for (const a of model) {
    for (const b of model) {
      if (a.name === b.name) continue;
      const ga = domains.get(a.name).gw;
      const gb = domains.get(b.name).gw;
      // bend to the right of the direction of travel so both directions stay visible
      const mx = (ga.x + gb.x) / 2;
      const my = (ga.y + gb.y) / 2;
      const dx = gb.x - ga.x;
      const dy = gb.y - ga.y;
      const len = Math.hypot(dx, dy) || 1;
      const bend = Math.min(40, len * 0.12);
      edges.push({ id: `${ga.id}>${gb.id}`, kind: 'inter', from: a.name, to: b.name, source: ga, target: gb, c: { x: mx - (dy / len) * bend, y: my + (dx / len) * bend } });
    }
  }
}
