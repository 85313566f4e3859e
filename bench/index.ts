/**
 * Benchmarks: `npm run bench -- <name> [options]`. They print figures and write JSON; they never
 * pass or fail on time.
 */
import { writeBenchJson } from './environment.js';
import { parseArgs } from 'node:util';
import { runModel } from '../sim/engine/parallel.js';
import { pholdBaseline } from './phold-baseline.js';
import type { PholdParams, PholdResult } from './phold.js';
import { runScenario } from '../sim/run.js';
import { loadScenario } from '../sim/scenario/index.js';
import { parseDuration } from '../sim/scenario/units.js';
import { benchMemory } from './memory.js';
import { benchServer } from './server.js';
import { benchWire } from './wire.js';
import { benchQueue } from './queue.js';
import { benchTimers } from './timers-bench.js';
import { benchScale } from './scale.js';
import { benchPholdAB } from './phold-ab.js';

async function benchModel(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { workers: { type: 'string' }, duration: { type: 'string' }, json: { type: 'string' } },
  });
  const name = positionals[0] ?? 'office';
  const workers = values.workers === 'auto' ? 'auto' : num('workers', values.workers, 1, (x) => Number.isInteger(x) && x >= 1, "an integer >= 1 or 'auto'");
  const duration = values.duration === undefined ? undefined : parseDuration(values.duration, '--duration');
  const sc = loadScenario(name);
  const r = await runScenario(sc, { workers, duration });
  const notifPerSec = (r.presence.notifications.delivered / r.engine.wallMs) * 1000;
  console.log(
    `model ${name} workers=${r.engine.workers}: ${r.engine.events} events in ${r.engine.wallMs.toFixed(0)} ms = ${(r.engine.eventsPerSec / 1e6).toFixed(2)} M events/s, ` +
      `${r.presence.notifications.delivered} notifications delivered = ${(notifPerSec / 1e6).toFixed(3)} M/s wall, ${(r.parameters.duration / 1000).toFixed(0)} s simulated`,
  );
  if (r.engine.autoWorkers !== undefined) console.log(`workers ${r.engine.workers} (auto): ${r.engine.autoWorkers}`);
  if (values.json) {
    writeBenchJson(values.json, { benchmark: 'model', scenario: name, workers: r.engine.workers, events: r.engine.events, wallMs: r.engine.wallMs, eventsPerSec: r.engine.eventsPerSec, notificationsDelivered: r.presence.notifications.delivered, notificationsPerSec: Math.round(notifPerSec) });
  }
  return 0;
}

function memoryArgs(args: string[]): number {
  const { values } = parseArgs({ args, strict: true, options: { users: { type: 'string' }, buddies: { type: 'string' } } });
  const users = num('users', values.users, 200_000, (x) => Number.isInteger(x) && x >= 10, 'an integer >= 10');
  const buddies = num('buddies', values.buddies, 20, (x) => Number.isInteger(x) && x >= 1, 'an integer >= 1');
  return benchMemory(users, buddies);
}

const USAGE = `usage: npm run bench -- <benchmark> [options]

benchmarks:
  phold            PHOLD on the impp-sim kernel (sequential or parallel)
  phold-baseline   the same PHOLD as a plain hand-written loop, for reference
  phold-ab         the two alternated in one process, timed in CPU time (initial events
                   included): medians and the median ratio (--lps N [100000] --events M [16]
                   --until T [4] --runs R [5] --json FILE)
  model [scenario] the IMPP model on a scenario [office]: events/s and notifications delivered
                   per wall-clock second (--workers W|auto, --duration D such as 1h, --json FILE)
  timers           a hold model with many far-future timers (two per user, an hour away), timers
                   bucketed by the TimerService vs placed straight in the heap, each in a child
                   process: events/s, heap peak, peak RSS (--lps L [4] --users N per LP [250000]
                   --refresh MS [3600000] --chains C per LP [200] --until MS [300000]
                   --workers W [1] --mode wheel|direct|both [both] --json FILE)
  scale            the office scenario at 10k, 100k and 1M users (or --users N), one 4-core server
                   per 25,000 users, --buddies K [25] each, log-ins over the first 10 min,
                   --duration D [1h], --workers W|auto [1]: events/s, us/event, peak RSS, heap peak,
                   bytes per edge (each size run twice in child processes: with and without
                   buddies); --json FILE
  memory           bytes per user and per subscription edge of the whole model state, after GC
                   (--users N [200000], --buddies K [20])
  server           the dashboard server under load: the largest office run the memory estimate
                   admits on this machine (or --scenario S as it is; --largest scales S too) with
                   --readers N [50] event-stream readers and --stalled M [5] that never read;
                   p50/p99 of GET /api/runs and the server's RSS (--seconds T [20], --json FILE)
  wire             decode/encode time per document of the wire codecs (--json FILE)
  queue            the BullMQ queue's cost per job (--runs N [100] tiny runs, one local thread vs
                   one queue worker) and a sweep on 2 local threads vs 2 queue workers, on its own
                   loopback redis-server (--repeat R [5], --json FILE)

phold options (defaults in brackets):
  --lps N          logical processes [1000]
  --events M       initial events per LP [16]
  --remote F       fraction of events sent to a random LP [0.1]
  --lookahead L    minimum delay of every event, in time units [1]
  --mean X         mean of the exponential increment [1]
  --until T        end time [1000]
  --workers W      worker threads (partitions) [1]
  --seed S         random seed [1]
  --repeat R       repeat the run R times and report the best [1]
  --json FILE      also write the result as JSON
`;

