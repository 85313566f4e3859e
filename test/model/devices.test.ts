/**
 * Several devices (presence user agents) per principal (RFC 2778 2.1; RFC 2779 3.2.4, 3.2.5):
 * device j owns the tuples i with i % devices = j and holds a publication lease of its own. When
 * one device crashes, only its tuples close at the end of its lease and the watchers are told;
 * the presentity reads closed once the other device's lease has run out too. With several devices each
 * device has a session of its own (sessions.ts): the principal is online while any device is.
 */
import { describe, expect, it } from 'vitest';
import { runScenario, type Report } from '../../sim/run.js';
import { parseScenario } from '../../sim/scenario/index.js';
import { InteractiveRun } from '../../sim/interactive.js';
import { recs, tiny, runComplete, runTiny, runUntil, tinyYaml, type Rec, type TinyOptions } from './tiny.js';

const LEASE = 3 * 60_000;
const twoDevices: TinyOptions = {
  users: 3,
  duration: '30min',
  population: { buddies: 2, online: 1, tuples: 4, devices: 2 },
  behaviour: {
    presenceChangeRate: '40/h',
    sessionLength: '6min',
    offlineLength: '366d',
    crashFraction: 1,
    publicationLease: '3min',
    refreshBefore: '30s',
    subscriptionDuration: '2min',
    maxSubscriptionDuration: '2min',
  },
};

const strip = (r: Report) => JSON.stringify({ ...r, engine: { ...r.engine, wallMs: 0, eventsPerSec: 0, workers: 0, windows: 0 } });
const open = (n: Rec, i: number) => n.state!.tuples.find((t) => t.index === i)!.basic === 1;
/** device j's tuples closed by the service (at expiry), every other tuple open */
const onlyDeviceClosed = (n: Rec, j: number) => n.state!.tuples.length === 4 && n.state!.tuples.every((t) => (t.index % 2 === j ? t.basic === 0 && t.atMs > 0 : t.basic === 1));
const allClosed = (n: Rec) => n.state!.tuples.length === 4 && n.state!.tuples.every((t) => t.basic === 0 && t.atMs > 0);

/** The first notification where one device's tuples alone are closed, to a watcher that was still online then (it refreshed later). */
function firstPartialClose(r: Awaited<ReturnType<typeof runTiny>>): { n: Rec; j: number } | null {
  for (const n of recs(r, 'notify')) {
    for (const j of [0, 1]) {
      if (!onlyDeviceClosed(n, j)) continue;
      if (recs(r, 'refresh').some((x) => x.from === n.to && x.t > n.t)) return { n, j };
    }
  }
  return null;
}

