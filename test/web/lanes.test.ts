/** The sequence chart's arrows in a binding's terms (web/public/js/lanes.js). */
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module of the dashboard
import { laneOf, wireLabel } from '../../web/public/js/lanes.js';

const rec = (op: string, from: string, to: string, wire?: { protocol: string; kind: string }) => ({ t: 0, op, from, to, fromDomain: 'example.com', toDomain: 'example.com', detail: '', wire });

describe('sequence chart labels per binding', () => {
  it('names SIP requests and responses, XMPP stanzas, and leaves CPIM operations as they are', () => {
    expect(wireLabel(rec('notify', 'u1@example.com', 'u0@example.com', { protocol: 'sip', kind: 'NOTIFY' }))).toBe('NOTIFY');
    expect(wireLabel(rec('200.NOTIFY', 'u0@example.com', 'u1@example.com', { protocol: 'sip', kind: '200.NOTIFY' }))).toBe('200 OK (NOTIFY)');
    expect(wireLabel(rec('subscribeResponse', 'u1@example.com', 'u0@example.com', { protocol: 'sip', kind: '4xx.SUBSCRIBE' }))).toBe('4xx (SUBSCRIBE)');
    expect(wireLabel(rec('refresh', 'u0@example.com', 'u1@example.com', { protocol: 'sip', kind: 'SUBSCRIBE.refresh' }))).toBe('SUBSCRIBE (refresh)');
    expect(wireLabel(rec('subscribe', 'u0@example.com', 'u1@example.com', { protocol: 'xmpp', kind: 'presence.probe' }))).toBe('presence probe');
    expect(wireLabel(rec('notify', 'u1@example.com', 'u0@example.com'))).toBe('notify');
  });

  it('draws a 200 to a NOTIFY from the watcher to the service, a stream set-up between the client and its server', () => {
    const ok = laneOf(rec('200.NOTIFY', 'u0@example.com', 'u1@example.com', { protocol: 'sip', kind: '200.NOTIFY' }));
    expect([ok.from, ok.to, ok.label]).toEqual(['watcher', 'service', '200 OK (NOTIFY) u0 → u1']);
    const up = laneOf(rec('stream.open', 'u0@example.com', 'example.com', { protocol: 'xmpp', kind: 'stream.open' }));
    const down = laneOf(rec('stream.features', 'example.com', 'u0@example.com', { protocol: 'xmpp', kind: 'stream.features' }));
    expect([up.from, up.to, down.from, down.to]).toEqual(['pua', 'service', 'service', 'pua']);
  });
});
