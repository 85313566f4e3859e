/**
 * `npm run bench -- phold-ab [--lps N] [--events M] [--until T] [--runs R] [--json FILE]`: PHOLD on
 * the kernel and the hand-written loop (phold-baseline.ts) alternated R times in this one process,
 * each timed in CPU time of the process (user + system), initial events included on both sides.
 * On a machine shared with other work, wall times of separate runs swing by 2x and more; CPU
 * time of interleaved runs, reduced to medians, is what a kernel change can be judged by. Prints
 * both medians, the median of the per-pair ratios, and the two checksums (the kernel's must not
 * move when only its speed does).
 */
import { parseArgs } from 'node:util';
import { Kernel } from '../sim/engine/kernel.js';
import { model, type PholdParams } from './phold.js';
import { pholdBaseline } from './phold-baseline.js';
import { writeBenchJson } from './environment.js';

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** One kernel run of PHOLD on this thread: events and CPU ms (kernel set-up excluded, initial events included). */
function kernelRun(p: PholdParams, seed: number): { events: number; cpuMs: number; checksum: string } {
  const kernel = new Kernel({ lpCount: p.lps, seed, lookahead: p.lookahead, capacity: model.capacity?.(p, p.lps) });
  const inst = model.create(kernel, p);
  const c0 = cpuMs();
  kernel.forEachOwnedLP((lp) => inst.init(lp));
  const events = kernel.run(p.until);
  const ms = cpuMs() - c0;
  const checksum = model.combine([inst.finish()], p).checksum;
  kernel.dispose();
  return { events, cpuMs: ms, checksum };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function count(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const x = Number(v);
  if (v.trim() === '' || !(x > 0) || !Number.isFinite(x)) throw new Error(`--${name} must be a number > 0, got '${v}'`);
  return x;
}

export function benchPholdAB(args: string[]): number {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { lps: { type: 'string' }, events: { type: 'string' }, until: { type: 'string' }, runs: { type: 'string' }, json: { type: 'string' } },
  });
  const p: PholdParams = { lps: count('lps', values.lps, 100000), events: count('events', values.events, 16), remote: 0.1, lookahead: 1, mean: 1, until: count('until', values.until, 4) };
  const runs = count('runs', values.runs, 5);
  if (!Number.isInteger(p.lps) || !Number.isInteger(p.events) || !Number.isInteger(runs)) throw new Error('--lps, --events and --runs must be integers');
  const kernelRates: number[] = [];
  const baseRates: number[] = [];
  const ratios: number[] = [];
  let checksum = '';
  for (let r = 0; r < runs; r++) {
    // alternate which side goes first, so that neither always runs on a warmer or colder machine
    const k0 = r % 2 === 0 ? kernelRun(p, 1) : null;
    const c0 = cpuMs();
    const b = pholdBaseline({ ...p, seed: 1 });
    const bMs = cpuMs() - c0;
    const k = k0 ?? kernelRun(p, 1);
    checksum = k.checksum;
    kernelRates.push((k.events / k.cpuMs) * 1000);
    baseRates.push((b.events / bMs) * 1000);
    ratios.push(kernelRates[r] / baseRates[r]);
    console.log(`run ${r + 1}: kernel ${(kernelRates[r] / 1e6).toFixed(3)} M events/cpu-s, hand loop ${(baseRates[r] / 1e6).toFixed(3)}, ratio ${ratios[r].toFixed(3)}`);
  }
  const out = {
    benchmark: 'phold-ab',
    params: { ...p, seed: 1, runs },
    kernelEventsPerCpuSec: Math.round(median(kernelRates)),
    baselineEventsPerCpuSec: Math.round(median(baseRates)),
    medianRatio: Math.round(median(ratios) * 1000) / 1000,
    checksum,
  };
  console.log(
    `phold-ab lps=${p.lps} events=${p.events} until=${p.until}, ${runs} interleaved pairs (CPU time): kernel ${(out.kernelEventsPerCpuSec / 1e6).toFixed(3)} M events/s, ` +
      `hand loop ${(out.baselineEventsPerCpuSec / 1e6).toFixed(3)} M events/s (medians), median ratio ${out.medianRatio}, checksum ${checksum}`,
  );
  if (values.json) writeBenchJson(values.json, out);
  return 0;
}
