/**
 * A tiny model for kernel tests: tokens hop between LPs on an integer time grid, so many events
 * share a timestamp, and every LP keeps a running hash of (time, token, origin) in the order it
 * handled them. Options make a handler stop the run, throw, or break the lookahead.
 */
import type { Kernel } from '../../sim/engine/kernel.js';
import type { ModelSpec } from '../../sim/engine/model.js';

export interface TokensParams {
  lps: number;
  tokensPerLP: number;
  lookahead: number;
  /** LP 0 calls kernel.stop() after handling this many events */
  stopAfter?: number;
  /** the handler throws when LP `failLP` handles an event at or after `failAt` */
  failLP?: number;
  failAt?: number;
  /** at this time, LP 0 sends an event to LP 1 with half the lookahead */
  violateAt?: number;
  /** fraction of hops that go to a random LP instead of the next one */
  scatter?: number;
  /**
   * LPs in groups of this size (model.ts LpGroups): `lookahead` inside a group, four times it
   * between groups (a hop to another group takes three lookaheads more)
   */
  group?: number;
}

export interface TokensPart {
  lps: number[];
  counts: number[];
  hashes: number[];
}

export interface TokensResult {
  counts: number[];
  hashes: number[];
  total: number;
}

export const model: ModelSpec<TokensParams, TokensPart, TokensResult> = {
  name: 'tokens',
  lpCount: (p) => p.lps,
  lookahead: (p) => (p.group ? 4 * p.lookahead : p.lookahead),
  lpGroups: (p) => (p.group ? { groupOf: Int32Array.from({ length: p.lps }, (_, lp) => Math.floor(lp / p.group!)), lookahead: new Float64Array(Math.ceil(p.lps / p.group)).fill(p.lookahead) } : undefined),
  create(kernel: Kernel, p: TokensParams) {
    const counts = new Float64Array(p.lps);
    const hashes = new Uint32Array(p.lps).fill(2166136261);
    let HOP = 0;
    HOP = kernel.defineEvent('hop', (lp, token, origin) => {
      counts[lp]++;
      let h = hashes[lp];
      h = Math.imul(h ^ kernel.now, 16777619);
      h = Math.imul(h ^ token, 16777619);
      h = Math.imul(h ^ origin, 16777619);
      hashes[lp] = h;
      if (p.failLP === lp && kernel.now >= (p.failAt ?? 0)) throw new Error(`token model failure at LP ${lp}, t=${kernel.now}`);
      if (p.stopAfter !== undefined && lp === 0 && counts[0] === p.stopAfter) kernel.stop('LP 0 reached its count');
      if (p.violateAt !== undefined && lp === 0 && kernel.now >= p.violateAt) kernel.schedule(p.lookahead / 2, HOP, 1, token, lp);
      const scatter = p.scatter ?? 0;
      const next = kernel.rng.uniform(lp) < scatter ? kernel.rng.int(lp, p.lps) : (lp + 1) % p.lps;
      // integer delays: lots of simultaneous events; self-events use delay 0 sometimes
      const far = p.group !== undefined && Math.floor(next / p.group) !== Math.floor(lp / p.group);
      const delay = next === lp ? kernel.rng.int(lp, 2) : p.lookahead * (1 + kernel.rng.int(lp, 3) + (far ? 3 : 0));
      kernel.schedule(delay, HOP, next, token, lp);
    });
    return {
      init(lp: number) {
        for (let i = 0; i < p.tokensPerLP; i++) kernel.schedule(i % 3, HOP, lp, lp * 1000 + i, lp);
      },
      finish(): TokensPart {
        const out: TokensPart = { lps: [], counts: [], hashes: [] };
        for (let lp = 0; lp < p.lps; lp++) {
          if (!kernel.owns(lp)) continue;
          out.lps.push(lp);
          out.counts.push(counts[lp]);
          out.hashes.push(hashes[lp]);
        }
        return out;
      },
    };
  },
  combine(parts: TokensPart[], p: TokensParams): TokensResult {
    const counts = new Array<number>(p.lps).fill(0);
    const hashes = new Array<number>(p.lps).fill(0);
    for (const part of parts) {
      part.lps.forEach((lp, i) => {
        counts[lp] = part.counts[i];
        hashes[lp] = part.hashes[i];
      });
    }
    return { counts, hashes, total: counts.reduce((a, b) => a + b, 0) };
  },
};
