/**
 * Benchmarks: `npm run bench -- <name> [options]`. They print figures and write JSON; they never
 * pass or fail on time.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runModel } from '../sim/engine/parallel.js';
import { pholdBaseline } from './phold-baseline.js';
import type { PholdParams, PholdResult } from './phold.js';

const USAGE = `usage: npm run bench -- <benchmark> [options]

benchmarks:
  phold            PHOLD on the impp-sim kernel (sequential or parallel)
  phold-baseline   the same PHOLD as a plain hand-written loop, for reference

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
      writeFileSync(values.json, JSON.stringify({ benchmark: 'phold-baseline', params, workers: 1, events: best.events, wallMs: best.wallMs, eventsPerSec: rate }, null, 2) + '\n');
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
    writeFileSync(values.json, JSON.stringify(doc, null, 2) + '\n');
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
