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
import { buildPopulation } from '../sim/model/population.js';
import { benchServer } from './server.js';

async function benchModel(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { workers: { type: 'string' }, duration: { type: 'string' }, json: { type: 'string' } },
  });
  const name = positionals[0] ?? 'office';
  const workers = num('workers', values.workers, 1, (x) => Number.isInteger(x) && x >= 1, 'an integer >= 1');
  const duration = values.duration === undefined ? undefined : parseDuration(values.duration, '--duration');
  const sc = loadScenario(name);
  const r = await runScenario(sc, { workers, duration });
  const notifPerSec = (r.presence.notifications.delivered / r.engine.wallMs) * 1000;
  console.log(
    `model ${name} workers=${r.engine.workers}: ${r.engine.events} events in ${r.engine.wallMs.toFixed(0)} ms = ${(r.engine.eventsPerSec / 1e6).toFixed(2)} M events/s, ` +
      `${r.presence.notifications.delivered} notifications delivered = ${(notifPerSec / 1e6).toFixed(3)} M/s wall, ${(r.parameters.duration / 1000).toFixed(0)} s simulated`,
  );
  if (values.json) {
    writeBenchJson(values.json, { benchmark: 'model', scenario: name, workers: r.engine.workers, events: r.engine.events, wallMs: r.engine.wallMs, eventsPerSec: r.engine.eventsPerSec, notificationsDelivered: r.presence.notifications.delivered, notificationsPerSec: Math.round(notifPerSec) });
  }
  return 0;
}

function benchMemory(args: string[]): number {
  const { values } = parseArgs({ args, strict: true, options: { users: { type: 'string' }, buddies: { type: 'string' } } });
  const users = num('users', values.users, 200_000, (x) => Number.isInteger(x) && x >= 10, 'an integer >= 10');
  const buddies = num('buddies', values.buddies, 20, (x) => Number.isInteger(x) && x >= 1, 'an integer >= 1');
  const sc = loadScenario('office', [`domains[0].users=${users}`, `population.buddies=${buddies}`]);
  const before = process.memoryUsage();
  const pop = buildPopulation(sc, 1);
  const after = process.memoryUsage();
  // typed columns of the population (static) plus the model's per-edge and per-user dynamic state
  // (subState 1, subExpiry 8, decision 1, watcherSubscribed 1 per edge; online 1, epoch 4 and
  // tuples x (basic 1 + status 1 + time 8) per user), computed from the column sizes
  const T = sc.population.tuples;
  const staticEdge = pop.edgeWatcher.byteLength + pop.edgePresentity.byteLength + pop.fwdEdge.byteLength + pop.edgeRule.byteLength;
  const staticUser = pop.domainOf.byteLength + pop.principal.byteLength + pop.watcherKind.byteLength + pop.revStart.byteLength + pop.fwdStart.byteLength;
  const dynEdge = pop.edges * (1 + 8 + 1 + 1);
  const dynUser = pop.totalUsers * (1 + 4 + T * 10);
  console.log(
    `memory: ${pop.totalUsers} users, ${pop.edges} subscription edges: ` +
      `${((staticEdge + dynEdge) / pop.edges).toFixed(1)} bytes per edge, ${((staticUser + dynUser) / pop.totalUsers).toFixed(1)} bytes per user (typed columns); ` +
      `process arrayBuffers grew ${((after.arrayBuffers - before.arrayBuffers) / 1e6).toFixed(1)} MB, heap ${((after.heapUsed - before.heapUsed) / 1e6).toFixed(1)} MB during generation`,
  );
  return 0;
}

const USAGE = `usage: npm run bench -- <benchmark> [options]

benchmarks:
  phold            PHOLD on the impp-sim kernel (sequential or parallel)
  phold-baseline   the same PHOLD as a plain hand-written loop, for reference
  model [scenario] the IMPP model on a scenario [office]: events/s and notifications delivered
                   per wall-clock second (--workers W, --duration D such as 1h, --json FILE)
  memory           bytes per user and per subscription edge of the model's state
                   (--users N [200000], --buddies K [20])
  server           the dashboard server under load: a run of --scenario S [office] with
                   --readers N [50] event-stream readers and --stalled M [5] that never read;
                   p50/p99 of GET /api/runs and the server's RSS (--seconds T [20], --json FILE)

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
  if (name === 'memory') return benchMemory(rest);
  if (name === 'server') return benchServer(rest);
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
