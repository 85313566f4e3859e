/**
 * The inspector's wire view (web/server/wire-payload.ts): a traced message of a SIP or XMPP domain
 * is shown as the SIP message or XMPP stanza that carried it. Guards: over the traces of short
 * sip-office, xmpp-office and mixed-federation runs, every message's encoding is exactly as long
 * as the bytes the model counted for it (the roster result, whose items the trace does not carry,
 * apart), so the view and the model's sizes cannot drift apart; a NOTIFY decodes as SIP carrying
 * the very PIDF document the record's state gives; an XMPP broadcast decodes as a presence
 * stanza from the presentity; a CPIM domain's message has no wire view.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/scenario/index.js';
import { runScenario, type Report } from '../../sim/run.js';
import { tracePayload } from '../../web/server/payload.js';

async function traced(name: string): Promise<NonNullable<Report['trace']>> {
  const sc = loadScenario(name, ['trace.enabled=true', 'trace.limit=4000', 'duration=15min']);
  const r = await runScenario(sc, { workers: 1 });
  return r.trace ?? [];
}

describe('the wire view of traced messages', () => {
  it('every SIP and XMPP message is exactly as long as the model counted it', async () => {
    const kinds = new Set<string>();
    for (const name of ['sip-office', 'xmpp-office', 'mixed-federation']) {
      for (const rec of await traced(name)) {
        const p = tracePayload(rec);
        if (p.wire === undefined) continue;
        kinds.add(`${p.wire.protocol} ${p.wire.kind}`);
        if (p.wire.kind === 'iq.roster.result') continue;
        expect({ kind: p.wire.kind, bytes: p.wire.bytes }).toEqual({ kind: p.wire.kind, bytes: rec.bytes });
      }
    }
    // the kinds of a log-in, a subscription and a publication all occurred
    for (const k of ['sip SUBSCRIBE', 'sip 200.SUBSCRIBE', 'sip NOTIFY', 'sip 200.NOTIFY', 'sip PUBLISH', 'sip 200.PUBLISH', 'xmpp sasl.auth', 'xmpp iq.bind.result', 'xmpp presence.probe']) {
      expect(kinds).toContain(k);
    }
  }, 120_000);

  it('a NOTIFY carries the PIDF document of its state; an XMPP broadcast is a presence stanza from the presentity', async () => {
    const sip = (await traced('sip-office')).map(tracePayload).find((p) => p.wire?.kind === 'NOTIFY' && p.body !== null);
    expect(sip).toBeDefined();
    const text = sip!.wire!.text;
    expect(text.startsWith('NOTIFY sip:')).toBe(true);
    expect(text).toMatch(/\r\nSubscription-State: active;expires=\d+\r\n/);
    expect(text.endsWith(sip!.body!)).toBe(true);
    expect(sip!.wire!.decoded?.kind).toBe('sip');

    const xmpp = (await traced('xmpp-office')).map(tracePayload).find((p) => p.wire?.kind === 'presence.probe');
    expect(xmpp).toBeDefined();
    expect(xmpp!.wire!.text).toMatch(/^<presence /);
    expect(xmpp!.wire!.decoded?.kind).toBe('xmpp');
  }, 120_000);

  it('a CPIM domain\'s messages have no wire view', async () => {
    const sc = loadScenario('teach-basic', ['trace.enabled=true']);
    const r = await runScenario(sc, { workers: 1 });
    expect(r.trace!.length).toBeGreaterThan(0);
    for (const rec of r.trace!) expect(tracePayload(rec).wire).toBeUndefined();
  });
});
