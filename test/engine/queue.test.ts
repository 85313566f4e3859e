import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ARENA_ENTRIES, EventQueue, arenaFree } from '../../sim/engine/queue.js';

function drain(q: EventQueue): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (;;) {
    const t = q.peekTime();
    if (t === Infinity) break;
    const key = q.peekKey();
    expect(q.pop()).toBe(true);
    expect([q.time, q.key]).toEqual([t, key]);
    out.push([t, key, q.target]);
  }
  return out;
}

describe('EventQueue', () => {
  it('EventQueue pops in (time, key) order, ties on time broken by key, whatever the insertion order', () => {
    const q = new EventQueue(16);
    const items: Array<[number, number]> = [];
    let x = 7;
    for (let i = 0; i < 5000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const time = x % 50; // many equal times
      items.push([time, EventQueue.key(x % 13, i)]);
    }
    items.forEach(([t, k], i) => q.push(t, k, 0, i, 0, 0));
    expect(q.size).toBe(5000);
    const popped = drain(q);
    const expected = items
      .map(([t, k], i) => [t, k, i] as [number, number, number])
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(popped).toEqual(expected);
  });

  it('EventQueue keeps the (time, key) order in a heap deeper than its branch-free top (100,000 events, many ties)', () => {
    const q = new EventQueue(1024);
    let x = 12345;
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
    const n = 100_000;
    for (let i = 0; i < n; i++) q.push(next() % 997, EventQueue.key(next() % 5000, i), 0, i % 1000, 0, 0);
    // hold pattern: every pop is followed by a push into the hole, at a later time (so the popped
    // sequence must be increasing in (time, key)); times stay on a grid, so ties stay frequent
    let lastT = -1;
    let lastK = -1;
    let outOfOrder = 0;
    let ties = 0;
    for (let i = 0; i < 3 * n; i++) {
      if (!q.pop()) break;
      if (q.time === lastT) {
        ties++;
        if (!(q.key > lastK)) outOfOrder++;
      } else if (!(q.time > lastT)) outOfOrder++;
      lastT = q.time;
      lastK = q.key;
      q.push(q.time + 1 + (next() % 3), EventQueue.key(next() % 5000, n + i), 0, 0, 0, 0);
    }
    expect(outOfOrder).toBe(0);
    expect(ties).toBeGreaterThan(n);
    expect(q.size).toBe(n);
  });

  it('EventQueue.push after pop fills the hole and keeps the heap valid (interleaved hold pattern)', () => {
    const q = new EventQueue(4);
    const reference: Array<[number, number]> = [];
    let seq = 0;
    let x = 99;
    const rnd = () => ((x = (x * 69069 + 1) >>> 0) / 4294967296);
    for (let i = 0; i < 200; i++) {
      const t = rnd() * 10;
      q.push(t, seq, 0, 0, 0, 0);
      reference.push([t, seq++]);
    }
    const seen: number[] = [];
    for (let i = 0; i < 3000; i++) {
      reference.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      const [t, k] = reference.shift()!;
      expect(q.peekTime()).toBe(t);
      expect(q.peekKey()).toBe(k);
      q.pop();
      seen.push(t);
      // schedule 0, 1 or 2 new events, sometimes at the same time
      const n = i % 3;
      for (let j = 0; j < n; j++) {
        const nt = j === 0 ? t : t + rnd() * 5;
        q.push(nt, seq, 0, 0, 0, 0);
        reference.push([nt, seq++]);
      }
      if (reference.length === 0) break;
    }
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    expect(q.size).toBe(reference.length);
  });

  it('EventQueue grows past its initial capacity and keeps payloads attached to their events', () => {
    const q = new EventQueue(16);
    for (let i = 0; i < 1000; i++) q.push(1000 - i, i, i % 7, i, i * 0.5, -i);
    expect(q.pop()).toBe(true);
    expect(q.target).toBe(999);
    expect(q.type).toBe(999 % 7);
    expect(q.a).toBe(499.5);
    expect(q.b).toBe(-999);
    expect(q.size).toBe(999);
    // events without payload pop with zeros, whatever the slot held before
    for (let i = 0; i < 998; i++) q.pop();
    q.push(0.5, 5000, 3, 42, 0, 0);
    q.pop();
    expect([q.time, q.type, q.target, q.a, q.b]).toEqual([0.5, 3, 42, 0, 0]);
  });

  it('EventQueue: queues sharing the thread\'s arena keep their events apart while they grow, and give their regions back', () => {
    const before = arenaFree();
    const qs = [new EventQueue(16), new EventQueue(16), new EventQueue(16)];
    // interleaved pushes make every queue grow several times past the others' regions
    for (let i = 0; i < 3000; i++) {
      for (let k = 0; k < qs.length; k++) qs[k].push(((i * 7919 + k * 31) % 1000) + k / 10, i, k, i, 0, 0);
    }
    expect(arenaFree()).toBeLessThan(before);
    for (let k = 0; k < qs.length; k++) {
      let last = -Infinity;
      let count = 0;
      while (qs[k].pop()) {
        expect(qs[k].type).toBe(k);
        expect(qs[k].time).toBeGreaterThanOrEqual(last);
        last = qs[k].time;
        count++;
      }
      expect(count).toBe(3000);
    }
    for (const q of qs) q.dispose();
    expect(arenaFree()).toBe(before);
  });

  it('IMPP_SIM_EVENT_ARENA sizes the arena; a bad value is a clear CLI error, a too-small arena a clear run error', () => {
    const cli = fileURLToPath(new URL('../../dist/sim/cli.js', import.meta.url));
    const run = (arena: string, ...args: string[]) =>
      spawnSync(process.execPath, [cli, 'run', 'teach-basic', '--quiet', ...args], { encoding: 'utf8', env: { ...process.env, IMPP_SIM_EVENT_ARENA: arena } });
    const bad = run('lots');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/IMPP_SIM_EVENT_ARENA must be an integer .* got 'lots'/);
    expect(bad.stderr).not.toMatch(/^\s+at /m); // a message, not a stack trace
    expect(run('100000').status).toBe(0);
    const small = run('4096', '--set', 'domains[0].users=3000');
    expect(small.status).not.toBe(0);
    expect(small.stderr).toMatch(/SIM_ERR_ARENA_FULL.*4,096-entry arena/);
  });

  it('the default arena holds as many pending events as the memory limit allows (48 bytes each: three payload slots), never fewer than 64 Mi', () => {
    const queue = new URL('../../dist/sim/engine/queue.js', import.meta.url).href;
    const entries = (limit: string) => {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(queue)}).then((m) => console.log(m.ARENA_ENTRIES))`], {
        encoding: 'utf8',
        env: { ...process.env, IMPP_SIM_EVENT_ARENA: '', IMPP_SIM_MEMORY_LIMIT: limit },
      });
      expect(r.status, r.stderr).toBe(0);
      return Number(r.stdout.trim());
    };
    const big = entries('8GiB');
    expect(big).toBeGreaterThanOrEqual((8 * 1024 ** 3) / 48);
    expect(big).toBeLessThan((8 * 1024 ** 3) / 48 + 64);
    expect(entries('100MB')).toBe(1 << 26);
  });

  it('EventQueue: one queue can grow into the whole arena, not only half of it (doubling takes what is left)', () => {
    const queue = new URL('../../dist/sim/engine/queue.js', import.meta.url).href;
    // 60,000 events in a 65,536-entry arena: doubling from 32,768 would need 65,538
    const script = `import(${JSON.stringify(queue)}).then(({ EventQueue }) => {
      const q = new EventQueue(1024);
      for (let i = 0; i < 60000; i++) q.push((i * 7919) % 60000, i, 1, 2, 0, 0);
      let last = -1, n = 0;
      while (q.pop()) { if (q.time < last) throw new Error('out of order'); last = q.time; n++; }
      console.log(n);
    })`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, IMPP_SIM_EVENT_ARENA: '65536' } });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('60000');
  });

  it('EventQueue: a queue larger than the arena fails with SIM_ERR_ARENA_FULL and leaves the arena intact', () => {
    const before = arenaFree();
    expect(() => new EventQueue(ARENA_ENTRIES)).toThrow(/SIM_ERR_ARENA_FULL|more workers/);
    expect(arenaFree()).toBe(before);
  });
});
