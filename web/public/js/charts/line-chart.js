/**
 * lineChart(): a multi-series line chart in the d3-axis style. `chart(selection)` draws the
 * selection's datum (an array of series) and can be called again with new data: every element
 * is joined, so calls are idempotent. Used for throughput, utilisation, queues, CDFs and sweeps.
 *
 * A series is `{ key, label, color?, dash?, points?: boolean, values: Array<[x, y]> }`.
 * Markers are vertical lines `{ x, label, color }`, rules are horizontal lines `{ y, label, color }`.
 */
import d3 from '../d3.js';
import { PALETTE, frame, labels, layer, legend } from './common.js';

export function lineChart() {
  let width = 640;
  let height = 280;
  let margin = { top: 34, right: 20, bottom: 44, left: 62 };
  let title = '';
  let xLabel = '';
  let yLabel = '';
  let xType = 'linear';
  let yType = 'linear';
  /** @type {[number, number] | null} */
  let xDomain = null;
  /** @type {[number, number] | null} */
  let yDomain = null;
  let xTickFormat = null;
  let yTickFormat = null;
  let markers = [];
  let rules = [];
  let testid = '';
  let emptyText = 'no data yet';
  let curve = d3.curveLinear;

  function chart(selection) {
    selection.each(function (series) {
      const data = (series ?? []).filter((s) => s && Array.isArray(s.values));
      const svg = frame(d3.select(this), { width, height, title, testid });
      const iw = width - margin.left - margin.right;
      const ih = height - margin.top - margin.bottom;
      const usable = (v) => Number.isFinite(v[0]) && Number.isFinite(v[1]) && (xType !== 'log' || v[0] > 0) && (yType !== 'log' || v[1] > 0);
      const all = data.flatMap((s) => s.values.filter(usable));

      const xs = all.map((v) => v[0]).concat(markers.map((m) => m.x).filter((x) => Number.isFinite(x) && (xType !== 'log' || x > 0)));
      const ys = all.map((v) => v[1]).concat(rules.map((r) => r.y).filter(Number.isFinite));
      let xd = xDomain ?? (xs.length ? d3.extent(xs) : [0, 1]);
      if (xd[0] === xd[1]) xd = xType === 'log' ? [xd[0] / 2, xd[0] * 2] : [xd[0] - 1, xd[1] + 1];
      let yd = yDomain ?? [yType === 'log' ? d3.min(ys) ?? 1 : Math.min(0, d3.min(ys) ?? 0), d3.max(ys) ?? 1];
      if (!(yd[1] > yd[0])) yd = [yd[0], yd[0] + 1];

      const x = (xType === 'log' ? d3.scaleLog() : d3.scaleLinear()).domain(xd).range([0, iw]);
      const y = (yType === 'log' ? d3.scaleLog() : d3.scaleLinear()).domain(yd).range([ih, 0]);
      if (!xDomain && xType !== 'log') x.nice();
      if (!yDomain) y.nice();

      const g = layer(svg, 'plot', `translate(${margin.left},${margin.top})`);
      layer(g, 'grid y-grid').call(d3.axisLeft(y).ticks(5).tickSize(-iw).tickFormat(''));
      const shown = x.tickFormat(xType === 'log' ? 6 : 7);
      const xf = xTickFormat ?? (xType === 'log' ? d3.format('~g') : shown);
      layer(g, 'axis x-axis', `translate(0,${ih})`).call(
        d3
          .axisBottom(x)
          .ticks(xType === 'log' ? 6 : 7)
          .tickFormat(xType === 'log' ? (v) => (shown(v) ? xf(v) : '') : xf),
      );
      layer(g, 'axis y-axis').call(d3.axisLeft(y).ticks(5).tickFormat(yTickFormat ?? (yType === 'log' || Math.abs(y.domain()[1]) < 1000 ? d3.format('~g') : d3.format('~s'))));

      labels(svg, { margin, height, iw, ih, xLabel, yLabel, title });

      const colour = (s, i) => s.color ?? PALETTE[i % PALETTE.length];
      const line = d3
        .line()
        .defined(usable)
        .curve(curve)
        .x((v) => x(v[0]))
        .y((v) => y(v[1]));

      const sg = layer(g, 'series-layer')
        .selectAll('g.series')
        .data(data, (s) => s.key)
        .join((enter) => {
          const e = enter.append('g').attr('class', 'series');
          e.append('path').attr('class', 'line');
          return e;
        })
        .attr('data-testid', (s) => (testid ? `${testid}-series` : null))
        .attr('data-key', (s) => s.key)
        .attr('data-points', (s) => s.values.filter(usable).length);
      sg.select('path.line')
        .attr('stroke', colour)
        .attr('stroke-dasharray', (s) => s.dash ?? null)
        .attr('d', (s) => line(s.values));
      sg.each(function (s, i) {
        const usableValues = s.values.filter(usable);
        // a series of one or two points has no visible line: draw its points
        const pts = s.points || usableValues.length <= 2 ? usableValues : [];
        d3.select(this)
          .selectAll('circle.pt')
          .data(pts)
          .join('circle')
          .attr('class', 'pt')
          .attr('r', 4)
          .attr('fill', colour(s, i))
          .attr('cx', (v) => x(v[0]))
          .attr('cy', (v) => y(v[1]))
          .selectAll('title')
          .data((v) => [v])
          .join('title')
          .text((v) => `${s.label}: ${d3.format('~g')(v[0])} → ${d3.format(',.4~g')(v[1])}`);
      });

      const mk = layer(g, 'markers')
        .selectAll('g.marker')
        .data(
          markers.filter((m) => Number.isFinite(m.x) && x(m.x) >= 0 && x(m.x) <= iw),
          (m) => m.label,
        )
        .join((enter) => {
          const e = enter.append('g').attr('class', 'marker');
          e.append('line');
          e.append('text');
          return e;
        })
        .attr('transform', (m) => `translate(${x(m.x)},0)`);
      mk.select('line').attr('y1', 0).attr('y2', ih).attr('stroke', (m) => m.color ?? '#444');
      // labels stack one row per marker and turn to the left near the right edge
      mk.select('text')
        .attr('y', (m, i) => 10 + i * 13)
        .attr('x', (m) => (x(m.x) > iw * 0.7 ? -3 : 3))
        .attr('text-anchor', (m) => (x(m.x) > iw * 0.7 ? 'end' : 'start'))
        .attr('fill', (m) => m.color ?? '#444')
        .text((m) => m.label);

      const rl = layer(g, 'rules')
        .selectAll('g.marker')
        .data(
          rules.filter((r) => Number.isFinite(r.y) && y(r.y) >= 0 && y(r.y) <= ih),
          (r) => r.label,
        )
        .join((enter) => {
          const e = enter.append('g').attr('class', 'marker');
          e.append('line');
          e.append('text');
          return e;
        })
        .attr('transform', (r) => `translate(0,${y(r.y)})`);
      rl.select('line').attr('x1', 0).attr('x2', iw).attr('stroke', (r) => r.color ?? '#444');
      rl.select('text')
        .attr('x', 4)
        .attr('y', -3)
        .attr('text-anchor', 'start')
        .attr('fill', (r) => r.color ?? '#444')
        .text((r) => r.label);

      legend(
        layer(svg, 'legend', `translate(${Math.max(margin.left, width - margin.right - data.reduce((w, s) => w + 32 + String(s.label).length * 6.6, 0))},16)`),
        data.length > 1 ? data.map((s, i) => ({ key: s.key, label: s.label, color: colour(s, i), dash: s.dash })) : [],
      );

      layer(svg, 'empty-layer')
        .selectAll('text.empty')
        .data(all.length ? [] : [emptyText])
        .join('text')
        .attr('class', 'empty')
        .attr('x', margin.left + iw / 2)
        .attr('y', margin.top + ih / 2)
        .attr('text-anchor', 'middle')
        .text((d) => d);
    });
  }

  chart.width = (v) => (v === undefined ? width : ((width = +v), chart));
  chart.height = (v) => (v === undefined ? height : ((height = +v), chart));
  chart.margin = (v) => (v === undefined ? { ...margin } : ((margin = { ...margin, ...v }), chart));
  chart.title = (v) => (v === undefined ? title : ((title = String(v)), chart));
  chart.xLabel = (v) => (v === undefined ? xLabel : ((xLabel = String(v)), chart));
  chart.yLabel = (v) => (v === undefined ? yLabel : ((yLabel = String(v)), chart));
  chart.xType = (v) => (v === undefined ? xType : ((xType = v === 'log' ? 'log' : 'linear'), chart));
  chart.yType = (v) => (v === undefined ? yType : ((yType = v === 'log' ? 'log' : 'linear'), chart));
  chart.xDomain = (v) => (v === undefined ? xDomain && [...xDomain] : ((xDomain = v ? [+v[0], +v[1]] : null), chart));
  chart.yDomain = (v) => (v === undefined ? yDomain && [...yDomain] : ((yDomain = v ? [+v[0], +v[1]] : null), chart));
  chart.xTickFormat = (v) => (v === undefined ? xTickFormat : ((xTickFormat = v), chart));
  chart.yTickFormat = (v) => (v === undefined ? yTickFormat : ((yTickFormat = v), chart));
  chart.markers = (v) => (v === undefined ? markers.slice() : ((markers = Array.from(v ?? [])), chart));
  chart.rules = (v) => (v === undefined ? rules.slice() : ((rules = Array.from(v ?? [])), chart));
  chart.testid = (v) => (v === undefined ? testid : ((testid = String(v)), chart));
  chart.emptyText = (v) => (v === undefined ? emptyText : ((emptyText = String(v)), chart));
  chart.curve = (v) => (v === undefined ? curve : ((curve = v), chart));
  return chart;
}
