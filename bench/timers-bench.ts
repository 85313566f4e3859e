/**
 * `npm run bench -- timers`: the timers hold model (bench/timers.ts) with its timers bucketed by
 * the TimerService and placed straight into the heap, each run in its own child process: events/s,
 * the heap's peak size, the timers kept in buckets at most, peak RSS.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runModel } from '../sim/engine/parallel.js';
import { reportToParent, runChild } from './child.js';
import type { TimersParams, TimersResult } from './timers.js';

interface TimersFigures {
  mode: 'wheel' | 'direct';
  params: TimersParams;
  workers: number;
  events: number;
  wallMs: number;
  eventsPerSec: number;
  pendingPeak: number;
  bucketedPeak: number;
  checksum: string;
  peakRssBytes: number;
}

export async function benchTimers(args: string[], num: (name: string, v: string | undefined, dflt: number) => number): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      lps: { type: 'string' },
      users: { type: 'string' },
      refresh: { type: 'string' },
      chains: { type: 'string' },
      until: { type: 'string' },
      workers: { type: 'string' },
      mode: { type: 'string' },
      json: { type: 'string' },
      child: { type: 'boolean' },
    },
  });
  const params: TimersParams = {
    lps: num('lps', values.lps, 4),
    users: num('users', values.users, 250_000),
    refresh: num('refresh', values.refresh, 3_600_000),
    chains: num('chains', values.chains, 200),
    mean: 10,
    lookahead: 1,
    until: num('until', values.until, 300_000),
    direct: false,
  };
  const workers = num('workers', values.workers, 1);
  const mode = values.mode ?? 'both';
  if (mode !== 'both' && mode !== 'wheel' && mode !== 'direct') throw new Error(`--mode must be wheel, direct or both, got '${mode}'`);
  if (values.child) {
    const p = { ...params, direct: mode === 'direct' };
    const modelUrl = new URL('./timers.js', import.meta.url).href;
    const out = await runModel<TimersParams, unknown, TimersResult>(modelUrl, p, { workers, seed: 1, until: p.until });
    reportToParent({
      mode,
      params: p,
      workers,
      events: out.events,
      wallMs: Math.round(out.wallMs),
      eventsPerSec: Math.round(out.eventsPerSec),
      pendingPeak: out.pendingPeak,
      bucketedPeak: out.timers?.pendingPeak ?? 0,
      checksum: out.result.checksum,
    });
    return 0;
  }
  const modes = mode === 'both' ? (['wheel', 'direct'] as const) : [mode];
  const rows: TimersFigures[] = [];
  for (const m of modes) {
    const childArgs = ['timers', '--mode', m, '--workers', String(workers)];
    for (const k of ['lps', 'users', 'refresh', 'chains', 'until'] as const) if (values[k] !== undefined) childArgs.push(`--${k}`, values[k]!);
    const r = await runChild<TimersFigures>(childArgs);
    rows.push(r);
    console.log(
      `timers ${m.padEnd(6)} lps=${params.lps} users=${params.users} until=${params.until} workers=${workers}: ${r.events} events in ${r.wallMs} ms = ` +
        `${(r.eventsPerSec / 1e6).toFixed(2)} M events/s, heap peak ${r.pendingPeak} events, bucketed peak ${r.bucketedPeak} timers, ` +
        `peak RSS ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB, checksum ${r.checksum}`,
    );
  }
  if (rows.length === 2 && rows[0].checksum !== rows[1].checksum) console.log('timers: the two modes disagree (checksums differ)');
  if (values.json) writeFileSync(values.json, JSON.stringify({ benchmark: 'timers', runs: rows }, null, 2) + '\n');
  return 0;
}
