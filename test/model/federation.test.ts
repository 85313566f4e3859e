/**
 * Federation (issue 4): gateways, SRV resolution (RFC 2782), hop budgets and loops (RFC 3860
 * 3.4.2), spoofing, links with bandwidth and loss, faults and recovery, saving options.
 */
import { describe, expect, it } from 'vitest';
import { runScenario, type Report } from '../../sim/run.js';
import { loadScenario, parseScenario } from '../../sim/scenario/index.js';
import type { Scenario } from '../../sim/scenario/types.js';
import { FifoStation, chooseSrv } from '../../sim/model/federation.js';
import { RandomStreams } from '../../sim/engine/rng.js';

const stripWall = (r: Report) => JSON.stringify({ ...r, engine: { ...r.engine, wallMs: 0, eventsPerSec: 0, workers: 0, windows: 0 } });

function fourDomains(extra = ''): string {
  return `
name: fed-test
seed: 11
duration: 20min
domains:
  - { name: a.example, users: 120 }
  - { name: b.example, users: 80, gateway: { count: 2, cores: 1 } }
  - { name: c.example, users: 60 }
  - { name: d.example, users: 40 }
links:
  default: { dist: uniform, min: 20ms, max: 40ms }
  bandwidthMbps: 2
  loss: 0.01
population: { federatedFraction: 0.4, buddies: { dist: fixed, value: 6 } }
behaviour: { presenceChangeRate: 20/h, imRate: 20/h, subscriptionDuration: 5min, maxSubscriptionDuration: 5min, crashFraction: 0.1 }
${extra}`;
}

/** Conservation laws that must hold for any run, faults or not. */
function checkInvariants(r: Report): void {
  const s = r.presence.subscriptions;
  // every subscription created is active, expired, terminated or lost in a crash at the end
  expect(s.created).toBe(s.activeAtEnd + s.expired + s.terminated + s.lostInCrash);
  // every IM sent is delivered, failed with a report, or still in flight
  expect(r.im.inFlight).toBeGreaterThanOrEqual(0);
  expect(r.im.sent + r.im.copies + r.im.inFlightAtStart).toBe(r.im.delivered + r.im.failed + r.im.indeterminate + r.im.duplicates + r.im.copiesRefused + r.im.inFlight);
  expect(Object.values(r.im.failedBy).reduce((a, b) => a + b, 0)).toBe(r.im.failed);
  expect(r.security.leaks).toBe(0);
  expect(r.presence.notifications.delivered).toBeLessThanOrEqual(r.presence.notifications.sent);
  // each message on a link was counted once per boundary pair
  for (const l of r.links) {
    const p = r.pairs.find((x) => x.from === l.from && x.to === l.to)!;
    expect(p.total).toBe(l.messages);
    expect(p.bytes).toBe(l.bytes);
  }
}

