/**
 * The teaching view: the message sequence chart of an interactive (or traced batch) run, its
 * sticky lane header, the step / play controls and the payload inspector.
 */
import d3 from '../d3.js';
import { getJson } from '../api.js';
import { sequenceChart } from '../charts/sequence-chart.js';
import { fmtMs } from '../shape.js';
import { domainLaneOf, domainLanes, LANES, laneOf } from '../lanes.js';
import { $, ACTIVE, invalidate, on, registerView, S, showError } from '../state.js';
import { control, startRun } from '../runs.js';
import { fan } from './fanout.js';

const msc = sequenceChart().onSelect((index) => selectTrace(index));

/** The domains of the run: lanes per domain when there are several (a federation). */
function domainsOfRun() {
  const names = new Set(fan.domains().map((d) => d.name));
  for (const { record } of S.trace) {
    names.add(record.fromDomain);
    names.add(record.toDomain);
  }
  return [...names].filter(Boolean);
}

/** The records the filter keeps: a word matches the operation or either principal or domain. */
export function filterTrace(trace, text) {
  const words = String(text ?? '')
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean);
  if (words.length === 0) return trace;
  return trace.filter(({ record: r }) => {
    const hay = `${r.op} ${r.from} ${r.to} ${r.fromDomain} ${r.toDomain}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** A simulated time typed by a person: 30s, 4min, 1.5h, 250ms or plain milliseconds (NaN otherwise). */
export function parseSimTime(text) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|m|h)?\s*$/.exec(String(text ?? ''));
  if (!m) return NaN;
  const f = { ms: 1, s: 1000, min: 60_000, m: 60_000, h: 3_600_000 }[m[2] ?? 'ms'];
  return Number(m[1]) * f;
}

function render() {
  const box = $('msc-scroll');
  const domains = domainsOfRun();
  const perDomain = domains.length > 1;
  const key = perDomain ? domains.join(',') : '';
  const want = perDomain ? `domains:${key}` : 'roles';
  if (box.dataset.lanes !== want) msc.lanes(perDomain ? domainLanes(domains) : LANES).laneOf(perDomain ? domainLaneOf : laneOf);
  box.dataset.lanes = want;
  // one chart unit per pixel: text keeps its size at any width (larger with Large type)
  msc.width(Math.max(560, box.clientWidth || 780)).fontSize(document.body.classList.contains('large') ? 18 : 13);
  msc.selected(S.selected).timeScaled($('teach-timescale').checked);
  const shown = filterTrace(S.trace, $('teach-filter').value);
  d3.select('#msc').datum(shown).call(msc);
  const n = S.trace.length;
  const filtered = shown.length !== n ? ` (${shown.length} match the filter)` : '';
  $('teach-count').textContent = n ? `${n} message${n === 1 ? '' : 's'}${filtered}${shown.length > msc.maxRows() ? ` (the last ${msc.maxRows()} shown)` : ''}` : 'no messages yet';
  if ($('teach-follow').checked && n) box.scrollTop = box.scrollHeight;
  renderLaneHeader();
  const interactive = S.run?.mode === 'interactive' && ACTIVE.has(S.run.status);
  refreshEntity();
  const users = new Set();
  for (const { record: r } of S.trace) for (const u of [r.from, r.to]) if (u.includes('@')) users.add(u);
  if (users.size !== $('entity-users').childElementCount) d3.select('#entity-users').selectAll('option').data([...users].sort()).join('option').attr('value', (u) => u);
  $('teach-play').textContent = interactive && S.run.status === 'running' ? 'Pause' : 'Play in slow motion';
}

/** Lane names that stay on top while the chart scrolls (the chart's own header scrolls away). */
function renderLaneHeader() {
  const box = $('msc-scroll');
  const svg = box.querySelector('svg.chart');
  // the fixed header replaces the chart's own once that has scrolled out of sight (not before:
  // it would cover the first rows)
  const svg0 = box.querySelector('svg.chart');
  const k0 = svg0 ? svg0.getBoundingClientRect().width / msc.width() : 1;
  const scrolled = box.scrollTop >= msc.headerHeight() * k0;
  const head = d3.select('#msc-head').classed('stuck', scrolled);
  if (!svg || !scrolled) {
    head.style('height', null).selectAll('div').remove();
    return;
  }
  const k = svg.getBoundingClientRect().width / msc.width();
  const heads = head
    .selectAll('div.lane-head')
    .data(msc.lanePositions(), (l) => l.id)
    .join('div')
    .attr('class', 'lane-head')
    .style('left', (l) => `${l.x * k}px`)
    .style('width', (l) => `${l.width * k}px`)
    .text((l) => l.label);
  // the header takes the room its tallest lane name needs (a name wraps in a narrow lane, with
  // Large type), so that it covers only rows already scrolled past, never the first ones below it
  let tallest = 0;
  heads.each(function () {
    tallest = Math.max(tallest, this.offsetHeight);
  });
  head.style('height', `${Math.max((msc.headerHeight() - 12) * k, tallest + 4)}px`);
}

async function selectTrace(index) {
  S.selected = index;
  invalidate('teaching');
  const run = S.run;
  if (!run) return;
  const item = S.trace.find((x) => x.index === index);
  const r = item?.record;
  $('insp-empty').hidden = true;
  const kv = r
    ? [
        ['index', index],
        ['operation', r.op],
        ['time', fmtMs(r.t)],
        ['from', `${r.from} (${r.fromDomain})`],
        ['to', `${r.to} (${r.toDomain})`],
        ['bytes', r.bytes],
      ]
    : [['index', index]];
  fmtPairs('#insp-record', kv);
  setRule(r?.detail ?? '');
  // the two users of the message can be inspected as they are at this step
  const users = r ? [r.from, r.to].filter((u, i, a) => u.includes('@') && a.indexOf(u) === i) : [];
  d3.select('#entity-pick')
    .selectAll('button')
    .data(users, (u) => u)
    .join('button')
    .attr('type', 'button')
    .attr('data-testid', 'entity-open')
    .text((u) => `Inspect ${u}`)
    .on('click', (ev, u) => showEntity(u, index));
  $('insp-body').textContent = 'loading…';
  $('insp-decoded').textContent = '';
  $('insp-type').textContent = '';
  showCpim(null);
  try {
    const p = await getJson(`/api/runs/${run.id}/trace/${index}`);
    if (S.selected !== index) return;
    setRule(p.rule ? `${p.detail} — ${p.rule}` : p.detail ?? p.record?.detail ?? '');
    const type = p.contentType ? `(${p.contentType}${p.version !== undefined ? `, state version ${p.version}` : ''})` : '';
    $('insp-type').textContent = p.note ? `${type} ${p.note}` : type;
    $('insp-body').textContent = p.body ?? 'This message carries no body (a request, a response or a report).';
    $('insp-decoded').textContent = p.decoded ? JSON.stringify(p.decoded, null, 2) : '';
    if (p.wire) {
      // a domain of a protocol binding: the SIP message or XMPP stanza itself (its body inside)
      const w = p.wire;
      $('insp-type').textContent = `(${w.protocol.toUpperCase()} ${w.kind}, ${w.bytes} octets${p.version !== undefined ? `, state version ${p.version}` : ''}) ${w.note}`;
      $('insp-body').textContent = w.text;
      $('insp-decoded').textContent = w.decoded ? JSON.stringify(w.decoded, null, 2) : w.decodeError ?? '';
    }
    showCpim(p.cpim ?? null);
  } catch (e) {
    $('insp-body').textContent = `Cannot load the payload: ${e.message}`;
  }
}

/** The CPIM operation a gateway relayed for the message (TransID, SubscriptID), or nothing for a message inside one domain. */
function showCpim(c) {
  $('insp-cpim-head').hidden = $('insp-cpim').hidden = c === null;
  $('insp-cpim').textContent = c ? c.text : '';
  $('insp-cpim-note').textContent = c ? `(${c.note})` : '';
}

/** A definition list of [name, value] pairs. */
function fmtPairs(sel, kv) {
  d3.select(sel)
    .selectAll('div')
    .data(kv)
    .join((e) => {
      const g = e.append('div').style('display', 'contents');
      g.append('dt');
      g.append('dd');
      return g;
    })
    .call((g) => {
      g.select('dt').text((d) => d[0]);
      g.select('dd').text((d) => d[1]);
    });
}

const fmtList = (sel, items, text) =>
  d3
    .select(sel)
    .selectAll('li')
    .data(items.length ? items : [null])
    .join('li')
    .text((d) => (d === null ? 'none' : text(d)));

/** The user the entity panel shows, the arrow it was opened at, and the clock of its model read. */
const E = { user: '', upTo: -1, clock: -1, busy: false };

/**
 * One user: as the model holds it at the current step (GET /api/runs/:id/state/:user, live
 * interactive runs), and as the trace shows it up to an arrow (GET /api/runs/:id/entity/:user).
 */
async function showEntity(user, upTo) {
  const run = S.run;
  if (!run) return;
  E.user = user;
  E.upTo = upTo;
  E.clock = -1;
  $('entity').hidden = false;
  $('entity-title').textContent = upTo >= 0 ? `${user} at message ${upTo}` : user;
  await Promise.all([showModelState(), showWire(user, upTo)]);
}

const fmtSub = (w) =>
  `${w.peer}: ${w.service}${w.expiresAt !== null ? ` until ${fmtMs(w.expiresAt)}` : ''} · ${w.rule}${w.decision !== 'none' ? ` · decision ${w.decision}` : ''} · watcher ${w.watcher.wants ? 'wants it' : 'does not want it'}, has version ${w.watcher.version} (${w.watcher.view})${w.watcher.retries ? `, ${w.watcher.retries} retries` : ''}`;

/** The model's state of the inspected user, when the run is a live interactive one. */
async function showModelState() {
  const run = S.run;
  const box = $('entity-model');
  if (!E.user || !run || !(run.mode === 'interactive' && ACTIVE.has(run.status))) {
    box.hidden = true;
    return;
  }
  if (E.busy) {
    // a read is on its way: the next redraw reads again
    E.clock = -1;
    return;
  }
  E.busy = true;
  try {
    const m = await getJson(`/api/runs/${run.id}/state/${encodeURIComponent(E.user)}`);
    box.hidden = false;
    $('entity-model-at').dataset.at = String(m.at);
    $('entity-model-at').textContent = `In the model now: at ${fmtMs(m.at)} (event ${m.events}), read from its state, not the trace.`;
    const kv = [
      ['online', m.online ? 'yes' : 'no'],
      ['principal', m.principal],
      ['watcher', m.watcherKind],
      ['access link', m.accessLink],
      ['state version', m.presence ? m.presence.version : '–'],
    ];
    fmtPairs('#entity-model-kv', kv);
    fmtList('#entity-devices', m.presence?.devices ?? [], (t) => `${t.tuple} ${t.contact} (priority ${t.priority}): ${t.basic}, ${t.activity}${t.note ? `, “${t.note}”` : ''} since ${fmtMs(t.changedAt)}`);
    fmtList('#entity-model-watching', m.watching, fmtSub);
    fmtList('#entity-model-watchers', m.watchers, fmtSub);
    const inbox = m.inbox === null ? [] : [{ open: m.inbox.open, n: m.inbox.stored.length, saf: m.inbox.storeAndForward }, ...m.inbox.stored];
    fmtList('#entity-model-inbox', inbox, (x) =>
      'open' in x ? `${x.open ? 'open' : 'closed'}${x.saf ? `, ${x.n} message(s) kept for it` : ''} (delivered messages are counted, not kept: see the arrows)` : `kept: from ${x.from}, sent at ${fmtMs(x.sentAt)}`,
    );
  } catch (err) {
    box.hidden = false;
    $('entity-model-at').textContent = `Cannot read ${E.user} from the model: ${err.message}`;
  } finally {
    E.busy = false;
  }
}

/** The user as the traced messages up to arrow `upTo` show it (what went over the wire). */
async function showWire(user, upTo) {
  const run = S.run;
  $('entity-wire-title').textContent = upTo >= 0 ? `On the wire, up to message ${upTo}` : 'On the wire';
  try {
    const q = upTo >= 0 ? `?upTo=${upTo}` : '';
    const e = await getJson(`/api/runs/${run.id}/entity/${encodeURIComponent(user)}${q}`);
    $('entity-note').textContent = `As the traced messages up to message ${e.upTo} show it.`;
    fmtList('#entity-state', e.state ? e.state.tuples : [], (t) => `tuple ${t.index}: ${t.basic}, ${t.activity}${t.note ? `, “${t.note}”` : ''} (version ${e.state.version})`);
    fmtList('#entity-watching', e.watching, (w) => `${w.peer}: ${w.kind === 'fetch' ? 'fetch/poll ' : ''}${w.status} since ${fmtMs(w.since)}`);
    fmtList('#entity-watchers', e.watchers, (w) => `${w.peer}: ${w.kind === 'fetch' ? 'fetch/poll ' : ''}${w.status} since ${fmtMs(w.since)}`);
    fmtList('#entity-inbox', e.inbox, (m) => `from ${m.from} at ${fmtMs(m.at)} (${m.bytes} bytes)`);
  } catch (err) {
    $('entity-note').textContent = `Not on the wire yet: ${err.message}`;
    for (const id of ['#entity-state', '#entity-watching', '#entity-watchers', '#entity-inbox']) fmtList(id, [], () => '');
  }
}

/** Keeps the entity panel at the current step while the run moves on. */
function refreshEntity() {
  const run = S.run;
  if (!E.user || !run || $('entity').hidden) return;
  const clock = run.mode === 'interactive' && ACTIVE.has(run.status) ? (S.lastSnap?.clock ?? -1) : -2;
  if (clock === E.clock) return;
  E.clock = clock;
  void showModelState();
  if (E.upTo < 0) void showWire(E.user, -1);
}

function setRule(detail) {
  const el = $('insp-rule');
  el.textContent = detail || '–';
  const blocked = /denied|block|fail|reject|unknown|pending|closed|expired/i.test(detail);
  el.className = 'rule ' + (detail ? (blocked ? 'blocked' : 'allowed') : '');
}

function clearInspector() {
  d3.select('#msc').selectAll('*').remove();
  $('insp-empty').hidden = false;
  d3.select('#insp-record').selectAll('*').remove();
  setRule('');
  $('insp-body').textContent = '';
  $('insp-decoded').textContent = '';
  showCpim(null);
  $('insp-type').textContent = '';
  $('entity').hidden = true;
  d3.select('#entity-pick').selectAll('*').remove();
  E.user = '';
}

const interactiveActive = () => S.run?.mode === 'interactive' && ACTIVE.has(S.run.status);

export function wireTeaching() {
  $('teach-step').addEventListener('click', async () => {
    if (!interactiveActive()) {
      $('mode-interactive').checked = true;
      const run = await startRun();
      if (!run) return;
    }
    const op = $('teach-step-op').value;
    await control('step', op ? { to: 'message', op } : { to: 'message' });
  });
  $('teach-filter').addEventListener('input', () => invalidate('teaching'));
  const inspect = () => {
    const u = $('entity-user').value.trim();
    if (u) showEntity(u, -1);
  };
  $('entity-go').addEventListener('click', inspect);
  $('entity-user').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') inspect();
  });
  $('teach-timescale').addEventListener('change', () => invalidate('teaching'));
  $('teach-run-to').addEventListener('click', async () => {
    const ms = parseSimTime($('teach-until').value);
    if (!Number.isFinite(ms)) {
      showError(`Run to: '${$('teach-until').value}' is not a simulated time (write 30s, 4min, 1h or milliseconds)`);
      return;
    }
    if (!interactiveActive()) {
      $('mode-interactive').checked = true;
      if (!(await startRun())) return;
    }
    await control('step', { until: ms });
  });
  window.addEventListener('resize', () => invalidate('teaching'));
  $('large-type').addEventListener('change', () => invalidate('teaching'));
  $('teach-play').addEventListener('click', async () => {
    if (!interactiveActive()) {
      $('mode-interactive').checked = true;
      await startRun();
      return;
    }
    if (S.run.status === 'running') await control('pause');
    else {
      await control('speed', { speed: Number($('teach-speed').value) });
      await control('resume');
    }
  });
  $('msc-scroll').addEventListener('scroll', () => renderLaneHeader(), { passive: true });
  $('teach-speed').addEventListener('change', () => {
    if (interactiveActive()) control('speed', { speed: Number($('teach-speed').value) });
  });
}

registerView('teaching', { render });
on('reset', clearInspector);
