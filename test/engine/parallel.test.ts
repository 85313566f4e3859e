import { describe, expect, it } from 'vitest';
import { partitionLPs, runModel } from '../../sim/engine/parallel.js';
import { SimError } from '../../sim/errors.js';
import type { PholdParams, PholdResult } from '../../bench/phold.js';
import type { TokensParams, TokensResult } from '../models/tokens.js';

const PHOLD = new URL('../../bench/phold.ts', import.meta.url).href;
const TOKENS = new URL('../models/tokens.ts', import.meta.url).href;

async function phold(p: Partial<PholdParams>, workers: number, extra: Record<string, unknown> = {}) {
  const params: PholdParams = { lps: 64, events: 8, remote: 0.5, lookahead: 1, mean: 1, until: 200, ...p };
  return runModel<PholdParams, unknown, PholdResult>(PHOLD, params, { workers, seed: 11, until: params.until, inProcess: false, ...extra });
}

describe('runModel (parallel kernel)', () => {
  it('partitionLPs splits LPs into contiguous blocks of similar weight', () => {
    expect(Array.from(partitionLPs(6, 3))).toEqual([0, 0, 1, 1, 2, 2]);
    expect(Array.from(partitionLPs(4, 1))).toEqual([0, 0, 0, 0]);
    const w = [10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    const part = partitionLPs(w.length, 2, (lp) => w[lp]);
    expect(part[0]).toBe(0);
    expect(part[1]).toBe(1); // the heavy LP has a partition to itself
    expect(new Set(partitionLPs(5, 5)).size).toBe(5);
  });

  it('PHOLD gives the same event count, per-LP state and checksum for 1, 2, 3 and 4 workers (heavy cross-partition traffic)', async () => {
    const seq = await runModel<PholdParams, unknown, PholdResult>(
      PHOLD,
      { lps: 64, events: 8, remote: 0.9, lookahead: 1, mean: 1, until: 200 },
      { workers: 1, seed: 11, until: 200 },
    );
    expect(seq.events).toBeGreaterThan(50_000);
    for (const w of [1, 2, 3, 4]) {
      const par = await phold({ remote: 0.9 }, w);
      expect(par.workers).toBe(w);
      expect(par.events).toBe(seq.events);
      expect(par.result.checksum).toBe(seq.result.checksum);
      expect(Array.from(par.result.perLP.counts)).toEqual(Array.from(seq.result.perLP.counts));
      expect(Array.from(par.result.perLP.hashes)).toEqual(Array.from(seq.result.perLP.hashes));
      if (w > 1) expect(par.crossPartitionEvents).toBeGreaterThan(10_000);
    }
  });

  it('PHOLD on a coarse time grid (many events at identical timestamps) is identical for 1..4 workers', async () => {
    const base = await phold({ quantum: 1, lookahead: 1, remote: 0.5 }, 1);
    // sanity: the grid really produces ties
    expect(base.events).toBeGreaterThan(base.clock);
    for (const w of [2, 3, 4]) {
      const par = await phold({ quantum: 1, lookahead: 1, remote: 0.5 }, w);
      expect(par.result.checksum).toBe(base.result.checksum);
      expect(par.events).toBe(base.events);
    }
  });

  it('a hold (real-time pacing) stops every partition before the held time, and results are unchanged', async () => {
    const free = await phold({ remote: 0.5, lookahead: 5, until: 400 }, 2);
    for (const w of [1, 2]) {
      let handle: import('../../sim/engine/parallel.js').RunHandle | null = null;
      const run = phold({ remote: 0.5, lookahead: 5, until: 400 }, w, {
        onStart: (h: import('../../sim/engine/parallel.js').RunHandle) => {
          handle = h;
          h.hold(57.5); // inside a window of width 5
        },
      });
      // wait until the partitions sit at the hold: the clock stops moving, below 57.5
      let last = -1;
      for (let i = 0; i < 400; i++) {
        await new Promise((r) => setTimeout(r, 10));
        const c = handle!.progress().clock;
        if (c === last && c > 50) break;
        last = c;
      }
      const held = handle!.progress();
      expect(held.clock).toBeGreaterThan(50);
      expect(held.clock).toBeLessThanOrEqual(57.5); // the clock reaches the hold; no event at or after it is handled
      await new Promise((r) => setTimeout(r, 50));
      expect(handle!.progress().clock).toBe(held.clock);
      handle!.hold(200);
      await new Promise((r) => setTimeout(r, 50));
      handle!.hold(Infinity);
      const out = await run;
      expect(out.events).toBe(free.events);
      expect(out.result.checksum).toBe(free.result.checksum);
    }
  });

  it('a different seed gives a different checksum', async () => {
    const a = await phold({}, 2);
    const b = await phold({}, 2, { seed: 12 });
    expect(a.result.checksum).not.toBe(b.result.checksum);
  });

  it('token model with zero-delay self events and simultaneous hops is identical for 1..4 workers', async () => {
    const p: TokensParams = { lps: 12, tokensPerLP: 5, lookahead: 2, scatter: 0.3 };
    const runs = [];
    for (const w of [1, 2, 3, 4]) runs.push(await runModel<TokensParams, unknown, TokensResult>(TOKENS, p, { workers: w, seed: 5, until: 400, inProcess: w === 1 }));
    for (const r of runs) {
      expect(r.result.hashes).toEqual(runs[0].result.hashes);
      expect(r.result.counts).toEqual(runs[0].result.counts);
      expect(r.events).toBe(runs[0].events);
    }
  });

  it('the mailbox overflow path delivers every event (tiny mailboxes)', async () => {
    const normal = await phold({ remote: 0.9 }, 2);
    const tiny = await phold({ remote: 0.9 }, 2, { mailboxCapacity: 4 });
    expect(tiny.result.checksum).toBe(normal.result.checksum);
  });

  it('kernel.stop() inside a handler stops every partition at the same window end, for any worker count', async () => {
    const p: TokensParams = { lps: 8, tokensPerLP: 4, lookahead: 3, stopAfter: 40 };
    const runs = [];
    for (const w of [1, 2, 4]) runs.push(await runModel<TokensParams, unknown, TokensResult>(TOKENS, p, { workers: w, seed: 9, until: 10_000 }));
    expect(runs[0].stopReason).toBe('LP 0 reached its count');
    expect(runs[0].clock).toBeLessThan(10_000);
    for (const r of runs) {
      expect(r.result.counts).toEqual(runs[0].result.counts);
      expect(r.events).toBe(runs[0].events);
      expect(r.stopReason).toBe('LP 0 reached its count');
    }
  });

  it('with LP groups (windows of the group lookahead once a group is split) kernel.stop() takes effect at the same grid point for any worker count', async () => {
    const p: TokensParams = { lps: 8, tokensPerLP: 4, lookahead: 1, stopAfter: 301, group: 4 };
    const runs = [];
    for (const w of [1, 2, 3, 4]) runs.push(await runModel<TokensParams, unknown, TokensResult>(TOKENS, p, { workers: w, seed: 9, until: 10_000 }));
    // 1 and 2 workers keep the groups whole (windows of 4), 3 and 4 split them (windows of 1)
    expect(runs.map((r) => r.windowLookahead)).toEqual([4, 4, 1, 1]);
    expect(runs[0].stopReason).toBe('LP 0 reached its count');
    expect(runs[0].clock % 4).toBe(0);
    expect(runs[0].events).toBeGreaterThan(1000);
    expect(runs[0].clock).toBeLessThan(10_000);
    for (const r of runs) {
      expect(r.result.counts).toEqual(runs[0].result.counts);
      expect(r.result.hashes).toEqual(runs[0].result.hashes);
      expect(r.events).toBe(runs[0].events);
      expect(r.clock).toBe(runs[0].clock);
    }
  });

  it('a model with lookahead 0 is refused with SIM_ERR_ZERO_LOOKAHEAD', async () => {
    await expect(phold({ lookahead: 0 }, 2)).rejects.toMatchObject({ code: 'SIM_ERR_ZERO_LOOKAHEAD' });
    await expect(phold({ lookahead: 0 }, 2)).rejects.toThrow(/lookahead 0/);
  });

  it('a remote event sooner than the lookahead fails the run with the LPs and the delay, in a worker too', async () => {
    const p: TokensParams = { lps: 4, tokensPerLP: 2, lookahead: 2, violateAt: 10 };
    for (const w of [1, 2]) {
      const err = await runModel(TOKENS, p, { workers: w, seed: 1, until: 100, inProcess: w === 1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SimError);
      expect((err as SimError).code).toBe('SIM_ERR_LOOKAHEAD_VIOLATION');
      expect((err as SimError).message).toMatch(/from LP 0 to LP 1 .* delay 1, less than the lookahead 2/);
    }
  });

  it('a handler that throws in one worker fails the run with its message and releases the other workers', async () => {
    const p: TokensParams = { lps: 8, tokensPerLP: 2, lookahead: 1, failLP: 7, failAt: 20 };
    const err = await runModel(TOKENS, p, { workers: 4, seed: 1, until: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SimError);
    expect((err as SimError).message).toMatch(/partition 3: .*token model failure at LP 7/);
    expect((err as SimError).code).not.toBe('SIM_ERR_ABORTED');
  });

  it('runModel validates its options', async () => {
    await expect(phold({}, 0)).rejects.toThrow(/workers must be an integer/);
    await expect(phold({ lps: 2 }, 3)).rejects.toThrow(/exceeds the number of logical processes/);
    await expect(runModel(PHOLD, {}, { seed: 1, until: -5 })).rejects.toThrow(/until must be > 0/);
    await expect(runModel('/nonexistent/model.js', {}, { seed: 1, until: 5 })).rejects.toMatchObject({ code: 'SIM_ERR_MODEL' });
  });

  it('onProgress and the run handle report progress; stop() from the coordinator ends the run early', async () => {
    const progress: number[] = [];
    const out = await phold({ lps: 200, until: 5000 }, 2, {
      onProgress: (p: { events: number }) => progress.push(p.events),
      progressMs: 5,
      onStart: (h: { stop(): void }) => setTimeout(() => h.stop(), 30),
    });
    expect(progress.length).toBeGreaterThan(0);
    expect(out.stopReason).toBe('stopped on request');
    expect(out.clock).toBeLessThan(5000);
  });
});