describe('federation', () => {
  it('a run with faults, loss, bandwidth and SRV gives the identical report for 1, 2 and 4 workers', async () => {
    const sc = parseScenario(
      fourDomains(`
federation: { imRetries: 1, retryBackoff: 5s, spoofFraction: 0.03 }
faults:
  - { kind: gatewayDown, domain: b.example, at: 5min, duration: 1min }
  - { kind: linkDown, from: a.example, to: c.example, at: 6min, duration: 30s }
  - { kind: slowLink, from: a.example, to: d.example, at: 2min, duration: 5min, factor: 5 }
  - { kind: serverCrash, domain: c.example, at: 7min, duration: 20s }
`),
      'faults.yaml',
      ['duration=9min'],
    );
    const r1 = await runScenario(sc, { workers: 1 });
    const r2 = await runScenario(sc, { workers: 2 });
    const r4 = await runScenario(sc, { workers: 4 });
    expect(stripWall(r2)).toBe(stripWall(r1));
    expect(stripWall(r4)).toBe(stripWall(r1));
    checkInvariants(r1);
    // the faults happened and were recovered from
    expect(r1.federation.transfersFailed).toBeGreaterThan(0);
    expect(r1.federation.retransmissions).toBeGreaterThan(0);
    expect(r1.federation.resubscribes).toBeGreaterThan(0);
    expect(r1.federation.recovered).toBeGreaterThan(0);
    expect(r1.presence.subscriptions.lostInCrash).toBeGreaterThan(0);
    expect(r1.federation.rejectedServerDown).toBeGreaterThan(0);
    expect(r1.security.spoofed).toBeGreaterThan(0);
    expect(r1.im.failedBy.spoofed).toBeGreaterThan(0);
  });

  it('invariants hold over randomised runs with faults', async () => {
    for (let i = 0; i < 6; i++) {
      const rnd = (k: number) => ((i * 7919 + k * 104_729) % 1000) / 1000;
      const at = Math.floor(rnd(1) * 15) + 1;
      const sc = parseScenario(
        fourDomains(`
federation: { imRetries: ${i % 3}, maxRetransmits: ${i % 4}, notifyMinInterval: ${i % 2 ? '30s' : 0}, listSubscriptions: ${i % 3 === 1}, partialNotifications: ${i % 2 === 0} }
faults:
  - { kind: gatewayDown, domain: ${'abcd'[i % 4]}.example, at: ${at}min, duration: ${Math.floor(rnd(2) * 120) + 1}s }
  - { kind: linkDown, from: a.example, to: ${'bcd'[i % 3]}.example, at: ${Math.floor(rnd(3) * 18) + 1}min, duration: 45s }
  - { kind: serverCrash, domain: ${'dcba'[i % 4]}.example, at: ${Math.floor(rnd(4) * 18) + 1}min, duration: 10s }
`),
        'random.yaml',
        [`seed=${100 + i}`],
      );
      const r = await runScenario(sc, { workers: 1 });
      checkInvariants(r);
    }
  });

  it('RFC 3860 3.4.2: the loop scenario ends every looping request in a loop rejection, never circling forever', async () => {
    const r = await runScenario(loadScenario('loop', ['duration=5min']), { workers: 1 });
    checkInvariants(r);
    expect(r.federation.loops).toBeGreaterThan(0);
    expect(r.im.failedBy.loop).toBeGreaterThan(0);
    // no request from alpha or beta reaches gamma, whose SRV record points into the loop (only
    // responses to gamma's own requests go there, on the reverse path)
    for (const from of ['alpha.example', 'beta.example']) {
      const m = r.pairs.find((p) => p.from === from && p.to === 'gamma.example')!.messages;
      expect(m.subscribe + m.refresh + m.fetch + m.message).toBe(0);
    }
    // but gamma reaches the others (its own lookups are correct)
    expect(r.pairs.find((p) => p.from === 'gamma.example' && p.to === 'alpha.example')!.messages.subscribe).toBeGreaterThan(0);
    // a loop costs maxForwards relays at most: relays between alpha and beta are bounded
    const relays = r.pairs.find((p) => p.from === 'alpha.example' && p.to === 'beta.example')!.total;
    expect(relays).toBeLessThan(r.engine.events);
  });

  it('RFC 2779 2.2.1: a domain whose SRV records say "." (service not offered, RFC 2782) is unreachable: requests to it fail and are counted', async () => {
    const sc = parseScenario(fourDomains().replace('{ name: d.example, users: 40 }', '{ name: d.example, users: 40, srv: { records: [{ service: pres, target: "." }, { service: im, target: "." }] } }'));
    const r = await runScenario(sc, { workers: 1 });
    checkInvariants(r);
    expect(r.federation.unreachable).toBeGreaterThan(0);
    expect(r.im.failedBy.unreachable).toBeGreaterThan(0);
    for (const from of ['a.example', 'b.example', 'c.example']) {
      const p = r.pairs.find((x) => x.from === from && x.to === 'd.example')!;
      // only responses go to d (reverse path of d's own requests); no request can find it
      expect(p.messages.subscribe + p.messages.message + p.messages.notify).toBe(0);
    }
  });

  it('SRV records spread the traffic over gateway hosts by weight (RFC 2782)', () => {
    const rng = new RandomStreams(1, 5);
    const list = [
      { domain: 0, host: 0, priority: 10, weight: 3 },
      { domain: 0, host: 1, priority: 10, weight: 1 },
      { domain: 0, host: 2, priority: 20, weight: 100 },
    ];
    const n = [0, 0, 0];
    const skipped = { n: 0 };
    for (let i = 0; i < 40_000; i++) n[chooseSrv(list, rng, 0, () => true, skipped)]++;
    expect(n[2]).toBe(0); // a higher priority value is used only when the lower ones fail
    expect(n[0] / n[1]).toBeGreaterThan(2.7);
    expect(n[0] / n[1]).toBeLessThan(3.3);
    // fail-over: with hosts 0 and 1 down, priority 20 takes everything
    const m = [0, 0, 0];
    for (let i = 0; i < 1000; i++) m[chooseSrv(list, rng, 0, (_d, h) => h === 2, skipped)]++;
    expect(m).toEqual([0, 0, 1000]);
    expect(chooseSrv(list, rng, 0, () => false, skipped)).toBe(-1);
  });

  it('a gateway host is a FIFO multi-core station', () => {
    const st = new FifoStation(2, 0);
    expect(st.admit(0, 10)).toBe(10);
    expect(st.admit(0, 10)).toBe(10);
    expect(st.admit(0, 10)).toBe(20); // waits for a core
    expect(st.waiting(0)).toBe(1);
    expect(st.waiting(10)).toBe(0);
    expect(st.sumWait).toBe(10);
    const limited = new FifoStation(1, 1);
    limited.admit(0, 5);
    limited.admit(0, 5);
    expect(limited.admit(0, 5)).toBe(-1);
    expect(limited.rejected).toBe(1);
  });

  it('each saving option cuts the messages or bytes across boundaries', async () => {
    // no loss and unlimited bandwidth: message sizes then change nothing but the byte counts
    const text = fourDomains().replace('loss: 0.01', 'loss: 0').replace('bandwidthMbps: 2', 'bandwidthMbps: 0');
    const base = parseScenario(text);
    const variant = (over: string[]) => runScenario(parseScenario(text, 'v.yaml', over), { workers: 1 });
    const r0 = await runScenario(base, { workers: 1 });
    const total = (r: Report, k: 'notify' | 'listNotify') => r.pairs.reduce((a, p) => a + p.messages[k], 0);
    const bytes = (r: Report) => r.pairs.reduce((a, p) => a + p.bytes, 0);
    const rate = await variant(['federation.notifyMinInterval=2min']);
    expect(rate.federation.notificationsSuppressed).toBeGreaterThan(0);
    expect(total(rate, 'notify')).toBeLessThan(total(r0, 'notify'));
    const list = await variant(['federation.listSubscriptions=true']);
    expect(total(list, 'listNotify')).toBeGreaterThan(0);
    expect(total(list, 'notify') + total(list, 'listNotify')).toBeLessThan(total(r0, 'notify'));
    expect(list.security.leaks).toBe(0);
    const partial = await variant(['federation.partialNotifications=true']);
    expect(total(partial, 'notify')).toBe(total(r0, 'notify'));
    expect(bytes(partial)).toBeLessThan(bytes(r0));
  });

  it('the outage scenario shows the dip and the recovery', async () => {
    const sc: Scenario = loadScenario('outage', ['duration=16min']);
    const r = await runScenario(sc, { workers: 1 });
    checkInvariants(r);
    const series = r.timeline.series.crossDomainMessages;
    const bucket = (t: number) => Math.floor(t / r.timeline.bucketMs);
    const mean = (a: number, b: number) => series.slice(a, b).reduce((x, y) => x + y, 0) / (b - a);
    const before = mean(bucket(6 * 60_000), bucket(10 * 60_000));
    const during = mean(bucket(10 * 60_000) + 1, bucket(12 * 60_000));
    const after = mean(bucket(13.5 * 60_000), bucket(16 * 60_000));
    expect(during).toBeLessThan(before * 0.8);
    expect(after).toBeGreaterThan(during);
    expect(r.federation.recovered).toBeGreaterThan(0);
    expect(r.federation.recoveryTime.count).toBe(r.federation.recovered);
  });
});
