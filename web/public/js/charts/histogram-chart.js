/**
 * histogramChart(): latency histogram over log-spaced buckets with percentile markers.
 * The datum is `{ bins: Array<{x0, x1, count}>, marks?: Array<{ x, label, color }> }`.
 * Bars are joined by their lower edge, so repeated calls with growing counts animate smoothly.
 */
import d3 from '../d3.js';
import { frame, labels, layer, msTick } from './common.js';

export function histogramChart() {
  let width = 560;
  let height = 280;
  let margin = { top: 34, right: 20, bottom: 44, left: 62 };
  let title = '';
  let color = '#0072b2';
  let testid = '';
  let xLabel = 'latency';

  function chart(selection) {
    selection.each(function (datum) {
      const bins = (datum?.bins ?? []).filter((b) => b.count > 0 || Number.isFinite(b.x1));
      const marks = datum?.marks ?? [];
      const svg = frame(d3.select(this), { width, height, title, testid });
      const iw = width - margin.left - margin.right;
      const ih = height - margin.top - margin.bottom;
      const nonEmpty = bins.filter((b) => b.count > 0);

      // log axis: zero lower edges are drawn from a tenth of the first positive edge
      const positive = bins.flatMap((b) => [b.x0, b.x1]).filter((v) => v > 0 && Number.isFinite(v));
      const lo = nonEmpty.length ? Math.max(d3.min(nonEmpty, (b) => (b.x0 > 0 ? b.x0 : b.x1 / 10)), 1e-3) : (d3.min(positive) ?? 0.01);
      const hi = nonEmpty.length ? d3.max(nonEmpty, (b) => (Number.isFinite(b.x1) ? b.x1 : b.x0 * 2)) : (d3.max(positive) ?? 1000);
      const x = d3.scaleLog().domain([lo, Math.max(hi, lo * 10)]).range([0, iw]).clamp(true);
      const y = d3
        .scaleLinear()
        .domain([0, d3.max(bins, (b) => b.count) || 1])
        .nice()
        .range([ih, 0]);
      const g = layer(svg, 'plot', `translate(${margin.left},${margin.top})`);
      const yTicks = Math.max(1, Math.min(5, y.domain()[1]));
      layer(g, 'grid y-grid').call(d3.axisLeft(y).ticks(yTicks).tickSize(-iw).tickFormat(''));
      const shown = x.tickFormat(6);
      layer(g, 'axis x-axis', `translate(0,${ih})`).call(d3.axisBottom(x).ticks(6).tickFormat((v) => (shown(v) ? msTick(v) : '')));
      layer(g, 'axis y-axis').call(d3.axisLeft(y).ticks(yTicks).tickFormat(d3.format('~s')));

      const x0 = (b) => x(b.x0 > 0 ? b.x0 : lo);
      const x1 = (b) => x(Number.isFinite(b.x1) ? b.x1 : Math.max(b.x0 * 2, lo));
      layer(g, 'bars')
        .selectAll('rect.bar')
        .data(nonEmpty, (b) => b.x0)
        .join((enter) => enter.append('rect').attr('class', 'bar').attr('y', ih).attr('height', 0).call((e) => e.append('title')))
        .attr('data-testid', testid ? `${testid}-bar` : null)
        .attr('fill', color)
        .attr('fill-opacity', 0.85)
        .attr('x', (b) => x0(b) + 0.5)
        .attr('width', (b) => Math.max(1, x1(b) - x0(b) - 1))
        .attr('y', (b) => y(b.count))
        .attr('height', (b) => ih - y(b.count))
        .select('title')
        .text((b) => `${msTick(b.x0)} – ${Number.isFinite(b.x1) ? msTick(b.x1) : '∞'}: ${d3.format(',')(b.count)}`);

      const mk = layer(g, 'markers')
        .selectAll('g.marker')
        .data(
          marks.filter((m) => Number.isFinite(m.x) && m.x > 0),
          (m) => m.label,
        )
        .join((enter) => {
          const e = enter.append('g').attr('class', 'marker');
          e.append('line');
          e.append('text');
          return e;
        })
        .attr('transform', (m) => `translate(${x(m.x)},0)`);
      mk.select('line').attr('y1', 0).attr('y2', ih).attr('stroke', (m) => m.color ?? '#333');
      mk.select('text')
        .attr('x', (m) => (x(m.x) > iw * 0.7 ? -3 : 3))
        .attr('text-anchor', (m) => (x(m.x) > iw * 0.7 ? 'end' : 'start'))
        .attr('y', (m, i) => 10 + i * 13)
        .attr('fill', (m) => m.color ?? '#333')
        .text((m) => `${m.label} ${msTick(m.x)}`);

      labels(svg, { margin, height, iw, ih, xLabel, yLabel: 'count', title });
      layer(svg, 'empty-layer')
        .selectAll('text.empty')
        .data(nonEmpty.length ? [] : ['no samples yet'])
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
  chart.color = (v) => (v === undefined ? color : ((color = String(v)), chart));
  chart.testid = (v) => (v === undefined ? testid : ((testid = String(v)), chart));
  chart.xLabel = (v) => (v === undefined ? xLabel : ((xLabel = String(v)), chart));
  return chart;
}
