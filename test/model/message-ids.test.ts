import { describe, expect, it } from 'vitest';
import { MessageIdSet } from '../../sim/model/message-ids.js';

describe('message id set (RFC 2779 5.4.2 duplicate suppression)', () => {
  it('holds every id it was given while small, through growth, and refuses a second add', () => {
    const s = new MessageIdSet();
    const ids: [number, number][] = [];
    for (let i = 0; i < 20_000; i++) ids.push([(i * 7919) % 100_003 * 67108864 + (i % 97), i * 0.37]);
    for (const [a, b] of ids) expect(s.add(a, b, 0)).toBe(true);
    expect(s.size).toBe(ids.length);
    for (const [a, b] of ids) {
      expect(s.has(a, b)).toBe(true);
      expect(s.add(a, b, 1)).toBe(false);
    }
    // same a, other send time (and the reverse) are other messages
    expect(s.has(ids[0][0], ids[0][1] + 1e-9)).toBe(false);
    expect(s.has(ids[3][1], ids[3][0])).toBe(false);
  });

  it('forgets ids older than the horizon only once it holds more than it keeps', () => {
    const s = new MessageIdSet(100, 1000);
    for (let i = 0; i < 100; i++) s.add(i, 0, 0);
    expect(s.has(5, 0)).toBe(true);
    for (let i = 0; i < 2000; i++) s.add(1000 + i, 0, 5000);
    expect(s.has(5, 0)).toBe(false);
    expect(s.has(1500, 0)).toBe(true);
  });

  it('keeps a value per id (the fate of a message at its sender) through growth; an update refreshes its age', () => {
    const s = new MessageIdSet(100, 1000);
    expect(s.get(1, 2)).toBe(-1);
    s.put(1, 2, 7, 0);
    s.put(3, 4, 65_535, 0);
    s.add(5, 6, 0);
    expect([s.get(1, 2), s.get(3, 4), s.get(5, 6), s.get(2, 1)]).toEqual([7, 65_535, 0, -1]);
    s.put(1, 2, 9, 4500);
    expect(s.size).toBe(3);
    for (let i = 0; i < 2000; i++) s.put(1000 + i, 0.5, i % 11, 5000);
    // (1, 2) was updated within the horizon and stays, with its new value; (3, 4) is forgotten
    expect([s.get(1, 2), s.get(3, 4), s.get(1999, 0.5)]).toEqual([9, -1, 999 % 11]);
  });
});
