/**
 * Shared pieces of the chart modules: the SVG frame every chart draws into and the style sheet
 * embedded in it, so that an exported SVG or PNG looks exactly like the chart on screen.
 */
import d3 from '../d3.js';

/** Colours for series, readable on white and distinguishable in print (Okabe-Ito). */
export const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000', '#f0e442'];

export const CHART_STYLE = `
  svg { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 12px; }
  .bg { fill: #ffffff; }
  .axis text { fill: #333; font-size: 11px; }
  .axis path, .axis line { stroke: #888; }
  .grid line { stroke: #e6e6e6; }
  .grid path { display: none; }
  .axis-label { fill: #333; font-size: 12px; }
  .chart-title { fill: #111; font-size: 14px; font-weight: 600; }
  .legend text { fill: #222; font-size: 12px; }
  .marker line { stroke-width: 1.5; stroke-dasharray: 4 3; }
  .marker text { font-size: 11px; font-weight: 600; }
  .empty { fill: #777; font-size: 13px; }
  .series path.line { fill: none; stroke-width: 2.2; }
`;

/**
 * The chart's <svg> inside `container` (created once; later calls reuse it). The viewBox keeps
 * the drawing at a fixed internal size while CSS scales it to the card.
 * @param {any} container a d3 selection of the element holding the chart
 * @param {{ width: number, height: number, title?: string, testid?: string, className?: string }} o
 */
export function frame(container, o) {
  let svg = container.select('svg.chart');
  if (svg.empty()) {
    svg = container
      .append('svg')
      .attr('class', 'chart' + (o.className ? ' ' + o.className : ''))
      .attr('xmlns', 'http://www.w3.org/2000/svg')
      .attr('role', 'img');
    svg.append('title');
    svg.append('style').text(CHART_STYLE);
    svg.append('rect').attr('class', 'bg');
  }
  svg
    .attr('viewBox', `0 0 ${o.width} ${o.height}`)
    .attr('width', o.width)
    .attr('height', o.height)
    .attr('aria-label', o.title ?? '');
  if (o.testid) svg.attr('data-testid', o.testid);
  svg.select('title').text(o.title ?? '');
  svg.select('rect.bg').attr('width', o.width).attr('height', o.height);
  return svg;
}

/** A named <g> under `parent`, created on first use (keeps joins idempotent). */
export function layer(parent, cls, transform) {
  let g = parent.select(`:scope > g.${cls.split(' ').join('.')}`);
  if (g.empty()) g = parent.append('g').attr('class', cls);
  if (transform !== undefined) g.attr('transform', transform);
  return g;
}

/**
 * The axis labels (x under the plot, y rotated on the left) and the title of a chart.
 * @param {any} svg the chart's svg selection
 * @param {{ margin: { top: number, left: number }, height: number, iw: number, ih: number, xLabel: string, yLabel: string, title?: string }} o
 */
export function labels(svg, o) {
  layer(svg, 'labels')
    .selectAll('text.axis-label')
    .data([
      { k: 'x', t: o.xLabel },
      { k: 'y', t: o.yLabel },
    ])
    .join('text')
    .attr('class', 'axis-label')
    .attr('text-anchor', 'middle')
    .attr('transform', (d) =>
      d.k === 'x' ? `translate(${o.margin.left + o.iw / 2},${o.height - 6})` : `translate(14,${o.margin.top + o.ih / 2}) rotate(-90)`,
    )
    .text((d) => d.t);
  layer(svg, 'titles')
    .selectAll('text.chart-title')
    .data(o.title ? [o.title] : [])
    .join('text')
    .attr('class', 'chart-title')
    .attr('x', o.margin.left)
    .attr('y', 16)
    .text((d) => d);
}

/** Legend row of coloured swatches and labels at (x, y). */
export function legend(g, items) {
  const it = g
    .selectAll('g.item')
    .data(items, (d) => d.key)
    .join((enter) => {
      const e = enter.append('g').attr('class', 'item');
      e.append('line').attr('x1', 0).attr('x2', 18).attr('y1', 0).attr('y2', 0).attr('stroke-width', 3);
      e.append('text').attr('x', 23).attr('dy', '0.35em');
      return e;
    });
  let x = 0;
  it.each(function (d) {
    const s = d3.select(this);
    s.select('line').attr('stroke', d.color).attr('stroke-dasharray', d.dash ?? null);
    s.select('text').text(d.label);
    s.attr('transform', `translate(${x},0)`);
    x += 32 + String(d.label).length * 6.6;
  });
}

/** Tick format for milliseconds on a log axis. */
export function msTick(v) {
  if (v >= 1000) return d3.format('~s')(v / 1000) + ' s';
  if (v >= 1) return d3.format('~g')(v) + ' ms';
  return d3.format('~g')(v * 1000) + ' µs';
}
