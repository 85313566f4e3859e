/**
 * PHOLD (Fujimoto 1990) on the impp-sim kernel: N logical processes, M initial events each; an
 * event at LP i schedules one new event after lookahead + Exp(mean), for a uniformly chosen LP
 * with probability `remote`, else for i itself. The outcome is a checksum over every LP's handled
 * count, a running hash of the times it handled events at, and its random stream state, so any
 * difference in what any LP saw, or in which order, changes it.
 */
import type { Kernel } from '../sim/engine/kernel.js';
import type { ModelSpec } from '../sim/engine/model.js';

export interface PholdParams {
  lps: number;
  events: number;
  remote: number;
  lookahead: number;
  mean: number;
  /** end time (used by the bench driver; the kernel receives it as `until`) */
  until: number;
  /** when > 0, every initial time is rounded to a multiple of this, and so is each delay, to
   *  force many events at identical timestamps (tests) */
  quantum?: number;
}

export interface PholdPart {
  lps: Int32Array;
  counts: Float64Array;
  hashes: Uint32Array;
  rng: Uint32Array;
}

export interface PholdResult {
  events: number;
  checksum: string;
  perLP: { counts: Float64Array; hashes: Uint32Array };
}

const bits = new Float64Array(1);
const bitsU32 = new Uint32Array(bits.buffer);

export const model: ModelSpec<PholdParams, PholdPart, PholdResult> = {
  name: 'phold',
  lpCount: (p) => p.lps,
  lookahead: (p) => p.lookahead,
  capacity: (p, owned) => Math.max(1024, Math.ceil(owned * p.events * 1.25)),
  create(kernel: Kernel, p: PholdParams) {
    const n = p.lps;
    const counts = new Float64Array(n);
    const hashes = new Uint32Array(n).fill(0x811c9dc5);
    const rng = kernel.rng;
    const { remote, lookahead, mean } = p;
    const quantum = p.quantum ?? 0;
    let EV = 0;
    EV = kernel.defineEvent('phold', (lp) => {
      counts[lp]++;
      bits[0] = kernel.now;
      let h = hashes[lp];
      h = Math.imul(h ^ bitsU32[0], 0x01000193);
      h = Math.imul(h ^ bitsU32[1], 0x01000193);
      hashes[lp] = h;
      // one draw decides remote-or-not and, given remote, the destination (u / remote is
      // uniform on (0,1) when u < remote)
      const u = rng.uniform(lp);
      const dest = u < remote ? Math.floor((u / remote) * n) : lp;
      let d = lookahead + rng.exponential(lp, mean);
      if (quantum > 0) d = Math.ceil(d / quantum) * quantum;
      kernel.schedule(d, EV, dest);
    });
    return {
      init(lp: number) {
        for (let m = 0; m < p.events; m++) {
          const d = rng.exponential(lp, mean);
          kernel.schedule(quantum > 0 ? Math.ceil(d / quantum) * quantum : d, EV, lp);
        }
      },
      finish(): PholdPart {
        const owned: number[] = [];
        for (let lp = 0; lp < n; lp++) if (kernel.owns(lp)) owned.push(lp);
        const part: PholdPart = {
          lps: Int32Array.from(owned),
          counts: new Float64Array(owned.length),
          hashes: new Uint32Array(owned.length),
          rng: new Uint32Array(owned.length * 2),
        };
        for (let i = 0; i < owned.length; i++) {
          const lp = owned[i];
          part.counts[i] = counts[lp];
          part.hashes[i] = hashes[lp];
          part.rng.set(rng.state.subarray(lp * 2, lp * 2 + 2), i * 2);
        }
        return part;
      },
    };
  },
  combine(parts: PholdPart[], p: PholdParams): PholdResult {
    const counts = new Float64Array(p.lps);
    const hashes = new Uint32Array(p.lps);
    const rngs = new Uint32Array(p.lps * 2);
    for (const part of parts) {
      for (let i = 0; i < part.lps.length; i++) {
        const lp = part.lps[i];
        counts[lp] = part.counts[i];
        hashes[lp] = part.hashes[i];
        rngs.set(part.rng.subarray(i * 2, i * 2 + 2), lp * 2);
      }
    }
    // two independent 32-bit FNV-1a lanes over (count, hash, rng state) in LP order
    let h1 = 0x811c9dc5, h2 = 0x01000193 ^ 0x5bd1e995;
    let events = 0;
    const mix = (x: number) => {
      h1 = Math.imul(h1 ^ (x >>> 0), 0x01000193);
      h2 = Math.imul(h2 ^ ((x >>> 0) ^ 0x9e3779b9), 0x85ebca6b);
      h2 ^= h2 >>> 15;
    };
    for (let lp = 0; lp < p.lps; lp++) {
      events += counts[lp];
      mix(counts[lp]);
      mix(Math.floor(counts[lp] / 4294967296));
      mix(hashes[lp]);
      mix(rngs[lp * 2]);
      mix(rngs[lp * 2 + 1]);
    }
    const hex = (x: number) => (x >>> 0).toString(16).padStart(8, '0');
    return { events, checksum: hex(h1) + hex(h2), perLP: { counts, hashes } };
  },
};
