/** The dashboard's pure data shaping (web/public/js/shape.js), tested without a browser. */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the page, without type declarations
import { binsFromBuckets, cdfFromBins, cdfPoints, domainLaneOf, domainLanes, laneOf, lineOfPath, pairRates, percentiles, quantile, sampleParticles } from '../../../web/public/js/shape.js';

describe('dashboard shaping', () => {
  it('binsFromBuckets(edges, counts) reads n+1 counts as buckets below each edge plus the rest', () => {
    const bins = binsFromBuckets([1, 2, 4], [1, 2, 3, 4]);
    expect(bins).toEqual([
      { x0: 0, x1: 1, count: 1 },
      { x0: 1, x1: 2, count: 2 },
      { x0: 2, x1: 4, count: 3 },
      { x0: 4, x1: Infinity, count: 4 },
    ]);
  });

  it('quantile(bins, q) interpolates inside the bin that holds the quantile', () => {
    const bins = binsFromBuckets([10, 20], [0, 10, 0]);
    expect(quantile(bins, 0.5)).toBeCloseTo(15);
    expect(percentiles(bins).count).toBe(10);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('cdfFromBins(bins) rises from 0 to 1 at the bins upper edges', () => {
    const cdf = cdfFromBins(binsFromBuckets([1, 2, 4], [0, 1, 3, 0]));
    expect(cdf).toEqual([
      [1, 0],
      [2, 0.25],
      [4, 1],
    ]);
  });

  it('pairRates(prev, cur) gives messages per simulated second on each ordered pair', () => {
    const prev = { clock: 1000, pairs: [{ from: 'a', to: 'b', messages: 10, bytes: 0 }] };
    const cur = { clock: 3000, pairs: [{ from: 'a', to: 'b', messages: 50, bytes: 0 }] };
    expect(pairRates(prev, cur).get('a\u0000b')).toMatchObject({ delta: 40, perSec: 20, notify: null, message: null });
    // with the split of the live view: notifications and IMs of the interval
    const p2 = { clock: 1000, pairs: [{ from: 'a', to: 'b', messages: 10, bytes: 0, notify: 4, message: 1 }] };
    const c2 = { clock: 3000, pairs: [{ from: 'a', to: 'b', messages: 50, bytes: 0, notify: 30, message: 6 }] };
    expect(pairRates(p2, c2).get('a\u0000b')).toMatchObject({ delta: 40, notify: 26, message: 5 });
  });

  it('sampleParticles(n, cap) never starts more than cap particles', () => {
    expect(sampleParticles(10, 50)).toEqual({ count: 10, per: 1 });
    expect(sampleParticles(1000, 50)).toEqual({ count: 50, per: 20 });
    expect(sampleParticles(0, 50).count).toBe(0);
  });

  it('laneOf(record) maps operations to RFC 2778 lanes and routes other domains through the gateway', () => {
    const r = { t: 0, fromDomain: 'a', toDomain: 'a', from: 'u1@a', to: 'u2@a', bytes: 1, detail: '' };
    expect(laneOf({ ...r, op: 'subscribe' })).toMatchObject({ from: 'watcher', to: 'service', via: [] });
    expect(laneOf({ ...r, op: 'notify' })).toMatchObject({ from: 'service', to: 'watcher', label: 'notify u1 → u2' });
    expect(laneOf({ ...r, op: 'message', toDomain: 'b' })).toMatchObject({ from: 'sender', to: 'inbox', via: ['service', 'gateway'], kind: 'im' });
    expect(laneOf({ ...r, op: 'messageReport' })).toMatchObject({ from: 'service', to: 'sender' });
    expect(laneOf({ ...r, op: 'publish', to: 'a' })).toMatchObject({ from: 'pua', to: 'service', kind: 'presence' });
  });

  it('lineOfPath(yaml, path) finds a field through keys and list items', () => {
    const yaml = ['name: x', 'domains:', '  - name: a', '    users: 3', '  - name: b', '    users: 4', '    servers: { count: 1, cores: 2 }', 'trace:', '  limit: 5'].join('\n');
    expect(lineOfPath(yaml, 'domains[1].users')).toBe(6);
    expect(lineOfPath(yaml, 'domains[0].name')).toBe(3);
    expect(lineOfPath(yaml, 'domains[1].servers.cores')).toBe(7);
    expect(lineOfPath(yaml, 'trace.limit')).toBe(9);
    expect(lineOfPath(yaml, 'missing')).toBe(0);
  });

  it('cdfPoints(points) sorts by latency, keeps one point per latency (the highest fraction) and drops non-positive ones', () => {
    expect(
      cdfPoints([
        [0, 0],
        [2, 0.5],
        [1, 0.1],
        [2, 0.6],
        [5, 1],
      ]),
    ).toEqual([
      [1, 0.1],
      [2, 0.6],
      [5, 1],
    ]);
  });

  it('domainLanes(domains) gives users, service and gateway per domain, the first two gateways facing', () => {
    expect(domainLanes(['a.example', 'b.example']).map((l: { id: string }) => l.id)).toEqual([
      'a.example|users',
      'a.example|service',
      'a.example|gateway',
      'b.example|gateway',
      'b.example|service',
      'b.example|users',
    ]);
  });

  it('domainLaneOf(record) puts each end in its domain, passes both gateways, and qualifies the names', () => {
    const sub = domainLaneOf({ op: 'subscribe', from: 'u2@b.example', to: 'u1@a.example', fromDomain: 'b.example', toDomain: 'a.example', detail: '' });
    expect(sub).toMatchObject({ from: 'b.example|users', to: 'a.example|service', via: ['b.example|gateway', 'a.example|gateway'], label: 'subscribe u2@b → u1@a', kind: 'presence' });
    const im = domainLaneOf({ op: 'message', from: 'u0', to: 'u1', fromDomain: 'a.example', toDomain: 'b.example', detail: '' });
    expect(im.via).toEqual(['a.example|service', 'a.example|gateway', 'b.example|gateway', 'b.example|service']);
    expect(domainLaneOf({ op: 'publish', from: 'u0', to: 'a.example', fromDomain: 'a.example', toDomain: 'a.example', detail: '' }).label).toBe('publish u0@a → a.example');
  });
});

describe('the population build line', () => {
  // @ts-expect-error: a plain ES module of the page, without type declarations
  const load = () => import('../../../web/public/js/build-eta.js');
  const run = (build: unknown) => ({ createdAt: '2026-01-01T00:00:00.000Z', build });
  const t = (s: number) => Date.parse('2026-01-01T00:00:00.000Z') + s * 1000;
  const b = { users: 1_000_000, edges: 25_000_000, work: 26_000_000, rate: 1e6, basis: "timed by this server's last build (office: ...)", expectedMs: 26_000 };
  it('says what it builds, the time so far and the time left at the server measured rate', async () => {
    const { buildText } = await load();
    expect(buildText(run(b), t(6))).toBe("preparing: building the population of 1.00M users and 25.00M expected subscription edges: 6 s so far, about 20 s left (timed by this server's last build (office: ...)); the simulated clock starts when it is built");
    expect(buildText(run(b), t(30))).toContain('4 s longer than expected');
  });
  it('without a timed build it says the time left is unknown, and why', async () => {
    const { buildText } = await load();
    expect(buildText(run({ ...b, rate: null, expectedMs: null, basis: 'no build on this server has taken long enough to time one' }), t(3))).toContain(
      '3 s so far, time left unknown: no build on this server has taken long enough to time one',
    );
  });
});
