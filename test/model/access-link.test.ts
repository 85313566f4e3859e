/**
 * The client-server leg (RFC 2779 section 2: mobile links with high latency and low bandwidth;
 * PRIM's client-server protocol): latencies include each principal's access link.
 */
import { describe, expect, it } from 'vitest';
import { recs, runTiny } from './tiny.js';

const base = {
  users: 3,
  duration: '10min',
  behaviour: { presenceChangeRate: '60/h', imRate: '60/h', sessionLength: '366d', unknownRecipientFraction: 0, duplicateFraction: 0 },
};

describe('access links', () => {
  it('RFC 2779 3.4.1: notification and IM latency include both access links: 50 ms up + 1 ms publish + 1 ms notify + 50 ms down = 102 ms exactly', async () => {
    const r = await runTiny({ ...base, access: '{ lan: { latency: { dist: fixed, value: 50ms }, bandwidthMbps: 0 } }' });
    expect(r.latency.notification.count).toBeGreaterThan(10);
    expect(r.latency.notification.p50).toBeCloseTo(102, 1);
    expect(r.latency.notification.max).toBeCloseTo(102, 1);
    // an IM: 50 up + 1 imSend + 1 imDeliver + 50 down
    expect(r.latency.im.p50).toBeCloseTo(102, 1);
    // every publish and IM went up, every notification and IM delivery came down, all on LAN links
    expect(r.access.lan.users).toBe(3);
    expect(r.access.mobile.users).toBe(0);
    expect(r.access.lan.up.messages).toBe(r.presence.publishes + r.im.sent);
    expect(r.access.lan.down.messages).toBe(r.presence.notifications.delivered + r.presence.notifications.undelivered + r.im.delivered);
    expect(r.access.lan.up.bytes).toBeGreaterThan(0);
  });

  it('RFC 2779 section 2: mobile principals (latency, 64 kbit/s, loss with retransmission) see slower notifications than LAN ones', async () => {
    const mobile = '{ lan: { latency: { dist: fixed, value: 1ms }, bandwidthMbps: 0 }, mobile: { latency: { dist: fixed, value: 80ms }, bandwidthMbps: 0.064, loss: 0.2 }, retransmitTimeout: 500ms, mobileFraction: 1 }';
    const lan = await runTiny({ ...base, access: mobile.replace('mobileFraction: 1', 'mobileFraction: 0') });
    const mob = await runTiny({ ...base, access: mobile });
    expect(mob.access.mobile.users).toBe(3);
    expect(mob.latency.notification.p50).toBeGreaterThan(lan.latency.notification.p50 + 150);
    // losses cost a retransmission timeout: some notifications take over 500 ms more
    expect(mob.latency.notification.max).toBeGreaterThan(600);
    expect(recs(mob, 'notify').length).toBeGreaterThan(0);
  });
});
