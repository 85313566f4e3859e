/**
 * SIP messages (RFC 3261 s.7 syntax; SUBSCRIBE/NOTIFY RFC 6665/3856, PUBLISH
 * RFC 3903, MESSAGE RFC 3428): decoding of the RFC 3856 s.8 flow and of
 * written fixtures, canonical encoding, round trips, sizes per shape, and
 * inspect on SIP messages with bodies.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  decodeSip,
  encodeSipMessage,
  encodeSipRequest,
  encodeSipResponse,
  inspectText,
  representativeSip,
  sipBranch,
  sipCallId,
  sipEtag,
  sipHeader,
  sipMessageSize,
  sipShapeOf,
  sipTag,
  summarizeSip,
  type SipMessageInput,
  type SipRequestInput,
} from '../../sim/wire/index.js';
import { readFixture, readWireFixture } from './fixtures.js';
import { expectWireError } from './helpers.js';

/** Message Fn of the RFC 3856 s.8 flow fixture: its indented lines, 3 spaces of indentation removed, joined with CRLF. */
function rfc3856Message(n: number): string {
  const text = readFixture('sip-rfc3856-sec8-flow.txt');
  const start = text.indexOf(`\nF${n} `);
  const end = text.indexOf(`\nF${n + 1} `, start + 1);
  const block = text.slice(text.indexOf('\n', start + 1) + 1, end === -1 ? undefined : end);
  const lines = block.split('\n').filter((l) => l.startsWith('   ') || l === '');
  while (lines[0] === '') lines.shift();
  while (lines[lines.length - 1] === '') lines.pop();
  const head = lines.map((l) => l.slice(3));
  return `${head.join('\r\n')}\r\n\r\n`;
}

const SUBSCRIBE: SipRequestInput = {
  method: 'SUBSCRIBE',
  uri: 'sip:resource@example.com',
  via: [{ transport: 'TCP', host: 'watcherhost.example.com', branch: sipBranch(1) }],
  from: { uri: 'sip:user@example.com', tag: sipTag(2) },
  to: { uri: 'sip:resource@example.com' },
  callId: sipCallId(3, 'watcherhost.example.com'),
  cseq: 17766,
  contact: 'sip:user@watcherhost.example.com',
  event: { package: 'presence' },
  expires: 600,
  headers: [{ name: 'Accept', value: 'application/pidf+xml' }],
};

describe('decodeSip on the RFC 3856 s.8 flow (sip-rfc3856-sec8-flow.txt)', () => {
  test('F1 SUBSCRIBE decodes: start line, headers in order, summary', () => {
    const msg = decodeSip(rfc3856Message(1));
    expect(msg.start).toEqual({ kind: 'request', method: 'SUBSCRIBE', uri: 'sip:resource@example.com' });
    expect(msg.headers.map((h) => h.name)).toEqual(['Via', 'To', 'From', 'Call-ID', 'CSeq', 'Max-Forwards', 'Event', 'Accept', 'Contact', 'Expires', 'Content-Length']);
    expect(summarizeSip(msg)).toEqual({
      callId: '2010@watcherhost.example.com',
      cseq: { seq: 17766, method: 'SUBSCRIBE' },
      from: '<sip:user@example.com>;tag=xfg9',
      to: '<sip:resource@example.com>',
      fromTag: 'xfg9',
      branch: 'z9hG4bKnashds7',
      event: 'presence',
      expires: 600,
      contentLength: 0,
    });
  });

  test('F2 200 OK: the folded Via unfolds to one SP (RFC 3261 s.7.3.1)', () => {
    const msg = decodeSip(rfc3856Message(2));
    expect(msg.start).toEqual({ kind: 'response', status: 200, reason: 'OK' });
    expect(sipHeader(msg, 'v')).toBe('SIP/2.0/TCP watcherhost.example.com;branch=z9hG4bKnashds7 ;received=192.0.2.1');
    expect(summarizeSip(msg).toTag).toBe('ffd2');
  });

  test('F4 and F6 decode; F3 and F5 print "Content-Length: ..." and a placeholder body, which is refused', () => {
    expect(summarizeSip(decodeSip(rfc3856Message(4))).cseq).toEqual({ seq: 8775, method: 'NOTIFY' });
    expect(summarizeSip(decodeSip(rfc3856Message(6))).cseq).toEqual({ seq: 8776, method: 'NOTIFY' });
    for (const n of [3, 5]) expect(expectWireError(() => decodeSip(rfc3856Message(n)), 'WIRE_ERR_SIP_BAD_HEADER_VALUE').header).toBe('Content-Length');
  });
});

