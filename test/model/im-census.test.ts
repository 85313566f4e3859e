/**
 * IM outcomes and the end-of-run census (RFC 2779 4.2.1, 5.4.1): inFlight is counted (copies
 * queued or travelling, failure reports on their way), not derived; a delivery report is a job of
 * the sender's servers, so serviceTimes.imReport costs what it says.
 */
import { describe, expect, it } from 'vitest';
import { runTiny } from './tiny.js';

const base = {
  users: 6,
  duration: '10min',
  population: { buddies: 5 },
  behaviour: { imRate: '600/h', sessionLength: '366d' },
};

describe('IM census and reports', () => {
  it('RFC 2779 4.2.1: serviceTimes.imReport is the server time of a report at the sender; slow reports leave outcomes open, counted by the census', async () => {
    const fast = await runTiny(base);
    const slow = await runTiny({ ...base, serviceTimes: '{ imSend: 1ms, imDeliver: 1ms, imReport: 20s, publish: 1ms, notify: 1ms, subscribe: 1ms, refresh: 1ms, unsubscribe: 1ms, fetch: 1ms, watcherinfo: 1ms }', servers: '{ count: 1, cores: 1 }' });
    // one report per message outcome, each a job of the sender's servers
    expect(fast.domains['example.com'].operations.imReport.count).toBeGreaterThan(0.9 * fast.im.sent);
    expect(fast.domains['example.com'].operations.imReport.count).toBeLessThanOrEqual(fast.im.sent);
    expect(slow.domains['example.com'].operations.imReport.meanService).toBeGreaterThan(15_000);
    expect(slow.domains['example.com'].utilisation).toBeGreaterThan(0.9);
    // with one core busy 20 s per report, reports queue: far fewer are processed than in the fast run
    expect(slow.domains['example.com'].operations.imReport.count).toBeLessThan(slow.im.sent / 2);
    for (const r of [fast, slow]) {
      expect(r.im.sent + r.im.copies + r.im.inFlightAtStart).toBe(r.im.delivered + r.im.failed + r.im.indeterminate + r.im.duplicates + r.im.copiesRefused + r.im.inFlight);
    }
  });

  it('RFC 2779 4.2.1: the census counts what is still open at the end: a run cut while messages travel has a positive census that equals the open messages', async () => {
    // 1 s links between two domains: messages sent in the last second are still travelling
    const r = await runTiny({
      users: 4,
      duration: '2min',
      domains: `  - { name: a.example, users: 4, serviceTimes: { imSend: 1ms, imDeliver: 1ms, imReport: 1ms } }
  - { name: b.example, users: 4, serviceTimes: { imSend: 1ms, imDeliver: 1ms, imReport: 1ms } }`,
      links: '{ default: { dist: fixed, value: 1s } }',
      population: { buddies: 3, federatedFraction: 1 },
      behaviour: { imRate: '3600/h', sessionLength: '366d', duplicateFraction: 0.5 },
    });
    expect(r.im.copies).toBeGreaterThan(0);
    expect(r.im.inFlight).toBeGreaterThan(0);
    expect(r.im.sent + r.im.copies).toBe(r.im.delivered + r.im.failed + r.im.indeterminate + r.im.duplicates + r.im.copiesRefused + r.im.inFlight);
  });
});
