/**
 * RFC 2779 instant-messaging requirements (2.1, 2.3.5, 4.x, 5.4) that the model covers, checked on
 * tiny scenarios written as YAML (tiny.ts) through the report's counters and the message trace.
 * Complements rfc2779.test.ts; numbers refer to ../shared/spec/rfc2779-requirements.md.
 *
 * Trace semantics used here (one domain, every job exactly 1 ms, no queueing): a `message` record
 * is written when the sender's server has accepted the IM (imSend done) and passes it on; the
 * recipient's server decides 1 ms later (imDeliver done) and writes the `messageReport` back to the
 * sender (`to` = the sender; `from` = the domain), with detail `delivered` or `failed: <reason>`.
 */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../sim/run.js';
import { recs, runTiny, runUntil, type Rec } from './tiny.js';

/** The report answering message m: written 1 ms later, to m's sender. */
const reportsFor = (r: Report, m: Rec) => recs(r, 'messageReport').filter((x) => x.to === m.from && Math.abs(x.t - (m.t + 1)) < 1e-6);

const detailsOf = (xs: Rec[]) => new Set(xs.map((x) => x.detail));

describe('RFC 2779 instant-message requirements (more)', () => {
  it('RFC 2779 4.4.2, 5.4.1 an IM to a CLOSED (offline) inbox fails, and the sender gets a failure report saying so', async () => {
    // two users; one is online for good, the other never logs in
    const r = await runUntil(
      { users: 2, duration: '20min', population: { online: 0.5, watchers: '{ fetcher: 1 }' }, behaviour: { imRate: '60/h' } },
      (x) => x.sessions.logins === 1 && x.im.sent > 5,
      'exactly one user online',
    );
    const messages = recs(r, 'message');
    expect(messages.length).toBe(r.im.sent - r.im.inFlight);
    for (const m of messages) expect(reportsFor(r, m).map((x) => x.detail)).toEqual(['failed: closed']);
    expect(r.im.delivered).toBe(0);
    expect(r.im.failedBy.closed).toBe(r.im.failed);
    expect(r.im.failed).toBe(r.im.sent - r.im.inFlight);
  });

  it('RFC 2779 5.4.2, 4.1.9 a message sent twice with one id is delivered once and reported once', async () => {
    const r = await runTiny({ users: 2, duration: '20min', population: { watchers: '{ fetcher: 1 }' }, behaviour: { imRate: '60/h', duplicateFraction: 1 } });
    const im = r.im;
    expect(im.sent).toBeGreaterThan(10);
    // every IM goes out twice (the retransmission reuses the message id) ...
    expect(recs(r, 'message')).toHaveLength(2 * (im.sent - im.inFlight));
    // ... the second copy is recognised and dropped: one delivery, one report per message
    expect(im.duplicates).toBe(im.sent - im.inFlight);
    expect(im.delivered).toBe(im.sent - im.inFlight);
    expect(im.failed).toBe(0);
    const reports = recs(r, 'messageReport');
    expect(reports).toHaveLength(im.delivered);
    expect(detailsOf(reports)).toEqual(new Set(['delivered']));
    // the report of each pair of copies is one and only one
    for (const m of recs(r, 'message')) expect(reportsFor(r, m)).toHaveLength(1);
  });

  it('RFC 2779 2.3.5, 5.4.10 an inbox owner blocks particular senders: their IMs all fail as blocked, the others are delivered', async () => {
    const r = await runUntil(
      { users: 4, duration: '20min', population: { watchers: '{ fetcher: 1 }', blockedSenders: 0.5 }, behaviour: { imRate: '120/h' } },
      (x) => x.im.failedBy.blocked > 0 && x.im.delivered > 0,
      'blocked and unblocked pairs',
    );
    // per (sender, recipient) pair, the outcome is the same for every message: the block list
    const outcome = new Map<string, Set<string>>();
    for (const m of recs(r, 'message')) {
      const rep = reportsFor(r, m);
      expect(rep).toHaveLength(1);
      const key = `${m.from} -> ${m.to}`;
      if (!outcome.has(key)) outcome.set(key, new Set());
      outcome.get(key)!.add(rep[0].detail);
    }
    for (const [pair, seen] of outcome) expect(seen.size, pair).toBe(1);
    const all = [...outcome.values()].map((s) => [...s][0]);
    expect(all).toContain('failed: blocked');
    expect(all).toContain('delivered');
    expect(r.im.failedBy.blocked + r.im.delivered).toBe(r.im.sent - r.im.inFlight);
  });

  it('RFC 2779 5.4.1 an IM to an unknown user fails with an "unknown" report', async () => {
    const r = await runTiny({ users: 2, duration: '20min', population: { watchers: '{ fetcher: 1 }' }, behaviour: { imRate: '60/h', unknownRecipientFraction: 1 } });
    const messages = recs(r, 'message');
    expect(messages.length).toBeGreaterThan(5);
    expect(detailsOf(messages)).toEqual(new Set(['to an unknown user']));
    for (const m of messages) expect(reportsFor(r, m).map((x) => x.detail)).toEqual(['failed: unknown']);
    expect(r.im.failedBy.unknown).toBe(r.im.sent - r.im.inFlight);
    expect(r.im.delivered).toBe(0);
  });

  it('RFC 2779 4.2.1 IMs with bad credentials fail with an "auth" report and are counted as rejected', async () => {
    const r = await runTiny({ users: 2, duration: '20min', population: { watchers: '{ fetcher: 1 }' }, behaviour: { imRate: '60/h', authFailureFraction: 1 } });
    const messages = recs(r, 'message');
    expect(messages.length).toBeGreaterThan(5);
    for (const m of messages) expect(reportsFor(r, m).map((x) => x.detail)).toEqual(['failed: auth']);
    expect(r.im.failedBy.auth).toBe(messages.length);
    expect(r.security.rejectedAuth).toBe(messages.length);
    expect(r.im.delivered).toBe(0);
  });

  it('RFC 2779 2.1.3, 4.1.2, 5.4.4 one identifier names presentity and inbox: an IM to a watched presentity is delivered, and the recipient can reply to the sender', async () => {
    const r = await runTiny({ users: 2, duration: '20min', behaviour: { imRate: '120/h' } });
    // u0 watches u1 and u1 watches u0 (the same addresses are used for presence and for IM)
    const watched = new Set(recs(r, 'subscribeResponse', 'accepted').map((x) => `${x.to} -> ${x.from}`));
    const messages = recs(r, 'message');
    const directions = new Set(messages.map((m) => `${m.from} -> ${m.to}`));
    expect(directions).toEqual(new Set(['u0@example.com -> u1@example.com', 'u1@example.com -> u0@example.com']));
    for (const d of directions) expect(watched.has(d)).toBe(true);
    // every message names its sender and recipient, and is delivered
    for (const m of messages) {
      expect(m.from).toMatch(/^u\d+@example\.com$/);
      expect(m.to).toMatch(/^u\d+@example\.com$/);
      expect(reportsFor(r, m).map((x) => x.detail)).toEqual(['delivered']);
    }
  });

  it('RFC 2779 2.1.1 an IM to a domain without an IM service fails as "disabled"; presence between the domains still works', async () => {
    const r = await runTiny({
      domains: `  - { name: a.example, users: 4 }
  - { name: b.example, users: 4, im: false }`,
      population: { buddies: 2, federatedFraction: 1 },
      behaviour: { imRate: '120/h', presenceChangeRate: '60/h' },
      trace: '{ enabled: false }',
    });
    // every buddy is in the other domain: a's users write to b (no IM service), b's users cannot write
    expect(r.im.sent).toBeGreaterThan(5);
    expect(r.im.delivered).toBe(0);
    expect(r.im.failedBy.disabled).toBe(r.im.failed);
    expect(r.im.failed).toBeGreaterThanOrEqual(r.im.sent - 3); // a few reports may still be travelling
    expect(r.presence.notifications.delivered).toBeGreaterThan(0);
  });
});
