/**
 * A hold model with many far-future timers, shaped like a presence server's subscriptions: each
 * LP serves `users` users, each with a refresh timer `refresh` ms away (jittered by 10%); a
 * refresh sets the next refresh and an expiry 1.5 refreshes away, which the next refresh makes
 * stale (skipped by epoch when it fires, never removed). Besides, `chains` event chains per LP hop
 * with exponential delays (mean `mean` ms), the near traffic. Every timer goes through the
 * TimerService, bucketed or (direct) straight into the heap. The outcome is a checksum over what
 * every LP handled and when, identical in both modes and for any worker count.
 */
import type { Kernel } from '../sim/engine/kernel.js';
import type { ModelSpec } from '../sim/engine/model.js';
import { TimerService } from '../sim/engine/timers.js';

export interface TimersParams {
  lps: number;
  users: number;
  refresh: number;
  chains: number;
  mean: number;
  lookahead: number;
  /** the bench driver's end time */
  until: number;
  direct: boolean;
}

export interface TimersPart {
  lps: number[];
  hashes: number[];
  stale: number;
}

export interface TimersResult {
  checksum: string;
  stale: number;
}

export const model: ModelSpec<TimersParams, TimersPart, TimersResult> = {
  name: 'timers',
  lpCount: (p) => p.lps,
  lookahead: (p) => p.lookahead,
  create(kernel: Kernel, p: TimersParams) {
    const timers = new TimerService(kernel, { direct: p.direct });
    const epoch = new Uint32Array(p.lps * p.users);
    const hashes = new Uint32Array(p.lps).fill(2166136261);
    const rng = kernel.rng;
    let stale = 0;
    const mix = (lp: number, x: number) => {
      let h = hashes[lp];
      h = Math.imul(h ^ kernel.now, 16777619);
      hashes[lp] = Math.imul(h ^ x, 16777619);
    };
    let REFRESH = 0;
    let EXPIRE = 0;
    let HOP = 0;
    REFRESH = kernel.defineEvent('refresh', (lp, u, ep) => {
      mix(lp, u);
      if (ep !== epoch[u]) {
        stale++;
        return;
      }
      const next = ++epoch[u];
      timers.set(p.refresh * (0.9 + 0.1 * rng.uniform(lp)), REFRESH, lp, u, next);
      timers.set(p.refresh * 1.5, EXPIRE, lp, u, next);
    });
    EXPIRE = kernel.defineEvent('expire', (lp, u, ep) => {
      mix(lp, ~u);
      if (ep !== epoch[u]) stale++;
    });
    HOP = kernel.defineEvent('hop', (lp) => {
      mix(lp, -1);
      // a tenth of the hops go to another LP, at least the lookahead away
      if (rng.uniform(lp) < 0.1) kernel.schedule(p.lookahead + rng.exponential(lp, p.mean), HOP, rng.int(lp, p.lps));
      else kernel.schedule(rng.exponential(lp, p.mean), HOP, lp);
    });
    return {
      init(lp: number) {
        for (let i = 0; i < p.users; i++) {
          const u = lp * p.users + i;
          // first refreshes spread over one period, as after a log-in wave
          timers.set(p.refresh * rng.uniform(lp), REFRESH, lp, u, 0);
          timers.set(p.refresh * 1.5, EXPIRE, lp, u, 0);
        }
        for (let c = 0; c < p.chains; c++) kernel.schedule(rng.exponential(lp, p.mean), HOP, lp);
      },
      finish(): TimersPart {
        const out: TimersPart = { lps: [], hashes: [], stale };
        for (let lp = 0; lp < p.lps; lp++) {
          if (!kernel.owns(lp)) continue;
          out.lps.push(lp);
          out.hashes.push(hashes[lp]);
        }
        return out;
      },
    };
  },
  combine(parts: TimersPart[], p: TimersParams): TimersResult {
    const hashes = new Uint32Array(p.lps);
    let stale = 0;
    for (const part of parts) {
      part.lps.forEach((lp, i) => (hashes[lp] = part.hashes[i]));
      stale += part.stale;
    }
    let h = 2166136261;
    for (const x of hashes) h = Math.imul(h ^ x, 16777619);
    return { checksum: (h >>> 0).toString(16).padStart(8, '0'), stale };
  },
};
