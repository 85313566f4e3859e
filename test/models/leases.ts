/**
 * A small model for timer-service tests, shaped like subscriptions: every LP holds `slots` leases;
 * a lease is renewed by a refresh timer before it expires and sets two far timers each time (the
 * next refresh and an expiry that is then stale, as in a presence server), both through the
 * TimerService. Leases also ping a random LP (cross-partition traffic), whose handler sets a near
 * and a far timer. Delays are multiples of `quantum`, so many timers share a time. Every LP hashes
 * (time, kind, slot, epoch) in the order it handles events and counts timers that fired at
 * another time than the one they were set for.
 */
import type { Kernel } from '../../sim/engine/kernel.js';
import type { ModelSpec } from '../../sim/engine/model.js';
import { TimerService } from '../../sim/engine/timers.js';

export interface LeasesParams {
  lps: number;
  slots: number;
  /** lease length (ms); refreshes come after 50-100% of it */
  lease: number;
  lookahead: number;
  /** delays are rounded up to a multiple of this (ms) */
  quantum: number;
  /** chance that a refresh pings another LP */
  ping: number;
  /** timer bucket width (ms) */
  bucket?: number;
  /** place every timer in the heap */
  direct?: boolean;
}

export interface LeasesPart {
  lps: number[];
  hashes: number[];
  counts: number[];
  late: number;
  stale: number;
  expired: number;
}

export interface LeasesResult {
  hashes: number[];
  counts: number[];
  late: number;
  stale: number;
  expired: number;
}

export const model: ModelSpec<LeasesParams, LeasesPart, LeasesResult> = {
  name: 'leases',
  lpCount: (p) => p.lps,
  lookahead: (p) => p.lookahead,
  create(kernel: Kernel, p: LeasesParams) {
    const timers = new TimerService(kernel, { bucket: p.bucket, direct: p.direct });
    const n = p.lps * p.slots;
    const epoch = new Uint32Array(n);
    const dueRefresh = new Float64Array(n);
    const dueExpire = new Float64Array(n);
    const hashes = new Uint32Array(p.lps).fill(2166136261);
    const counts = new Float64Array(p.lps);
    let late = 0;
    let stale = 0;
    let expired = 0;
    const rng = kernel.rng;
    const q = (d: number) => Math.ceil(d / p.quantum) * p.quantum;
    const mix = (lp: number, kind: number, x: number, y: number) => {
      let h = hashes[lp];
      h = Math.imul(h ^ kernel.now, 16777619);
      h = Math.imul(h ^ kernel.now / 4294967296, 16777619);
      h = Math.imul(h ^ kind, 16777619);
      h = Math.imul(h ^ x, 16777619);
      hashes[lp] = Math.imul(h ^ y, 16777619);
      counts[lp]++;
    };
    let REFRESH = 0;
    let EXPIRE = 0;
    let PING = 0;
    let ECHO = 0;
    const renew = (lp: number, slot: number) => {
      const ep = ++epoch[slot];
      const d = q(p.lease * (0.5 + 0.5 * rng.uniform(lp)));
      dueRefresh[slot] = kernel.now + d;
      dueExpire[slot] = kernel.now + p.lease;
      timers.set(d, REFRESH, lp, slot, ep);
      timers.set(p.lease, EXPIRE, lp, slot, ep);
    };
    REFRESH = kernel.defineEvent('refresh', (lp, slot, ep) => {
      mix(lp, 1, slot, ep);
      if (ep !== epoch[slot]) {
        stale++;
        return;
      }
      if (kernel.now !== dueRefresh[slot]) late++;
      // one refresh in ten is lost: the lease then expires, and the expiry renews it
      if (rng.uniform(lp) < 0.1) return;
      renew(lp, slot);
      if (rng.uniform(lp) < p.ping) kernel.schedule(p.lookahead * (1 + rng.int(lp, 3)), PING, rng.int(lp, p.lps), slot);
    });
    EXPIRE = kernel.defineEvent('expire', (lp, slot, ep) => {
      mix(lp, 2, slot, ep);
      if (ep !== epoch[slot]) {
        stale++;
        return;
      }
      if (kernel.now !== dueExpire[slot]) late++;
      expired++;
      renew(lp, slot);
    });
    PING = kernel.defineEvent('ping', (lp, slot) => {
      mix(lp, 3, slot, 0);
      // a near timer (straight to the heap) and a far one, from a message handler
      timers.set(q(p.lookahead * rng.uniform(lp)), ECHO, lp, slot, 1);
      timers.set(q(p.lease * rng.uniform(lp)), ECHO, lp, slot, 2);
    });
    ECHO = kernel.defineEvent('echo', (lp, slot, which) => mix(lp, 4, slot, which));
    return {
      init(lp: number) {
        for (let s = 0; s < p.slots; s++) {
          const slot = lp * p.slots + s;
          dueRefresh[slot] = q(p.lease * rng.uniform(lp));
          timers.set(dueRefresh[slot], REFRESH, lp, slot, 0);
        }
      },
      finish(): LeasesPart {
        const out: LeasesPart = { lps: [], hashes: [], counts: [], late, stale, expired };
        for (let lp = 0; lp < p.lps; lp++) {
          if (!kernel.owns(lp)) continue;
          out.lps.push(lp);
          out.hashes.push(hashes[lp]);
          out.counts.push(counts[lp]);
        }
        return out;
      },
    };
  },
  combine(parts: LeasesPart[], p: LeasesParams): LeasesResult {
    const r: LeasesResult = { hashes: new Array<number>(p.lps).fill(0), counts: new Array<number>(p.lps).fill(0), late: 0, stale: 0, expired: 0 };
    for (const part of parts) {
      part.lps.forEach((lp, i) => {
        r.hashes[lp] = part.hashes[i];
        r.counts[lp] = part.counts[i];
      });
      r.late += part.late;
      r.stale += part.stale;
      r.expired += part.expired;
    }
    return r;
  },
};
