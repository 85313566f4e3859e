/**
 * sequenceChart(): a message sequence chart with the RFC 2778 roles as lanes (or, for a
 * federation, lanes per domain: `lanes(domainLanes(...)).laneOf(domainLaneOf)`). The datum is an
 * array of `{ index, record }` (record: a TraceRecord); each becomes one arrow, labelled with its
 * operation and its two principals, drawn between the lanes that `laneOf` gives. `fontSize` sets
 * the text size in chart units; draw it as wide as its box (`width`) so that a unit is a pixel. New arrows grow
 * from their origin, so stepping through a run reads like slow motion. Arrows are focusable
 * buttons: click or Enter calls `onSelect(index, record)`.
 */
import d3 from '../d3.js';
import { frame, layer } from './common.js';
import { LANES, laneOf } from '../lanes.js';

/** A time-scaled chart draws a pause between two messages as at most this many rows. */
const MAX_GAP_ROWS = 4;

const KIND_COLOUR = { presence: '#0072b2', im: '#d55e00', other: '#555555' };

export function sequenceChart() {
  let width = 780;
  let rowHeight = 38;
  let header = 56;
  let left = 70;
  let right = 8;
  let maxRows = 2000;
  let selected = -1;
  let animate = true;
  let testid = 'msc';
  /** @type {(index: number, record: any) => void} */
  let onSelect = () => {};
  let lanesList = LANES;
  let laneFor = laneOf;
  let fontSize = 13;
  let timeScaled = false;

  function chart(selection) {
    selection.each(function (datum) {
      const all = Array.isArray(datum) ? datum : [];
      const rows = all.length > maxRows ? all.slice(all.length - maxRows) : all;
      const rowH = Math.max(rowHeight, Math.round(fontSize * 2.9));
      const head = Math.max(header, Math.round(fontSize * 4.4));
      // row centres: one row apart, plus (time-scaled) a row per simulated second between two
      // messages, at most MAX_GAP_ROWS rows (longer pauses are compressed to that)
      const ys = [];
      let yy = head + rowH / 2;
      rows.forEach((d, i) => {
        if (i > 0) yy += rowH + (timeScaled ? Math.min(MAX_GAP_ROWS * rowH, Math.max(0, d.record.t - rows[i - 1].record.t) * (rowH / 1000)) : 0);
        ys.push(yy);
      });
      const height = (ys.length ? ys[ys.length - 1] + rowH / 2 : head + rowH) + 24;
      const svg = frame(d3.select(this), { width, height, title: 'Message sequence chart', testid, className: 'msc' });
      const x = laneScale();
      const headW = Math.max(40, Math.min(130, x.step() - 6));

      let defs = svg.select('defs');
      if (defs.empty()) {
        defs = svg.insert('defs', 'rect.bg');
        for (const [k, c] of Object.entries(KIND_COLOUR)) {
          defs
            .append('marker')
            .attr('id', `msc-arrowhead-${k}`)
            .attr('viewBox', '0 0 10 10')
            .attr('refX', 9)
            .attr('refY', 5)
            .attr('markerUnits', 'userSpaceOnUse')
            .attr('markerWidth', 11)
            .attr('markerHeight', 11)
            .attr('orient', 'auto-start-reverse')
            .append('path')
            .attr('d', 'M0,0L10,5L0,10Z')
            .attr('fill', c);
        }
      }

      const lanes = layer(svg, 'lanes')
        .selectAll('g.lane')
        .data(lanesList, (l) => l.id)
        .join((enter) => {
          const e = enter.append('g').attr('class', 'lane');
          e.append('line');
          e.append('rect').attr('class', 'lane-head');
          e.append('text');
          return e;
        })
        .attr('data-testid', `${testid}-lane`)
        .attr('transform', (l) => `translate(${x(l.id)},0)`);
      lanes
        .select('line')
        .attr('y1', head - 8)
        .attr('y2', height - 8)
        .attr('stroke', '#b8c4d2')
        .attr('stroke-dasharray', '3 4');
      lanes
        .select('rect.lane-head')
        .attr('x', -headW / 2)
        .attr('y', 6)
        .attr('width', headW)
        .attr('height', head - 18)
        .attr('rx', 6)
        .attr('fill', (l) => (/service$/.test(l.id) ? '#e8eef7' : /gateway$/.test(l.id) ? '#efe9f6' : '#f6f7f9'))
        .attr('stroke', '#9aa8b8');
      lanes
        .select('text')
        .attr('text-anchor', 'middle')
        .attr('font-size', fontSize - 1)
        .attr('font-weight', 600)
        .attr('fill', '#1b2a3a')
        .selectAll('tspan')
        .data((l) => wrap(l.label))
        .join('tspan')
        .attr('x', 0)
        .attr('y', (t, i, nodes) => 6 + (head - 18) / 2 + (i - (nodes.length - 1) / 2) * (fontSize + 2) + fontSize / 3)
        .text((t) => t);

      const arrows = layer(svg, 'arrows')
        .selectAll('g.arrow')
        .data(rows, (d) => d.index)
        .join((enter) => {
          const e = enter.append('g').attr('class', 'arrow').attr('tabindex', 0).attr('role', 'button');
          e.append('rect').attr('class', 'hit');
          e.append('text').attr('class', 'time');
          e.append('line').attr('class', 'shaft');
          e.append('g').attr('class', 'vias');
          e.append('text').attr('class', 'label');
          e.append('title');
          e.on('click', (ev, d) => onSelect(d.index, d.record));
          e.on('keydown', (ev, d) => {
            if (ev.key === 'Enter' || ev.key === ' ') {
              ev.preventDefault();
              onSelect(d.index, d.record);
            }
          });
          if (animate) {
            e.select('line.shaft').attr('data-grow', '1');
          }
          return e;
        })
        .attr('data-testid', `${testid}-arrow`)
        .attr('data-op', (d) => d.record.op)
        .attr('data-index', (d) => d.index)
        .attr('aria-label', (d) => `${d.record.op} from ${d.record.from} to ${d.record.to} at ${d.record.t.toFixed(1)} ms: ${d.record.detail}`)
        .attr('aria-pressed', (d) => (d.index === selected ? 'true' : 'false'))
        .attr('cursor', 'pointer')
        .attr('transform', (d, i) => `translate(0,${ys[i]})`);

      arrows
        .select('rect.hit')
        .attr('x', 0)
        .attr('y', -rowH / 2 + 1)
        .attr('width', width)
        .attr('height', rowH - 2)
        .attr('fill', (d) => (d.index === selected ? '#fff3c4' : 'transparent'));
      arrows
        .select('text.time')
        .attr('x', 8)
        .attr('y', 4)
        .attr('font-size', fontSize - 1)
        .attr('fill', '#55657a')
        .attr('font-variant-numeric', 'tabular-nums')
        .text((d) => fmtT(d.record.t));
      arrows.each(function (d) {
        const g = d3.select(this);
        const lane = laneFor(d.record);
        const colour = KIND_COLOUR[lane.kind];
        const x1 = x(lane.from);
        const x2 = x(lane.to);
        const dir = x2 >= x1 ? 1 : -1;
        const shaft = g.select('line.shaft');
        shaft
          .attr('x1', x1)
          .attr('y1', 6)
          .attr('y2', 6)
          .attr('stroke', colour)
          .attr('stroke-width', d.index === selected ? 3.2 : 2)
          .attr('marker-end', `url(#msc-arrowhead-${lane.kind})`);
        if (shaft.attr('data-grow') === '1') {
          shaft.attr('data-grow', null).attr('x2', x1).transition().duration(450).ease(d3.easeCubicOut).attr('x2', x2 - dir * 2);
        } else if (!shaft.node().__transition) {
          shaft.attr('x2', x2 - dir * 2);
        }
        g.select('g.vias')
          .selectAll('circle')
          .data(lane.via.filter((v) => v !== lane.from && v !== lane.to))
          .join('circle')
          .attr('cx', (v) => x(v))
          .attr('cy', 6)
          .attr('r', 4)
          .attr('fill', '#fff')
          .attr('stroke', colour)
          .attr('stroke-width', 1.5);
        g.select('text.label')
          .attr('x', (x1 + x2) / 2)
          .attr('y', -4)
          .attr('text-anchor', 'middle')
          .attr('font-size', fontSize)
          .attr('font-weight', d.index === selected ? 700 : 500)
          .attr('fill', '#14202c')
          .text(lane.label + (d.record.detail ? ` · ${d.record.detail}` : ''))
          .each(function () {
            // keep the label inside the plot (right of the time column, left of the edge)
            const half = (this.getComputedTextLength?.() ?? 0) / 2;
            const mid = (x1 + x2) / 2;
            const lo = left + half;
            const hi = width - right - half;
            d3.select(this).attr('x', lo > hi ? mid : Math.min(hi, Math.max(lo, mid)));
          });
        g.select('title').text(`${d.record.op}: ${d.record.from} → ${d.record.to} (${d.record.bytes} bytes)\n${d.record.detail}`);
      });
    });
  }

  function fmtT(ms) {
    if (ms >= 60000) return `${Math.floor(ms / 60000)}m ${((ms % 60000) / 1000).toFixed(1)}s`;
    if (ms >= 1000) return (ms / 1000).toFixed(2) + ' s';
    return ms.toFixed(1) + ' ms';
  }

  function wrap(label) {
    const words = label.split(' ');
    if (words.length <= 1 || label.length <= 10) return [label];
    const mid = Math.ceil(words.length / 2);
    return [words.slice(0, mid).join(' '), words.slice(mid).join(' ')];
  }

  function laneScale() {
    return d3
      .scalePoint()
      .domain(lanesList.map((l) => l.id))
      .range([left + 38, width - right - 38]);
  }

  /** Lane positions and widths in chart units, for a header that stays visible while the chart scrolls. */
  chart.lanePositions = () => {
    const x = laneScale();
    const w = Math.max(40, Math.min(130, x.step() - 6));
    return lanesList.map((l) => ({ ...l, x: x(l.id), width: w }));
  };
  chart.headerHeight = () => Math.max(header, Math.round(fontSize * 4.4));
  chart.lanes = (v) => (v === undefined ? lanesList.slice() : ((lanesList = Array.from(v)), chart));
  chart.laneOf = (v) => (v === undefined ? laneFor : ((laneFor = v), chart));
  chart.timeScaled = (v) => (v === undefined ? timeScaled : ((timeScaled = !!v), chart));
  chart.fontSize = (v) => (v === undefined ? fontSize : ((fontSize = Math.max(8, +v)), chart));
  chart.width = (v) => (v === undefined ? width : ((width = +v), chart));
  chart.rowHeight = (v) => (v === undefined ? rowHeight : ((rowHeight = +v), chart));
  chart.maxRows = (v) => (v === undefined ? maxRows : ((maxRows = Math.max(1, +v)), chart));
  chart.selected = (v) => (v === undefined ? selected : ((selected = +v), chart));
  chart.animate = (v) => (v === undefined ? animate : ((animate = !!v), chart));
  chart.onSelect = (v) => (v === undefined ? onSelect : ((onSelect = v), chart));
  chart.testid = (v) => (v === undefined ? testid : ((testid = String(v)), chart));
  return chart;
}
