/**
 * `npm run bench -- scale`: an office-shaped population at growing size, through runScenario
 * (scenarios/office.yaml with overrides, as the CLI's --set applies them): one domain, one 4-core
 * server per 25,000 users, a fixed number of buddies per user, every user logging in during the
 * first 10 simulated minutes. Each measurement runs in a child process, which reports its peak
 * RSS; a paired run without buddies gives the memory per subscription edge. Beside the wall time
 * the child's CPU time (user + system) is reported: on a shared machine it is the steadier measure
 * of the cost per event.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runScenario } from '../sim/run.js';
import { loadScenario } from '../sim/scenario/index.js';
import { formatDuration, parseDuration } from '../sim/scenario/units.js';
import { reportToParent, runChild } from './child.js';

interface ChildFigures {
  users: number;
  buddies: number;
  edges: number;
  duration: number;
  workers: number;
  events: number;
  wallMs: number;
  cpuMs: number;
  pendingPeak: number;
  bucketedPeak: number;
  peakRssBytes: number;
  windows: number;
  windowMs: number;
}

export interface ScaleRow {
  users: number;
  buddies: number;
  edges: number;
  duration: number;
  workers: number;
  events: number;
  wallMs: number;
  eventsPerSec: number;
  usPerEvent: number;
  /** the run's CPU time (user + system of its process, population build and report included) */
  cpuMs: number;
  usCpuPerEvent: number;
  peakRssBytes: number;
  pendingPeak: number;
  /** timers kept in the timer service's buckets at most (0 while the model schedules its own) */
  bucketedPeak: number;
  bytesPerEdge: number;
  /** windows of the run (barriers) and their length: the lookahead its partitioning cuts (ms) */
  windows: number;
  windowMs: number;
}

/** The office scenario shaped for `users` users with `buddies` buddies each. */
export function scaleOverrides(users: number, buddies: number): string[] {
  return [
    `domains[0].users=${users}`,
    `domains[0].servers.count=${Math.ceil(users / 25_000)}`,
    'domains[0].servers.cores=4',
    `population.buddies=${buddies}`,
    'population.online=0',
    'behaviour.loginStart=0',
    'behaviour.loginWindow=10min',
  ];
}

async function child(users: number, buddies: number, duration: number, workers: number | 'auto'): Promise<void> {
  const sc = loadScenario('office', scaleOverrides(users, buddies));
  let pendingPeak = 0;
  let bucketedPeak = 0;
  const c0 = process.cpuUsage();
  let windowMs = 0;
  const r = await runScenario(sc, {
    workers,
    duration,
    onEngine: (e) => {
      pendingPeak = e.pendingPeak;
      bucketedPeak = e.timers?.pendingPeak ?? 0;
      windowMs = e.windowLookahead;
    },
  });
  const cpu = process.cpuUsage(c0);
  reportToParent({
    users: r.parameters.users,
    buddies,
    edges: r.parameters.subscriptionEdges,
    duration,
    workers: r.engine.workers,
    events: r.engine.events,
    wallMs: r.engine.wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    pendingPeak,
    bucketedPeak,
    windows: r.engine.windows,
    windowMs,
  } satisfies Omit<ChildFigures, 'peakRssBytes'>);
}

export async function benchScale(args: string[], num: (name: string, v: string | undefined, dflt: number) => number): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      users: { type: 'string' },
      buddies: { type: 'string' },
      duration: { type: 'string' },
      workers: { type: 'string' },
      json: { type: 'string' },
      child: { type: 'boolean' },
    },
  });
  const buddies = values.buddies === undefined ? 25 : Number(values.buddies);
  if (!Number.isInteger(buddies) || buddies < 0 || values.buddies?.trim() === '') throw new Error(`--buddies must be an integer >= 0, got '${values.buddies}'`);
  const duration = values.duration === undefined ? 3_600_000 : parseDuration(values.duration, '--duration');
  const workers: number | 'auto' = values.workers === 'auto' ? 'auto' : num('workers', values.workers, 1);
  const sizes = values.users === undefined ? [10_000, 100_000, 1_000_000] : [num('users', values.users, 10_000)];
  if (values.child) {
    await child(sizes[0], buddies, duration, workers);
    return 0;
  }
  const rows: ScaleRow[] = [];
  console.log(`scale: office, ${buddies} buddies per user, log-ins over the first 10 min, ${formatDuration(duration)} simulated, workers ${workers}`);
  console.log('     users        edges     events   wall s  M ev/s  us/ev  cpu us/ev  peak RSS MiB  heap peak  pend/user  bucketed  B/edge    windows  window ms');
  for (const users of sizes) {
    const common = ['--users', String(users), '--duration', formatDuration(duration), '--workers', String(workers)];
    const full = await runChild<ChildFigures>(['scale', ...common, '--buddies', String(buddies)]);
    const bare = await runChild<ChildFigures>(['scale', ...common, '--buddies', '0']);
    const row: ScaleRow = {
      users: full.users,
      buddies,
      edges: full.edges,
      duration,
      workers: full.workers,
      events: full.events,
      wallMs: Math.round(full.wallMs),
      eventsPerSec: Math.round((full.events / full.wallMs) * 1000),
      usPerEvent: Math.round(((full.wallMs * 1000) / full.events) * 1000) / 1000,
      cpuMs: Math.round(full.cpuMs),
      usCpuPerEvent: Math.round(((full.cpuMs * 1000) / full.events) * 1000) / 1000,
      peakRssBytes: full.peakRssBytes,
      pendingPeak: full.pendingPeak,
      bucketedPeak: full.bucketedPeak,
      bytesPerEdge: full.edges > 0 ? Math.round(((full.peakRssBytes - bare.peakRssBytes) / full.edges) * 10) / 10 : 0,
      windows: full.windows,
      windowMs: full.windowMs,
    };
    rows.push(row);
    console.log(
      [
        String(row.users).padStart(10),
        String(row.edges).padStart(12),
        String(row.events).padStart(10),
        (row.wallMs / 1000).toFixed(1).padStart(8),
        (row.eventsPerSec / 1e6).toFixed(2).padStart(7),
        row.usPerEvent.toFixed(3).padStart(6),
        row.usCpuPerEvent.toFixed(3).padStart(10),
        (row.peakRssBytes / 2 ** 20).toFixed(0).padStart(13),
        String(row.pendingPeak).padStart(10),
        (row.pendingPeak / row.users).toFixed(1).padStart(10),
        String(row.bucketedPeak).padStart(9),
        row.bytesPerEdge.toFixed(1).padStart(7),
        String(row.windows).padStart(10),
        String(row.windowMs).padStart(10),
      ].join(' '),
    );
  }
  if (values.json) writeFileSync(values.json, JSON.stringify(values.users === undefined ? rows : rows[0], null, 2) + '\n');
  return 0;
}