describe('devices per principal', () => {
  it('RFC 2779 3.2.5: one device crashes: at the end of its own lease only its tuples close, an online watcher is notified and the presentity stays open; when the other lease ends it is closed', async () => {
    const r = await runUntil(twoDevices, (x) => firstPartialClose(x) !== null, 'a device closed by its lease while the other is open, seen by an online watcher');
    // every log-out crashes both devices: each crash counted
    expect(r.sessions.crashes).toBe(2 * r.sessions.logouts);
    expect(recs(r, 'publish').filter((p) => p.detail.endsWith('closed'))).toHaveLength(0);
    // every principal's last device crashed: nobody cancelled its subscriptions
    expect(recs(r, 'unsubscribe')).toHaveLength(0);
    const { n, j } = firstPartialClose(r)!;
    const p = n.from;
    const closedAt = n.state!.tuples.find((t) => t.index === j)!.atMs;
    // the device's lease ran out one lease after its own last publish or refresh (the other device's do not count)
    const own = (x: Rec) => x.from === p && x.t <= closedAt && (x.op === 'publish' || x.op === 'publishRefresh') && x.detail.includes(`device ${j}`);
    const last = Math.max(...r.trace!.filter(own).map((x) => x.t));
    expect(closedAt - last).toBeCloseTo(LEASE, 3);
    // the other device published or refreshed later than that: its tuples are still open
    const other = 1 - j;
    expect(open(n, other) && open(n, other + 2)).toBe(true);
    // later the other device's lease runs out: the presentity reads closed, and its watchers are told
    const later = recs(r, 'notify').filter((x) => x.from === p && x.t > n.t && allClosed(x));
    expect(later.length).toBeGreaterThan(0);
    const closedLater = later[0].state!.tuples.find((t) => t.index === other)!.atMs;
    expect(closedLater).toBeGreaterThan(closedAt);
    const otherLast = Math.max(...r.trace!.filter((x) => x.from === p && x.t <= closedLater && (x.op === 'publish' || x.op === 'publishRefresh') && x.detail.includes(`device ${other}`)).map((x) => x.t));
    expect(closedLater - otherLast).toBeCloseTo(LEASE, 3);
    // one expiry per device and session
    expect(r.presence.leases.expired).toBeGreaterThanOrEqual(2);
  });

  it('each device publishes its own tuples at log-in; a change is published by the device that owns the tuple', async () => {
    const r = await runTiny({ ...twoDevices, behaviour: { ...twoDevices.behaviour, sessionLength: '366d' } });
    const logins = recs(r, 'publish').filter((x) => x.detail.includes(': its tuples'));
    // three principals, two devices each, one log-in each
    expect(logins).toHaveLength(6);
    for (const x of logins) {
      const j = Number(/device (\d)/.exec(x.detail)![1]);
      expect(x.state!.tuples.map((t) => t.index)).toEqual([j, j + 2]);
    }
    const changes = recs(r, 'publish').filter((x) => x.detail.startsWith('tuple '));
    expect(changes.length).toBeGreaterThan(5);
    for (const x of changes) {
      const i = Number(/^tuple (\d)/.exec(x.detail)![1]);
      expect(x.detail).toContain(`(device ${i % 2})`);
      expect(x.state!.tuples.map((t) => t.index)).toEqual([i]);
    }
    // each device refreshes its own lease: none runs out while the principal is online
    expect(r.presence.leases.expired).toBe(0);
    expect(recs(r, 'publishRefresh', 'lease refreshed (device 0)').length).toBe(recs(r, 'publishRefresh', 'lease refreshed (device 1)').length);
  });

  it('the inspector shows each device online or not: one device logged out, the other online, the principal online with only the first device\'s tuples closed', () => {
    const run = new InteractiveRun(tiny({ ...twoDevices, behaviour: { ...twoDevices.behaviour, crashFraction: 0, sessionLength: '8min' } }));
    const users = ['u0@example.com', 'u1@example.com', 'u2@example.com'];
    let seen = 0;
    for (let t = 30_000; t <= 30 * 60_000; t += 30_000) {
      run.runUntil(t);
      for (const u of users) {
        const s = run.inspect(u)!;
        const agents = s.presence!.agents;
        expect(agents.map((a) => a.tuples)).toEqual([['t1', 't3'], ['t2', 't4']]);
        // the principal is online while any of its devices is
        expect(s.online).toBe(agents.some((a) => a.online));
        expect(s.inbox!.open).toBe(s.online);
        if (agents[0].online === agents[1].online) continue;
        seen++;
        // a device that logged out closed its tuples (and only its own); the online one's are open
        for (const x of s.presence!.devices) expect(x.basic, `${u} ${x.tuple}`).toBe(agents[x.device].online ? 'open' : 'closed');
      }
    }
    expect(seen).toBeGreaterThan(0);
  });

  it('population.devices: more devices than tuples is refused, naming the field', () => {
    const bad = tinyYaml({ population: { tuples: 2, devices: 3 } });
    expect(() => parseScenario(bad, 'bad.yaml')).toThrow(/population\.devices.*at most population\.tuples \(2\).*got 3/s);
    expect(() => parseScenario(tinyYaml({ population: { tuples: 2, devices: 9 } }), 'bad.yaml')).toThrow(/population\.devices/);
  });

  it('each device has its own session: a device logs out while the other stays online; the principal stays online (its watcher keeps its subscriptions and is notified) and only that device\'s tuples close; the principal goes offline with its last device', async () => {
    const o: TinyOptions = { ...twoDevices, behaviour: { ...twoDevices.behaviour, crashFraction: 0, sessionLength: '8min', subscriptionDuration: '1h', maxSubscriptionDuration: '1h' } };
    // a principal whose two devices both logged out during the run, far enough apart
    const closes = (r: Report, p: string) => recs(r, 'publish').filter((x) => x.from === p && x.detail.endsWith(': its tuples closed'));
    const apart = (r: Report) => [...new Set(recs(r, 'publish').map((x) => x.from))].find((p) => {
      const c = closes(r, p);
      return c.length === 2 && c[1].t - c[0].t > 60_000 && recs(r, 'notify').some((n) => n.to === p && n.t > c[0].t && n.t < c[1].t);
    });
    const r = await runUntil(o, (x) => apart(x) !== undefined, 'a principal whose devices log out a minute apart, notified in between');
    const p = apart(r)!;
    const [first, last] = closes(r, p);
    const j = Number(/device (\d)/.exec(first.detail)![1]);
    // the first device closes its own tuples only
    expect(first.state!.tuples.map((x) => [x.index, x.basic])).toEqual([[j, 0], [j + 2, 0]]);
    // in between, p's watchers are told that only that device's tuples are closed
    const told = recs(r, 'notify').filter((n) => n.from === p && n.t > first.t && n.t < last.t && n.state!.tuples.length === 4);
    expect(told.length).toBeGreaterThan(0);
    for (const n of told) for (const x of n.state!.tuples) expect(x.basic, `tuple ${x.index}`).toBe(x.index % 2 === j ? 0 : 1);
    // the principal is still online: as a watcher it cancels nothing until its last device goes,
    // and it is still notified of its buddies' changes
    const unsub = recs(r, 'unsubscribe').filter((x) => x.from === p);
    expect(unsub.length).toBeGreaterThan(0);
    for (const x of unsub) expect(x.t).toBeGreaterThan(last.t - 1_000);
    expect(recs(r, 'notify').some((n) => n.to === p && n.t > first.t && n.t < last.t)).toBe(true);
    // sessions: principals' log-outs are those whose last device left; the devices' are counted apart
    const gone = [...new Set(recs(r, 'publish').map((x) => x.from))].filter((q) => closes(r, q).length === 2).length;
    expect(r.sessions.logouts).toBe(gone);
    expect(r.sessions.deviceLogouts).toBe(recs(r, 'publish').filter((x) => x.detail.endsWith(': its tuples closed')).length);
    expect(r.sessions.deviceLogins).toBe(6);
    expect(r.sessions.logins).toBe(3);
  });

  it('a crashed device\'s tuples expire at its own lease while the other device is online and publishing changes of its own tuples only', async () => {
    const o: TinyOptions = { ...twoDevices, duration: '40min', behaviour: { ...twoDevices.behaviour, sessionLength: '10min', presenceChangeRate: '60/h' } };
    // device j's tuples closed by its lease, and the other device published changes after that
    const found = (r: Report) => {
      for (const n of recs(r, 'notify')) for (const j of [0, 1]) {
        if (!onlyDeviceClosed(n, j)) continue;
        const at = n.state!.tuples.find((x) => x.index === j)!.atMs;
        if (recs(r, 'publish').some((x) => x.from === n.from && x.t > at && x.detail.startsWith('tuple '))) return { n, j, at };
      }
      return null;
    };
    const r = await runUntil(o, (x) => found(x) !== null, 'a device expired while the other published changes');
    const { n, j, at } = found(r)!;
    const p = n.from;
    const own = r.trace!.filter((x) => x.from === p && x.t <= at && (x.op === 'publish' || x.op === 'publishRefresh') && x.detail.includes(`device ${j}`));
    expect(at - Math.max(...own.map((x) => x.t))).toBeCloseTo(LEASE, 3);
    // after the expiry only the online device publishes, and only its own tuples
    const later = recs(r, 'publish').filter((x) => x.from === p && x.t > at && x.detail.startsWith('tuple '));
    expect(later.length).toBeGreaterThan(0);
    for (const x of later) expect(Number(/^tuple (\d)/.exec(x.detail)![1]) % 2, x.detail).toBe(1 - j);
    // and the crashed device refreshes nothing after its crash (nor does anything of its own)
    expect(r.trace!.some((x) => x.from === p && x.t > at && x.detail.includes(`device ${j}`))).toBe(false);
  });

  it('two domains with three devices per principal, each with its own session: the identical report for 1 and 2 workers', async () => {
    const sc = parseScenario(
      `
name: devices-2d
seed: 5
duration: 40min
domains:
  - { name: a.example, users: 60 }
  - { name: b.example, users: 40 }
links: { default: { dist: uniform, min: 10ms, max: 30ms } }
population: { federatedFraction: 0.4, buddies: { dist: fixed, value: 5 }, tuples: 3, devices: 3 }
behaviour: { presenceChangeRate: 20/h, imRate: 5/h, sessionLength: 10min, offlineLength: 5min, crashFraction: 0.3, publicationLease: 4min, refreshBefore: 1min, subscriptionDuration: 5min, maxSubscriptionDuration: 5min }
`,
      'devices-2d.yaml',
    );
    const r1 = await runScenario(sc, { workers: 1 });
    const r2 = await runScenario(sc, { workers: 2 });
    expect(strip(r2)).toBe(strip(r1));
    // devices crashed on their own and their leases ran out, across the domains
    expect(r1.sessions.crashes).toBeGreaterThan(0);
    expect(r1.presence.leases.expired).toBeGreaterThan(0);
    // devices log in and out on their own: more device sessions than principal sessions
    expect(r1.sessions.deviceLogins!).toBeGreaterThan(r1.sessions.logins);
    expect(r1.sessions.deviceLogouts!).toBeGreaterThan(r1.sessions.logouts);
    expect(r1.security.leaks).toBe(0);
  });

  it('invariants with devices of their own sessions over 2 or 3 domains speaking CPIM, SIP and XMPP: no leak, every IM accounted for, every subscription ended once, sessions counted consistently; 1 and 2 workers agree', async () => {
    const protocols = ['cpim', 'sip', 'xmpp'];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const devices = 2 + (seed % 3);
      const domains = 2 + (seed % 2);
      const sc = parseScenario(
        `
name: devices-invariants
seed: ${seed}
duration: 25min
domains:
${Array.from({ length: domains }, (_, i) => `  - { name: d${i}.example, users: ${12 + 5 * i}, protocol: ${protocols[(seed + i) % 3]} }`).join('\n')}
links: { default: { dist: uniform, min: 5ms, max: 25ms } }
population: { federatedFraction: 0.5, buddies: { dist: uniform, min: 1, max: 5 }, tuples: 4, devices: ${devices}, online: 0.6, watchers: { subscriber: 1 }, visibility: { full: 1 }, access: { allow: 0.6, deny: 0.1, politeBlock: 0.1, pending: 0.2 } }
behaviour: { presenceChangeRate: 60/h, imRate: 30/h, sessionLength: 6min, offlineLength: 4min, crashFraction: 0.4, publicationLease: 3min, refreshBefore: 30s, subscriptionDuration: 4min, maxSubscriptionDuration: 4min, offlineStorage: ${seed % 2 === 0} }
`,
        'devices-invariants.yaml',
      );
      const r = await runScenario(sc, { workers: 1 });
      const what = `seed ${seed}`;
      expect(r.security.leaks, what).toBe(0);
      const im = r.im;
      expect(im.sent + im.copies + im.inFlightAtStart, what).toBe(im.delivered + im.failed + im.indeterminate + im.duplicates + im.copiesRefused + im.inFlight);
      const sub = r.presence.subscriptions;
      expect(sub.created, what).toBe(sub.expired + sub.terminated + sub.lostInCrash + sub.activeAtEnd);
      const ss = r.sessions;
      // a principal comes online with its first device and goes offline with its last
      expect(ss.logins, what).toBeLessThanOrEqual(ss.deviceLogins!);
      expect(ss.logouts, what).toBeLessThanOrEqual(ss.deviceLogouts!);
      expect(ss.deviceLogouts!, what).toBeLessThanOrEqual(ss.deviceLogins!);
      expect(ss.logouts, what).toBeLessThanOrEqual(ss.logins);
      expect(ss.crashes, what).toBeLessThanOrEqual(ss.deviceLogouts!);
      expect(ss.deviceLogouts! - ss.logouts, what).toBeGreaterThan(0);
      // seed 1: SIP and XMPP, seed 2: XMPP and CPIM; the whole report
      if (seed <= 2) expect(strip(await runScenario(sc, { workers: 2 })), what).toBe(strip(r));
    }
  });

  it('RFC 2779 5.1.7: a watcher who sees only the first tuple is told of its device\'s changes only, not of the other device\'s', async () => {
    const r = await runComplete({ users: 3, population: { tuples: 2, devices: 2, visibility: '{ firstTupleOnly: 1 }' } });
    const notes = recs(r, 'notify');
    expect(notes.length).toBeGreaterThanOrEqual(6);
    // both devices publish at each log-in, at the same moment: a second notification of the same
    // first tuple on one edge would tell the watcher nothing new
    const seen = new Set<string>();
    for (const n of notes) {
      expect(n.state!.tuples.map((t) => t.index)).toEqual([0]);
      const key = `${n.from} ${n.to} ${n.state!.tuples[0].atMs}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
    }
  });
});

