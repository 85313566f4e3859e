import { describe, expect, it } from 'vitest';
import { Kernel } from '../../sim/engine/kernel.js';
import { SimError } from '../../sim/errors.js';
import { arenaFree } from '../../sim/engine/queue.js';

function traceKernel() {
  const k = new Kernel({ lpCount: 3, seed: 1 });
  const trace: string[] = [];
  const PING = k.defineEvent('ping', (lp, a) => {
    trace.push(`${k.now}:${lp}:${a}`);
    if (a < 3) k.schedule(10, PING, (lp + 1) % 3, a + 1);
  });
  return { k, trace, PING };
}

describe('Kernel', () => {
  it('kernel.run(until) handles events before until, leaves later events queued, and sets the clock to until', () => {
    const { k, trace, PING } = traceKernel();
    k.asLP(0, () => k.schedule(5, PING, 0, 0));
    const handled = k.run(26);
    expect(trace).toEqual(['5:0:0', '15:1:1', '25:2:2']);
    expect(handled).toBe(3);
    expect(k.now).toBe(26);
    expect(k.pending).toBe(1);
    expect(k.nextTime()).toBe(35);
    k.run();
    expect(trace.at(-1)).toBe('35:0:3');
    expect(k.events).toBe(4);
    expect(k.typeCounts[PING]).toBe(4);
  });

  it('kernel.step() handles exactly one event', () => {
    const { k, trace, PING } = traceKernel();
    k.asLP(1, () => k.schedule(1, PING, 1, 2));
    expect(k.step()).toBe(true);
    expect(trace).toEqual(['1:1:2']);
    expect(k.step()).toBe(true);
    expect(k.step()).toBe(false);
    expect(trace).toEqual(['1:1:2', '11:2:3']);
  });

  it('kernel orders simultaneous events by origin LP, then by origin sequence', () => {
    const k = new Kernel({ lpCount: 4, seed: 1 });
    const seen: string[] = [];
    const E = k.defineEvent('e', (lp, a, b) => {
      seen.push(`${lp}<-${b}#${a}`);
    });
    // schedule from LPs in a scrambled order; all land at t=7 on LP 0
    for (const origin of [3, 1, 2, 0]) {
      k.asLP(origin, () => {
        k.schedule(7, E, 0, 0, origin);
        k.schedule(7, E, 0, 1, origin);
      });
    }
    k.run();
    expect(seen).toEqual(['0<-0#0', '0<-0#1', '0<-1#0', '0<-1#1', '0<-2#0', '0<-2#1', '0<-3#0', '0<-3#1']);
  });

  it('kernel.stop() ends a sequential run after the current event and records the reason', () => {
    const { k, trace, PING } = traceKernel();
    const STOP = k.defineEvent('stop', () => k.stop('enough'));
    k.asLP(0, () => {
      k.schedule(5, PING, 0, 0);
      k.schedule(12, STOP, 0);
    });
    k.run(1000);
    expect(trace).toEqual(['5:0:0']);
    expect(k.now).toBe(12);
    expect(k.stoppedBecause).toBe('enough');
    k.resume();
    k.run(1000);
    expect(trace.length).toBe(4);
  });

  it('kernel.schedule rejects an event to another LP sooner than the lookahead, naming both LPs and the delay', () => {
    const k = new Kernel({ lpCount: 2, seed: 1, lookahead: 5 });
    const E = k.defineEvent('msg', () => undefined);
    k.asLP(0, () => k.schedule(0, E, 0)); // self-events may be immediate
    let err: unknown;
    try {
      k.asLP(0, () => k.schedule(2, E, 1));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SimError);
    expect((err as SimError).code).toBe('SIM_ERR_LOOKAHEAD_VIOLATION');
    expect((err as SimError).message).toMatch(/from LP 0 to LP 1 .* delay 2, less than the lookahead 5/);
  });

  it('kernel.schedule rejects negative and non-finite delays and unknown LPs', () => {
    const k = new Kernel({ lpCount: 2, seed: 1 });
    const E = k.defineEvent('msg', () => undefined);
    expect(() => k.asLP(0, () => k.schedule(-1, E, 0))).toThrow(/SIM_ERR_BAD_DELAY.*delay -1/);
    expect(() => k.asLP(0, () => k.schedule(NaN, E, 1))).toThrow(/SIM_ERR_BAD_DELAY/);
    expect(() => k.asLP(0, () => k.schedule(Infinity, E, 0))).toThrow(/SIM_ERR_BAD_DELAY/);
    expect(() => k.asLP(0, () => k.schedule(1, E, 5))).toThrow(/SIM_ERR_LP_RANGE.*LP 5/);
    expect(() => k.asLP(0, () => k.schedule(1, E, -1))).toThrow(/SIM_ERR_LP_RANGE.*LP -1/);
    // with a partition map, an LP outside it is refused the same way
    const p = new Kernel({ lpCount: 2, seed: 1, partitionOf: Int32Array.of(0, 0), partition: 0 });
    const P = p.defineEvent('msg', () => undefined);
    expect(() => p.asLP(0, () => p.schedule(1, P, 2))).toThrow(/SIM_ERR_LP_RANGE.*LP 2/);
  });

  it('kernel events to other LPs keep their type, target and payload (zero and non-zero payloads)', () => {
    const k = new Kernel({ lpCount: 4, seed: 1, lookahead: 1 });
    const got: string[] = [];
    const A = k.defineEvent('a', (lp, a, b) => got.push(`a@${k.now}:${lp}:${a}:${b}`));
    const B = k.defineEvent('b', (lp, a, b) => got.push(`b@${k.now}:${lp}:${a}:${b}`));
    k.asLP(0, () => {
      k.schedule(3, B, 3, 0, -0.25);
      k.schedule(1, A, 2);
      k.schedule(2, A, 1, 7.5, 0);
      k.schedule(2, B, 0, 1e300, 2 ** 40);
    });
    k.run();
    expect(got).toEqual(['a@1:2:0:0', 'a@2:1:7.5:0', 'b@2:0:1e+300:1099511627776', 'b@3:3:0:-0.25']);
  });

  it('kernel.schedule refuses event types without a handler, before they reach the heap (also those past 10 bits)', () => {
    const k = new Kernel({ lpCount: 2, seed: 1 });
    const got: string[] = [];
    const E = k.defineEvent('e', (lp, a, b) => got.push(`${lp}:${a}:${b}`));
    k.asLP(0, () => k.schedule(1, E, 0, 7, 8));
    k.run(); // the slot now held a payload
    for (const bad of [1, 1024, 2048, -1, 1.5]) {
      expect(() => k.asLP(0, () => k.schedule(1, bad, 0))).toThrow(/SIM_ERR_UNKNOWN_EVENT_TYPE|no handler/);
    }
    expect(() => k.insert(5, 0, 2048, 0, 0, 0)).toThrow(/SIM_ERR_UNKNOWN_EVENT_TYPE|no handler/);
    k.run();
    expect(got).toEqual(['0:7:8']);
    expect(k.pending).toBe(0);
  });

  it('kernel.schedule outside a handler (no origin LP) is refused with a hint', () => {
    const k = new Kernel({ lpCount: 2, seed: 1 });
    const E = k.defineEvent('boot', () => undefined);
    expect(() => k.schedule(1, E, 0)).toThrow(/'boot' was scheduled outside a handler.*asLP/);
    expect(() => k.schedule(1, E, -1)).toThrow(/outside a handler/);
    expect(k.pending).toBe(0);
  });

  it('kernel payloads arrive exactly as sent, -0 included', () => {
    const k = new Kernel({ lpCount: 2, seed: 1, lookahead: 1 });
    const got: number[][] = [];
    const E = k.defineEvent('e', (_lp, a, b) => got.push([a, b]));
    k.asLP(0, () => {
      k.schedule(1, E, 0, -0, 0);
      k.schedule(2, E, 0, 0, -0);
      k.schedule(3, E, 1, -0, -0);
    });
    k.run();
    expect(got.map(([a, b]) => [Object.is(a, -0), Object.is(b, -0)])).toEqual([
      [true, false],
      [false, true],
      [true, true],
    ]);
  });

  it('kernel third payload slot: c arrives as sent, alone or beside a and b, on the same and other LPs, and a slot reused after it reads 0', () => {
    const k = new Kernel({ lpCount: 2, seed: 1, lookahead: 1 });
    const got: number[][] = [];
    const E = k.defineEvent('e', (_lp, a, b, c) => got.push([a, b, c]));
    k.asLP(0, () => {
      k.schedule(1, E, 0, 0, 0, 2 ** 52 + 1);
      k.schedule(2, E, 1, 3, 4, -0.5);
      k.schedule(3, E, 0, 5, 6);
    });
    k.run();
    expect(got).toEqual([
      [0, 0, 2 ** 52 + 1],
      [3, 4, -0.5],
      [5, 6, 0],
    ]);
    expect(Object.is(got[0][0], 0)).toBe(true);
  });

  it('kernel.defineEvent refuses more event types than the heap entry can name', () => {
    const k = new Kernel({ lpCount: 1, seed: 1 });
    for (let i = 0; i < 1024; i++) k.defineEvent(`e${i}`, () => undefined);
    expect(() => k.defineEvent('one-too-many', () => undefined)).toThrow(/one-too-many.*at most 1024/);
  });

  it('kernel.dispose gives the queue\'s arena region back; the kernel then refuses to run or schedule', () => {
    const before = arenaFree();
    const k = new Kernel({ lpCount: 2, seed: 1, capacity: 100_000 });
    expect(arenaFree()).toBeLessThan(before);
    const E = k.defineEvent('tick', (lp) => k.schedule(1, E, lp));
    k.asLP(0, () => k.schedule(0, E, 0));
    k.run(10);
    const events = k.events;
    k.dispose();
    k.dispose(); // idempotent
    expect(arenaFree()).toBe(before);
    expect(k.events).toBe(events);
    expect(k.nextTime()).toBe(Infinity);
    expect(() => k.run(20)).toThrow(/disposed/);
    expect(() => k.asLP(0, () => k.schedule(1, E, 0))).toThrow(/disposed|run has ended/);
  });

  it('new Kernel validates its options', () => {
    expect(() => new Kernel({ lpCount: 0, seed: 1 })).toThrow(/lpCount/);
    expect(() => new Kernel({ lpCount: 3_000_000, seed: 1 })).toThrow(/SIM_ERR_TOO_MANY_LPS/);
    expect(() => new Kernel({ lpCount: 1, seed: 1, lookahead: -1 })).toThrow(/lookahead/);
  });
});
