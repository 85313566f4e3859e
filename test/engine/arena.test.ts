import { describe, expect, it } from 'vitest';
import { Arena } from '../../sim/engine/arena.js';
import { SimError } from '../../sim/errors.js';

describe('Arena', () => {
  it('Arena hands out aligned, disjoint regions and merges them back when released', () => {
    const a = new Arena(1024, 16, 'entries', 'use fewer');
    const owners = [{}, {}, {}];
    const r = owners.map((o, i) => a.alloc(10 + i * 20, o));
    expect(r.map((x) => x.base)).toEqual([0, 16, 48]);
    expect(r.map((x) => x.size)).toEqual([16, 32, 64]);
    expect(a.free()).toBe(1024 - 112);
    a.release(r[1]);
    a.release(r[1]); // idempotent
    expect(a.free()).toBe(1024 - 80);
    // first fit: the hole left by r[1] takes a region that fits
    const r3 = a.alloc(20, {});
    expect(r3.base).toBe(16);
    a.release(r[0]);
    a.release(r3);
    a.release(r[2]);
    expect(a.free()).toBe(1024);
    // after merging, the whole arena is one region again
    expect(a.alloc(1024, {}).base).toBe(0);
  });

  it('Arena.resize grows a lone region in place and moves a boxed-in one; the old base is returned for the copy', () => {
    const a = new Arena(1024, 16, 'entries', 'use fewer');
    const r = a.alloc(16, {});
    expect(a.resize(r, 64)).toBe(0);
    expect([r.base, r.size]).toEqual([0, 64]);
    const other = a.alloc(16, {});
    expect(other.base).toBe(64);
    const old = a.resize(r, 128);
    expect(old).toBe(0);
    expect(r.base).toBe(80);
    expect(a.free()).toBe(1024 - 128 - 16);
  });

  it('Arena: a request larger than any free region fails with SIM_ERR_ARENA_FULL, naming the sizes and the remedy, and changes nothing', () => {
    const a = new Arena(256, 16, 'widgets', 'buy more');
    const r = a.alloc(100, {});
    a.alloc(16, {});
    const free = a.free();
    let err: unknown;
    try {
      a.resize(r, 200);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SimError);
    expect((err as SimError).code).toBe('SIM_ERR_ARENA_FULL');
    expect((err as SimError).message).toMatch(/208 more widgets.*256-entry arena holds 128; buy more/);
    expect([r.base, r.size]).toEqual([0, 112]);
    expect(a.free()).toBe(free);
    expect(() => a.alloc(1000, {})).toThrow(/SIM_ERR_ARENA_FULL|more widgets/);
    expect(a.free()).toBe(free);
  });
});
