/**
 * The panel above the views for a measured (live) run: what only a measurement has, from its
 * report (docs/live.md): the target, the server's CPU seconds per stanza, its memory, the driver's
 * own CPU share, the counts per operation and what the scenario could not map to XMPP. Shown
 * whenever the run being watched is measured; hidden for simulated runs.
 */
import d3 from './d3.js';
import { fmtCount, fmtPct } from './shape.js';
import { runKind } from './measured.js';
import { $, everyFrame, S } from './state.js';

let drawn = '';

const mb = (b) => (b === null || b === undefined ? '–' : `${(b / 1e6).toFixed(1)} MB`);
const secs = (s) => (s === null || s === undefined ? '–' : `${s} s`);
const us = (x, cpu) => (x !== null && x !== undefined ? `${fmtCount(x)} µs` : cpu === 0 ? 'under one 10 ms clock tick in all' : '–');

function serverRows(r) {
  const s = r.server;
  const d = r.driver;
  return [
    ['server CPU', secs(s.cpuSeconds)],
    ['stanzas in / out', `${fmtCount(s.stanzasIn)} / ${fmtCount(s.stanzasOut)}`],
    ['server CPU per stanza', us(s.cpuPerStanzaUs, s.cpuSeconds)],
    ['server CPU per inbound stanza', us(s.cpuPerInboundStanzaUs, s.cpuSeconds)],
    ['server utilisation (CPU s per wall-clock s)', s.utilisation === null ? '–' : fmtPct(s.utilisation)],
    ['server RSS (peak)', `${mb(s.rssBytes)} (${mb(s.rssPeakBytes)})`],
    ['driver CPU', secs(d.cpuSeconds)],
    ["driver's CPU share (of one core)", `${fmtPct(d.cpuShare)}${d.busy ? ' BUSY: the driver may limit the run' : ''}`],
  ];
}

function opRows(r) {
  const rows = [];
  for (const [name, d] of Object.entries(r.domains ?? {})) {
    const ops = Object.entries(d.operations ?? {});
    if (ops.length === 0) rows.push([name, 'not counted per domain (the counts are the driver’s, over all domains)', '']);
    for (const [op, o] of ops) rows.push([name, op, fmtCount(o.count)]);
  }
  return rows;
}

function fill(sel, rows) {
  d3.select(sel)
    .selectAll('tr')
    .data(rows)
    .join('tr')
    .attr('data-testid', 'measured-row')
    .classed('busy', (row) => /BUSY/.test(row[row.length - 1]))
    .selectAll('td')
    .data((row) => row)
    .join('td')
    .text((v) => v);
}

function render() {
  const measured = runKind(S.run) === 'measured';
  const panel = $('measured');
  panel.hidden = !measured;
  const r = measured && S.report?.measured === true ? S.report : null;
  const key = measured ? `${S.run.id}:${S.run.status}:${r ? 'report' : 'none'}` : '';
  if (key === drawn) return;
  drawn = key;
  if (!measured) return;
  if (!r) {
    $('measured-note').textContent =
      S.run.status === 'running' ? "The server's CPU and memory and the driver's share are read at the end of the measured window." : `No measured report (${S.run.status}${S.run.error ? `: ${S.run.error}` : ''}).`;
    fill('#measured-server tbody', []);
    fill('#measured-ops tbody', []);
    $('measured-unmapped').textContent = '';
    return;
  }
  const t = r.target;
  const note = r.environment?.note ?? '';
  $('measured-note').textContent =
    `Measured against ${t.server ?? 'an XMPP server'} at ${t.host}:${t.port}: ` +
    `${fmtCount(r.parameters.users)} users, ${fmtCount(r.setup.logins)} logged in before the window (in ${fmtCount(r.setup.loginMs)} ms)` +
    (r.parameters.rateScale !== 1 ? `, rates ×${r.parameters.rateScale}` : '') +
    (r.stopped ? `; stopped at ${fmtCount(r.stopped.at)} ms: ${r.stopped.reason}` : '') +
    `. ${note ? note[0].toUpperCase() + note.slice(1) : 'Measured without TLS'}.`;
  fill('#measured-server tbody', serverRows(r));
  fill('#measured-ops tbody', opRows(r));
  const nm = r.mapping?.notMapped ?? [];
  $('measured-unmapped').textContent = nm.length ? `Not mapped to XMPP (${nm.length}): ${nm.join('; ')}` : 'Every feature of the scenario was mapped to XMPP.';
}

everyFrame(render);