describe('decodeSip on written fixtures and edge cases', () => {
  test('sip-notify-compact-pbx.sip: compact names expand (v f t i o c), the PIDF body is kept byte for byte', () => {
    const msg = decodeSip(readWireFixture('sip-notify-compact-pbx.sip'));
    expect(msg.headers.map((h) => [h.written, h.name]).slice(0, 6)).toEqual([
      ['v', 'Via'],
      ['f', 'From'],
      ['t', 'To'],
      ['i', 'Call-ID'],
      ['CSeq', 'CSeq'],
      ['Max-Forwards', 'Max-Forwards'],
    ]);
    expect(sipHeader(msg, 'Event')).toBe('presence');
    expect(msg.body).toBe(readWireFixture('pidf-note-before-tuple.xml'));
    expect(msg.warnings).toBeUndefined();
  });

  test.each([
    ['neg-sip-content-length.sip', 'WIRE_ERR_SIP_CONTENT_LENGTH', /Content-Length says 40 bytes, the body has 9/],
    ['neg-sip-cseq-method.sip', 'WIRE_ERR_SIP_BAD_HEADER_VALUE', /CSeq method NOTIFY differs from the request method SUBSCRIBE/],
  ] as const)('decodeSip refuses %s with %s', (name, code, mentions) => {
    expect(expectWireError(() => decodeSip(readWireFixture(name)), code).message).toMatch(mentions);
  });

  const ok = encodeSipRequest(SUBSCRIBE);
  test.each([
    ['a bad start line', ok.replace('SUBSCRIBE sip:', 'SUBSCRIBE  sip:'), 'WIRE_ERR_SIP_BAD_START_LINE'],
    ['SIP/3.0', ok.replace(' SIP/2.0\r\n', ' SIP/3.0\r\n'), 'WIRE_ERR_SIP_BAD_START_LINE'],
    ['no empty line after the headers', ok.slice(0, -2), 'WIRE_ERR_SIP_MISSING_SEPARATOR'],
    ['a header line without colon', ok.replace('Expires: 600', 'Expires 600'), 'WIRE_ERR_SIP_BAD_HEADER'],
    ['a continuation right after the start line', ok.replace('\r\nVia:', '\r\n Via:'), 'WIRE_ERR_SIP_BAD_HEADER'],
    ['no Max-Forwards', ok.replace('Max-Forwards: 70\r\n', ''), 'WIRE_ERR_SIP_MISSING_HEADER'],
    ['no Via', ok.replace(/Via: [^\r]*\r\n/, ''), 'WIRE_ERR_SIP_MISSING_HEADER'],
    ['two From headers', ok.replace('To:', `f: <sip:x@y>;tag=1\r\nTo:`), 'WIRE_ERR_SIP_DUPLICATE_HEADER'],
    ['Expires "soon"', ok.replace('Expires: 600', 'Expires: soon'), 'WIRE_ERR_SIP_BAD_HEADER_VALUE'],
    ['a CSeq beyond 2^31', ok.replace('CSeq: 17766', 'CSeq: 2147483648'), 'WIRE_ERR_SIP_BAD_HEADER_VALUE'],
    ['trailing bytes past Content-Length', `${ok}junk`, 'WIRE_ERR_SIP_CONTENT_LENGTH'],
  ] as const)('decodeSip refuses a message with %s', (_what, text, code) => {
    expectWireError(() => decodeSip(text), code);
  });

  test('decodeSip skips CRLFs before the start line, accepts bare LF with a warning, and warns on a missing Content-Length or From tag', () => {
    expect(decodeSip(`\r\n\r\n${ok}`).start).toEqual(decodeSip(ok).start);
    expect(decodeSip(ok.replace(/\r\n/g, '\n')).warnings).toEqual([expect.stringMatching(/13 line\(s\) of the head end with a bare LF/)]);
    const noLength = `${ok.replace('Content-Length: 0\r\n', '')}hello`;
    expect(decodeSip(noLength).body).toBe('hello');
    expect(decodeSip(noLength).warnings).toEqual([expect.stringMatching(/no Content-Length; .*5 bytes/), expect.stringMatching(/body without Content-Type/)]);
    expect(decodeSip(ok.replace(/;tag=\w+/, '')).warnings).toEqual([expect.stringMatching(/From has no tag/)]);
  });
});