function num(name: string, v: string | undefined, dflt: number, check: (x: number) => boolean, what: string): number {
  if (v === undefined) return dflt;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || !check(x)) {
    throw new Error(`--${name} must be ${what}, got '${v}'`);
  }
  return x;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === 'model') return benchModel(rest);
  if (name === 'memory') return memoryArgs(rest);
  if (name === 'server') return benchServer(rest);
  if (name === 'wire') return benchWire(rest);
  if (name === 'queue') return benchQueue(rest);
  if (name === 'scale') return benchScale(rest, (n, v, d) => num(n, v, d, (x) => Number.isInteger(x) && x >= 1, 'an integer >= 1'));
  if (name === 'phold-ab') return benchPholdAB(rest);
  if (name === 'timers') return benchTimers(rest, (n, v, d) => num(n, v, d, (x) => Number.isInteger(x) && x >= 1, 'an integer >= 1'));
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      lps: { type: 'string' },
      events: { type: 'string' },
      remote: { type: 'string' },
      lookahead: { type: 'string' },
      mean: { type: 'string' },
      until: { type: 'string' },
      workers: { type: 'string' },
      seed: { type: 'string' },
      repeat: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const int = (x: number) => Number.isInteger(x) && x >= 1;
  const params: PholdParams = {
    lps: num('lps', values.lps, 1000, int, 'an integer >= 1'),
    events: num('events', values.events, 16, int, 'an integer >= 1'),
    remote: num('remote', values.remote, 0.1, (x) => x >= 0 && x <= 1, 'a fraction between 0 and 1'),
    lookahead: num('lookahead', values.lookahead, 1, (x) => x >= 0, 'a number >= 0'),
    mean: num('mean', values.mean, 1, (x) => x > 0, 'a number > 0'),
    until: num('until', values.until, 1000, (x) => x > 0, 'a number > 0'),
  };
  const workers = num('workers', values.workers, 1, int, 'an integer >= 1');
  const seed = num('seed', values.seed, 1, Number.isInteger, 'an integer');
  const repeat = num('repeat', values.repeat, 1, int, 'an integer >= 1');

  if (name === 'phold-baseline') {
    let best = { events: 0, wallMs: Infinity };
    for (let r = 0; r < repeat; r++) {
      const res = pholdBaseline({ ...params, seed });
      if (res.wallMs < best.wallMs) best = res;
    }
    const rate = (best.events / best.wallMs) * 1000;
    console.log(
      `phold-baseline lps=${params.lps} events=${params.events} remote=${params.remote} lookahead=${params.lookahead} until=${params.until}: ` +
        `${best.events} events in ${best.wallMs.toFixed(0)} ms = ${(rate / 1e6).toFixed(2)} M events/s`,
    );
    if (values.json) {
      writeBenchJson(values.json, { benchmark: 'phold-baseline', params, workers: 1, events: best.events, wallMs: best.wallMs, eventsPerSec: rate });
    }
    return 0;
  }
  if (name !== 'phold') {
    process.stderr.write(`unknown benchmark '${name}'\n\n${USAGE}`);
    return 2;
  }
  const modelUrl = new URL('./phold.js', import.meta.url).href;
  let best: Awaited<ReturnType<typeof runModel<PholdParams, unknown, PholdResult>>> | null = null;
  for (let r = 0; r < repeat; r++) {
    const out = await runModel<PholdParams, unknown, PholdResult>(modelUrl, params, { workers, seed, until: params.until });
    if (best === null || out.wallMs < best.wallMs) best = out;
  }
  const out = best!;
  console.log(
    `phold lps=${params.lps} events=${params.events} remote=${params.remote} lookahead=${params.lookahead} until=${params.until} workers=${workers}: ` +
      `${out.events} events in ${out.wallMs.toFixed(0)} ms = ${(out.eventsPerSec / 1e6).toFixed(2)} M events/s, ` +
      `${out.windows} windows, ${out.crossPartitionEvents} cross-partition events, checksum ${out.result.checksum}`,
  );
  if (values.json) {
    const doc = {
      benchmark: 'phold',
      params: { ...params, seed },
      workers,
      events: out.events,
      wallMs: Math.round(out.wallMs * 1000) / 1000,
      eventsPerSec: Math.round(out.eventsPerSec),
      windows: out.windows,
      crossPartitionEvents: out.crossPartitionEvents,
      checksum: out.result.checksum,
    };
    writeBenchJson(values.json, doc);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`bench: ${e.message}\n`);
    process.exit(2);
  },
);
