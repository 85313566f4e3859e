/**
 * Inboxes apart from presence (RFC 2779 2.1.2, 4.2.1; store-and-forward): instant messages reach
 * contacts that are not presence buddies, inbox-only principals included; a closed inbox either
 * fails the message or, with offline storage, receives it when it opens.
 */
import { describe, expect, it } from 'vitest';
import { recs, runTiny } from './tiny.js';

describe('inboxes', () => {
  it('RFC 2779 2.1.2: inbox-only principals, who are nobody\'s buddies, receive IMs through senders\' contact lists', async () => {
    const o = {
      users: 12,
      duration: '20min',
      population: { buddies: 2, principals: '{ both: 0.5, inboxOnly: 0.5 }' },
      behaviour: { imRate: '120/h', sessionLength: '366d', unknownRecipientFraction: 0 },
    };
    const without = await runTiny(o);
    const withContacts = await runTiny({ ...o, behaviour: { ...o.behaviour, imContacts: 6 } });
    // inbox-only principals have no presentity, so nobody has them as a buddy: without contacts
    // they never receive a message
    const inboxOnly = (r: typeof without) => new Set(recs(r, 'subscribe').map((x) => x.to));
    const receivers = (r: typeof without) => new Set(recs(r, 'message').map((x) => x.to));
    const presentities = inboxOnly(without);
    expect([...receivers(without)].every((u) => presentities.has(u))).toBe(true);
    expect([...receivers(withContacts)].some((u) => !presentities.has(u))).toBe(true);
    expect(withContacts.im.delivered).toBeGreaterThan(0);
  });

  it('RFC 2779 4.2.1: with offline storage a message for a closed inbox waits and is delivered when it opens; without, it fails as closed', async () => {
    const o = {
      users: 6,
      duration: '40min',
      population: { buddies: 5, online: 0.5 },
      behaviour: { imRate: '120/h', sessionLength: '5min', offlineLength: '5min', crashFraction: 0, unknownRecipientFraction: 0, duplicateFraction: 0 },
    };
    const failing = await runTiny(o);
    const storing = await runTiny({ ...o, behaviour: { ...o.behaviour, offlineStorage: true } });
    expect(failing.im.failedBy.closed).toBeGreaterThan(0);
    expect(storing.im.failedBy.closed).toBe(0);
    expect(storing.im.stored).toBeGreaterThan(0);
    // stored messages wait minutes, not milliseconds
    expect(storing.latency.im.max).toBeGreaterThan(60_000);
    for (const r of [failing, storing]) {
      expect(r.im.sent + r.im.copies).toBe(r.im.delivered + r.im.failed + r.im.indeterminate + r.im.duplicates + r.im.copiesRefused + r.im.inFlight);
    }
  });
});