describe('encodeSipRequest / encodeSipResponse', () => {
  test('encodeSipRequest writes the canonical form of the RFC 3856 F1 SUBSCRIBE with fixed-width identifiers', () => {
    expect(encodeSipRequest(SUBSCRIBE).split('\r\n')).toEqual([
      'SUBSCRIBE sip:resource@example.com SIP/2.0',
      'Via: SIP/2.0/TCP watcherhost.example.com;branch=z9hG4bK0000000001',
      'Max-Forwards: 70',
      'From: <sip:user@example.com>;tag=0000000002',
      'To: <sip:resource@example.com>',
      'Call-ID: 0000000003@watcherhost.example.com',
      'CSeq: 17766 SUBSCRIBE',
      'Contact: <sip:user@watcherhost.example.com>',
      'Event: presence',
      'Expires: 600',
      'Accept: application/pidf+xml',
      'Content-Length: 0',
      '',
      '',
    ]);
  });

  test('encodeSipResponse and a terminating NOTIFY carry the RFC 6665 and RFC 3903 headers; Content-Length counts UTF-8 bytes', () => {
    const notify = encodeSipMessage({
      ...SUBSCRIBE,
      method: 'NOTIFY',
      uri: 'sip:user@watcherhost.example.com',
      event: { package: 'presence', id: 'a1' },
      subscriptionState: { state: 'terminated', reason: 'timeout', retryAfter: 30 },
      expires: undefined,
      headers: [],
      contentType: 'text/plain; charset=utf-8',
      body: 'é',
    } as SipMessageInput);
    expect(notify).toContain('\r\nEvent: presence;id=a1\r\nSubscription-State: terminated;reason=timeout;retry-after=30\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\n\r\né');
    const r412 = encodeSipResponse({ ...SUBSCRIBE, status: 412, cseq: { seq: 2, method: 'PUBLISH' }, sipIfMatch: undefined, sipETag: sipEtag(4) });
    expect(r412.split('\r\n')[0]).toBe('SIP/2.0 412 Conditional Request Failed');
    expect(r412).toContain('\r\nSIP-ETag: e0000000004\r\n');
    expect(r412).not.toContain('Max-Forwards');
  });

  test.each([
    ['a method with a space', { method: 'SUB SCRIBE' }],
    ['a branch without the z9hG4bK cookie', { via: [{ transport: 'UDP', host: 'h', branch: 'abc' }] }],
    ['no Via', { via: [] }],
    ['a URI with a space', { uri: 'sip:a b@c' }],
    ['a CR in a header value', { headers: [{ name: 'Subject', value: 'a\r\nInjected: 1' }] }],
    ['a Content-Length among the headers', { headers: [{ name: 'Content-Length', value: '9' }] }],
    ['a body without content type', { body: 'x' }],
    ['Max-Forwards 300', { maxForwards: 300 }],
  ] as const)('encodeSipRequest refuses %s with WIRE_ERR_SIP_BAD_VALUE', (_what, patch) => {
    expectWireError(() => encodeSipRequest({ ...SUBSCRIBE, ...patch } as SipRequestInput), 'WIRE_ERR_SIP_BAD_VALUE');
  });
});

