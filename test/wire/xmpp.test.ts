/**
 * XMPP stanzas (RFC 6120/6121, XEP-0184): decoding of written fixtures and
 * edge cases, canonical encoding, round trips, sizes per shape.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  MESSAGE_TYPES,
  PRESENCE_SHOWS,
  PRESENCE_TYPES,
  ROSTER_SUBSCRIPTIONS,
  decodeXmpp,
  encodeXmpp,
  fixedId,
  inspectText,
  representativeXmpp,
  xmppShapeOf,
  xmppStanzaSize,
  type XmppStanza,
} from '../../sim/wire/index.js';
import { readWireFixture } from './fixtures.js';
import { expectWireError } from './helpers.js';

describe('decodeXmpp', () => {
  test('decodeXmpp reads presence with show, statuses per language and priority (xmpp-presence-away.xml)', () => {
    expect(decodeXmpp(readWireFixture('xmpp-presence-away.xml'))).toEqual({
      stanza: {
        kind: 'presence',
        from: 'juliet@example.com/balcony',
        id: 'pres1',
        show: 'away',
        status: [
          { text: 'be right back', lang: 'en' },
          { text: 'brzy zpět', lang: 'cs' },
        ],
        priority: 5,
      },
      warnings: [],
    });
  });

  test('decodeXmpp reads a stanza cut from a stream (no namespace) with a warning (xmpp-presence-stream-excerpt.xml)', () => {
    const { stanza, warnings } = decodeXmpp(readWireFixture('xmpp-presence-stream-excerpt.xml'));
    expect(stanza).toEqual({ kind: 'presence', type: 'unavailable', from: 'romeo@example.net/orchard', status: [] });
    expect(warnings).toEqual([expect.stringMatching(/declares no namespace; read as jabber:client/)]);
  });

  test('decodeXmpp reads an XEP-0184 receipt request and ignores an unknown extension with a warning (xmpp-message-receipt.xml)', () => {
    const { stanza, warnings } = decodeXmpp(readWireFixture('xmpp-message-receipt.xml'));
    expect(stanza).toMatchObject({ kind: 'message', type: 'chat', id: 'richard2-4.1.247', receiptRequest: true, body: [{ text: "My lord, dispatch; read o'er these articles." }] });
    expect(warnings).toEqual([expect.stringMatching(/extension \/message\/active .*chatstates/)]);
  });

  test('decodeXmpp reads a roster push (xmpp-roster-push.xml)', () => {
    expect(decodeXmpp(readWireFixture('xmpp-roster-push.xml')).stanza).toEqual({
      kind: 'iq',
      type: 'set',
      id: 'a78b4q6ha463',
      to: 'juliet@example.com/chamber',
      roster: [{ jid: 'nurse@example.com', subscription: 'none', ask: 'subscribe', name: 'Nurse', groups: ['Servants'] }],
    });
  });

  const C = 'xmlns="jabber:client"';
  test.each([
    ['priority 200 (neg-xmpp-priority.xml)', readWireFixture('neg-xmpp-priority.xml')],
    ['type "away"', `<presence ${C} type="away"/>`],
    ['show "busy"', `<presence ${C}><show>busy</show></presence>`],
    ['two shows', `<presence ${C}><show>dnd</show><show>xa</show></presence>`],
    ['a bad JID', `<presence ${C} to="a b@c"/>`],
    ['an unknown jabber:client child', `<presence ${C}><mood/></presence>`],
    ['text in presence', `<presence ${C}>hello</presence>`],
    ['an iq without id', `<iq ${C} type="result"/>`],
    ['an iq set without payload', `<iq ${C} type="set" id="1"/>`],
    ['a receipt without id', `<message ${C}><received xmlns="urn:xmpp:receipts"/></message>`],
    ['a roster item without jid', `<iq ${C} type="set" id="1"><query xmlns="jabber:iq:roster"><item/></query></iq>`],
    ['a stanza in another namespace', '<presence xmlns="urn:other"/>'],
  ])('decodeXmpp refuses %s with WIRE_ERR_XMPP_BAD_STANZA', (_what, text) => {
    expectWireError(() => decodeXmpp(text), 'WIRE_ERR_XMPP_BAD_STANZA');
  });

  test('inspectText tells an XMPP presence from a PIDF presence by namespace and entity', () => {
    expect(inspectText(readWireFixture('xmpp-presence-away.xml')).kind).toBe('xmpp');
    expect(inspectText(readWireFixture('pidf-no-timestamp.xml')).kind).toBe('pidf');
    // a PIDF document without namespace is still read as PIDF, so the error says what is wrong
    expectWireError(() => inspectText('<?xml version="1.0"?><presence entity="pres:a@b.example"/>'), 'WIRE_ERR_PIDF_NOT_PRESENCE');
  });
});

describe('encodeXmpp', () => {
  test('encodeXmpp writes stanzas as sent on a stream (no xmlns) or standalone', () => {
    const p: XmppStanza = { kind: 'presence', from: 'a@b.example/r', id: fixedId(7), show: 'dnd', status: [{ text: 'in <a> meeting & more', lang: 'en' }], priority: -1 };
    expect(encodeXmpp(p)).toBe('<presence from="a@b.example/r" id="0000000007"><show>dnd</show><status xml:lang="en">in &lt;a&gt; meeting &amp; more</status><priority>-1</priority></presence>');
    expect(encodeXmpp({ kind: 'presence', type: 'probe', to: 'c@d.example', status: [] }, { standalone: true })).toBe('<presence xmlns="jabber:client" to="c@d.example" type="probe"/>');
    expect(encodeXmpp({ kind: 'message', to: 'c@d.example', id: 'm1', receivedId: 'x1', body: [] })).toBe('<message to="c@d.example" id="m1"><received xmlns="urn:xmpp:receipts" id="x1"/></message>');
    expect(encodeXmpp({ kind: 'iq', type: 'result', id: 'r1' })).toBe('<iq id="r1" type="result"/>');
  });

  test.each([
    ['priority 128', { kind: 'presence', status: [], priority: 128 }],
    ['a JID with a space', { kind: 'presence', status: [], to: 'a b' }],
    ['show "busy"', { kind: 'presence', status: [], show: 'busy' }],
    ['an iq set without roster', { kind: 'iq', type: 'set', id: '1' }],
    ['a NUL in a body', { kind: 'message', body: [{ text: '\u0000' }] }],
  ])('encodeXmpp refuses %s with WIRE_ERR_XMPP_BAD_VALUE', (_what, stanza) => {
    expectWireError(() => encodeXmpp(stanza as XmppStanza), 'WIRE_ERR_XMPP_BAD_VALUE');
  });
});

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
const jid = fc.tuple(fc.option(label, { nil: undefined }), label, fc.option(label, { nil: undefined })).map(([l, d, r]) => `${l === undefined ? '' : `${l}@`}${d}.example${r === undefined ? '' : `/${r}`}`);
const text = fc.string({ maxLength: 20 }).filter((s) => !/[^\t\n\x20-\uD7FF\uE000-\uFFFD]/.test(s));
const texts = fc.array(fc.record({ text, lang: fc.constantFrom('en', 'cs', 'de-CH') }, { requiredKeys: ['text'] }), { maxLength: 2 });
const addressing = { from: jid, to: jid, id: text };
const stanza: fc.Arbitrary<XmppStanza> = fc.oneof(
  fc.record({ kind: fc.constant('presence' as const), ...addressing, type: fc.constantFrom(...PRESENCE_TYPES), show: fc.constantFrom(...PRESENCE_SHOWS), status: texts, priority: fc.integer({ min: -128, max: 127 }) }, { requiredKeys: ['kind', 'status'] }),
  fc.record({ kind: fc.constant('message' as const), ...addressing, type: fc.constantFrom(...MESSAGE_TYPES), body: texts, receiptRequest: fc.constant(true), receivedId: text }, { requiredKeys: ['kind', 'body'] }),
  fc.record({
    kind: fc.constant('iq' as const),
    from: jid,
    to: jid,
    id: text,
    type: fc.constant('set' as const),
    roster: fc.array(fc.record({ jid, subscription: fc.constantFrom(...ROSTER_SUBSCRIPTIONS), ask: fc.constant('subscribe' as const), name: text, groups: fc.array(text, { maxLength: 2 }) }, { requiredKeys: ['jid', 'groups'] }), { minLength: 1, maxLength: 2 }),
  }, { requiredKeys: ['kind', 'id', 'type', 'roster'] }),
);

describe('round trips and sizes', () => {
  test('decodeXmpp(encodeXmpp(s, standalone)) deep-equals s for generated stanzas', () => {
    fc.assert(
      fc.property(stanza, (s) => {
        const { stanza: back, warnings } = decodeXmpp(encodeXmpp(s, { standalone: true }));
        expect(back).toEqual(s);
        expect(warnings).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  test('xmppStanzaSize(xmppShapeOf(s)) is the byte length of the real encoding, on a stream and standalone', () => {
    fc.assert(
      fc.property(stanza, fc.boolean(), (s, standalone) => {
        expect(xmppStanzaSize(xmppShapeOf(s, { standalone }))).toBe(Buffer.byteLength(encodeXmpp(s, { standalone }), 'utf8'));
        expect(decodeXmpp(encodeXmpp(representativeXmpp(xmppShapeOf(s)), { standalone: true })).stanza.kind).toBe(s.kind);
      }),
      { numRuns: 300 },
    );
  });

  test('xmppStanzaSize: a receipt request adds its element, a standalone stanza its xmlns', () => {
    const base = xmppShapeOf({ kind: 'message', from: 'a@b.example', to: 'c@d.example', id: fixedId(1), type: 'chat', body: [{ text: 'hello' }] });
    const size = xmppStanzaSize(base);
    expect(xmppStanzaSize({ ...base, receiptRequest: true })).toBe(size + '<request xmlns="urn:xmpp:receipts"/>'.length);
    expect(xmppStanzaSize({ ...base, standalone: true })).toBe(size + ' xmlns="jabber:client"'.length);
  });
});
