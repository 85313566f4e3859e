/**
 * A latency CDF: a line chart of log-scale latency against the cumulative fraction. The points
 * (the report's percentiles, or the live buckets' edges) are joined by a monotone curve: the
 * distribution rises smoothly between them, never back down (cdfPoints drops repeated latencies).
 */
import d3 from '../d3.js';
import { lineChart } from './line-chart.js';
import { msTick } from './common.js';

export function latencyCdfChart() {
  return lineChart()
    .xType('log')
    .yDomain([0, 1])
    .xLabel('latency (log scale)')
    .yLabel('fraction ≤ latency')
    .xTickFormat(msTick)
    .yTickFormat(d3.format('.0%'))
    .curve(d3.curveMonotoneX);
}