const word = fc.stringMatching(/^[a-z][a-z0-9]{2,10}$/);
const sipUri = fc.tuple(word, word).map(([u, d]) => `sip:${u}@${d}.example`);
const counter = fc.integer({ min: 0, max: 36 ** 10 - 1 });
const name = fc.string({ maxLength: 12 }).filter((s) => !/[\x00-\x08\x0A-\x1F\x7F]/.test(s));
const addr = (tag: boolean) =>
  fc.record({ uri: sipUri, name: fc.option(name, { nil: undefined }), tag: tag ? counter.map(sipTag) : fc.option(counter.map(sipTag), { nil: undefined }) }).map((a) => {
    const out: { uri: string; name?: string; tag?: string } = { uri: a.uri };
    if (a.name !== undefined) out.name = a.name;
    if (a.tag !== undefined) out.tag = a.tag;
    return out;
  });
const message: fc.Arbitrary<SipMessageInput> = fc
  .record({
    request: fc.boolean(),
    method: fc.constantFrom('SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'MESSAGE'),
    status: fc.constantFrom(200, 202, 412, 489, 603),
    uri: sipUri,
    via: fc.array(fc.record({ transport: fc.constantFrom('UDP' as const, 'TCP' as const, 'TLS' as const), host: word, branch: counter.map(sipBranch) }), { minLength: 1, maxLength: 3 }),
    from: addr(true),
    to: addr(false),
    callId: fc.tuple(counter, word).map(([n, h]) => sipCallId(n, `${h}.example`)),
    cseq: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    maxForwards: fc.integer({ min: 0, max: 255 }),
    contact: fc.option(sipUri, { nil: undefined }),
    event: fc.option(fc.record({ package: fc.constantFrom('presence', 'presence.winfo') }), { nil: undefined }),
    subscriptionState: fc.option(fc.record({ state: fc.constantFrom('active' as const, 'pending' as const), expires: fc.nat() }), { nil: undefined }),
    expires: fc.option(fc.nat(), { nil: undefined }),
    sipETag: fc.option(counter.map(sipEtag), { nil: undefined }),
    headers: fc.array(fc.record({ name: fc.constantFrom('Accept', 'Allow-Events', 'User-Agent'), value: word }), { maxLength: 2 }),
    body: fc.option(fc.string({ maxLength: 60 }), { nil: undefined }),
  })
  .map((r) => {
    const common = JSON.parse(JSON.stringify({ via: r.via, from: r.from, to: r.to, callId: r.callId, contact: r.contact, event: r.event, subscriptionState: r.subscriptionState, expires: r.expires, sipETag: r.sipETag, headers: r.headers })) as SipRequestInput;
    if (r.body !== undefined) Object.assign(common, { body: r.body, contentType: 'text/plain; charset=utf-8' });
    return r.request ? { ...common, method: r.method, uri: r.uri, cseq: r.cseq, maxForwards: r.maxForwards } : { ...common, status: r.status, cseq: { seq: r.cseq, method: r.method } };
  });

describe('round trips and sizes', () => {
  test('decodeSip(encodeSipMessage(m)) gives back the start line, dialog and transaction ids, and the body', () => {
    fc.assert(
      fc.property(message, (m) => {
        const msg = decodeSip(encodeSipMessage(m));
        const s = summarizeSip(msg);
        expect(msg.start).toEqual('method' in m ? { kind: 'request', method: m.method, uri: m.uri } : { kind: 'response', status: m.status, reason: expect.any(String) });
        expect([s.callId, s.fromTag, s.toTag, s.branch, s.expires, msg.body]).toEqual([m.callId, m.from.tag, m.to.tag, m.via[0]?.branch, m.expires, m.body ?? '']);
        expect(msg.headers.filter((h) => h.name === 'Via').map((h) => h.value)).toEqual(m.via.map((v) => `SIP/2.0/${v.transport} ${v.host};branch=${v.branch}`));
        expect(msg.warnings).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  test('sipMessageSize(sipShapeOf(m)) is the byte length of the real encoding of m, whatever its identifier counters', () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(sipMessageSize(sipShapeOf(m))).toBe(Buffer.byteLength(encodeSipMessage(m), 'utf8'));
        const rep = decodeSip(encodeSipMessage(representativeSip(sipShapeOf(m))));
        expect(rep.start.kind).toBe('method' in m ? 'request' : 'response');
      }),
      { numRuns: 200 },
    );
  });

  test('sipMessageSize changes by exactly the bytes a field adds (the memo keys on every field)', () => {
    const base = sipShapeOf(SUBSCRIBE);
    const size = sipMessageSize(base);
    expect(sipMessageSize({ ...base, sipETag: true })).toBe(size + 'SIP-ETag: e0000000000\r\n'.length);
    expect(sipMessageSize({ ...base, sipIfMatch: true })).toBe(size + 'SIP-If-Match: e0000000000\r\n'.length);
    expect(sipMessageSize({ ...base, toTag: true })).toBe(size + ';tag=0000000000'.length);
    expect(sipMessageSize({ ...base, subscriptionState: { state: 'active', expiresDigits: 3 } })).toBe(size + 'Subscription-State: active;expires=100\r\n'.length);
    expect(sipMessageSize({ ...base, contentType: 'application/pidf+xml', bodyLength: 9 })).toBe(size + 'Content-Type: application/pidf+xml\r\n'.length + 9);
    expect(sipMessageSize({ ...base, contentType: 'application/pidf+xml', bodyLength: 10 })).toBe(size + 'Content-Type: application/pidf+xml\r\n'.length + 10 + 1);
    expect(sipMessageSize({ ...base, vias: [...base.vias, { transport: 'UDP', hostLength: 4 }] })).toBe(size + 'Via: SIP/2.0/UDP hhhh;branch=z9hG4bK0000000001\r\n'.length);
  });

  test('sipShapeOf refuses identifiers that are not fixed-width, since sizes per shape would not hold', () => {
    expect(() => sipShapeOf({ ...SUBSCRIBE, from: { uri: 'sip:a@b.example', tag: 'xfg9' } })).toThrow(/From tag "xfg9" is not a fixed-width identifier/);
    expect(() => sipShapeOf({ ...SUBSCRIBE, callId: '2010@watcherhost.example.com' })).toThrow(/Call-ID local part/);
  });
});

describe('inspectText on SIP messages', () => {
  test('inspectText detects SIP by the start line and decodes the PIDF body leniently by default (sip-notify-compact-pbx.sip)', () => {
    const text = readWireFixture('sip-notify-compact-pbx.sip');
    const result = inspectText(text);
    expect(result.kind).toBe('sip');
    if (result.kind !== 'sip') return;
    expect(result.summary.event).toBe('presence');
    expect(result.body?.kind === 'pidf' && result.body.violations.map((v) => v.code)).toEqual(['WIRE_ERR_PIDF_ELEMENT_ORDER', 'WIRE_ERR_PIDF_BAD_TUPLE_ID']);
    const err = expectWireError(() => inspectText(text, { mode: 'strict' }), 'WIRE_ERR_PIDF_ELEMENT_ORDER');
    expect(err.message).toMatch(/^in the application\/pidf\+xml body: <tuple> comes after <note>/);
    expect(err.line).toBe(17); // line 4 of the body, which starts on line 14 of the message
  });

  test.each([
    ['sip-notify-winfo.sip', 'watcherinfo'],
    ['sip-message-cpim.sip', 'cpim'],
    ['sip-publish-pidf.sip', 'pidf'],
  ])('inspectText decodes the body of %s as %s', (name, kind) => {
    const result = inspectText(readWireFixture(name), { mode: 'strict' });
    expect(result.kind === 'sip' && result.body?.kind).toBe(kind);
  });

  test('inspectText shows a SIP response without body (sip-200-publish-etag.sip)', () => {
    const result = inspectText(readWireFixture('sip-200-publish-etag.sip'));
    expect(result.kind === 'sip' && [result.body, sipHeader(result.message, 'SIP-ETag'), result.summary.expires]).toEqual([null, 'e0000000001', 1800]);
  });
});
