/**
 * Watcher information (RFC 3857 package, RFC 3858 format): strict decoding of
 * the RFC example and of edge cases, canonical encoding, round trips, sizes.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  WATCHER_EVENTS,
  WATCHER_STATUSES,
  decodeWatcherinfo,
  encodeWatcherinfo,
  representativeWatcherinfo,
  watcherId,
  watcherinfoSize,
  type Watcher,
  type WatcherinfoDocument,
  type WatcherinfoShape,
} from '../../sim/wire/index.js';
import { readWireFixture } from './fixtures.js';
import { expectWireError } from './helpers.js';

const NS = 'urn:ietf:params:xml:ns:watcherinfo';
const doc = (inner: string, attrs = 'version="0" state="full"'): string => `<?xml version="1.0" encoding="UTF-8"?>\n<watcherinfo xmlns="${NS}" ${attrs}>${inner}</watcherinfo>\n`;
const list = (inner: string): string => `<watcher-list resource="sip:a@example.com" package="presence">${inner}</watcher-list>`;

describe('decodeWatcherinfo', () => {
  test('decodeWatcherinfo reads the RFC 3858 s.5 example (winfo-rfc3858-example.xml)', () => {
    expect(decodeWatcherinfo(readWireFixture('winfo-rfc3858-example.xml'))).toEqual({
      version: 0,
      state: 'full',
      lists: [
        {
          resource: 'sip:professor@example.net',
          package: 'presence',
          watchers: [
            { id: '8ajksjda7s', status: 'active', event: 'approved', uri: 'sip:userA@example.net', durationSubscribed: 509 },
            { id: 'hh8juja87s997-ass7', status: 'pending', event: 'subscribe', uri: 'sip:userB@example.org', displayName: 'Mr. Subscriber' },
          ],
        },
      ],
    });
  });

  test('decodeWatcherinfo reads a partial document and ignores a vendor extension with a warning (winfo-partial-extension.xml)', () => {
    const d = decodeWatcherinfo(readWireFixture('winfo-partial-extension.xml'));
    expect(d.state).toBe('partial');
    expect(d.version).toBe(7);
    expect(d.lists[0]?.watchers).toEqual([
      { id: 'w000000002a', event: 'timeout', status: 'terminated', uri: 'sip:bob@example.org', expiration: 0, lang: 'en', displayName: 'Bob' },
    ]);
    expect(d.warnings).toEqual([expect.stringMatching(/extension \/watcherinfo\/watcher-list\/v:note .* ignored/)]);
  });

  test.each([
    ['neg-winfo-watcher-no-id.xml', 'WIRE_ERR_WINFO_MISSING_ATTRIBUTE', /<watcher> has no id attribute/],
    ['neg-winfo-bad-status.xml', 'WIRE_ERR_WINFO_BAD_ATTRIBUTE', /status="blocked" .* not one of pending, active, waiting, terminated/],
  ] as const)('decodeWatcherinfo refuses %s with %s', (name, code, mentions) => {
    const err = expectWireError(() => decodeWatcherinfo(readWireFixture(name)), code);
    expect(err.message).toMatch(mentions);
    expect(err.line).toBe(4);
  });

  test.each([
    ['no version', doc('', 'state="full"'), 'WIRE_ERR_WINFO_MISSING_ATTRIBUTE'],
    ['state "complete"', doc('', 'version="1" state="complete"'), 'WIRE_ERR_WINFO_BAD_ATTRIBUTE'],
    ['negative version', doc('', 'version="-1" state="full"'), 'WIRE_ERR_WINFO_BAD_ATTRIBUTE'],
    ['version beyond 2^53', doc('', 'version="9007199254740993" state="full"'), 'WIRE_ERR_WINFO_BAD_ATTRIBUTE'],
    ['no package', doc('<watcher-list resource="sip:a@example.com"/>'), 'WIRE_ERR_WINFO_MISSING_ATTRIBUTE'],
    ['relative resource', doc('<watcher-list resource="alice" package="presence"/>'), 'WIRE_ERR_WINFO_BAD_URI'],
    ['event "kicked"', doc(list('<watcher id="1" event="kicked" status="active">sip:b@x</watcher>')), 'WIRE_ERR_WINFO_BAD_ATTRIBUTE'],
    ['expiration "soon"', doc(list('<watcher id="1" event="approved" status="active" expiration="soon">sip:b@x</watcher>')), 'WIRE_ERR_WINFO_BAD_ATTRIBUTE'],
    ['empty watcher', doc(list('<watcher id="1" event="approved" status="active"></watcher>')), 'WIRE_ERR_WINFO_BAD_URI'],
    ['element inside watcher', doc(list('<watcher id="1" event="approved" status="active"><uri/></watcher>')), 'WIRE_ERR_WINFO_UNEXPECTED_CONTENT'],
    ['watcher outside a list', doc('<watcher id="1" event="approved" status="active">sip:b@x</watcher>'), 'WIRE_ERR_WINFO_UNEXPECTED_ELEMENT'],
    ['list after an extension', doc(`<x:y xmlns:x="urn:x"/>${list('')}`), 'WIRE_ERR_WINFO_UNEXPECTED_ELEMENT'],
    ['text in the root', doc('hello'), 'WIRE_ERR_WINFO_UNEXPECTED_CONTENT'],
    ['another root', '<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:a@b"/>', 'WIRE_ERR_WINFO_NOT_WATCHERINFO'],
    ['ISO-8859-1', `<?xml version="1.0" encoding="ISO-8859-1"?><watcherinfo xmlns="${NS}" version="0" state="full"/>`, 'WIRE_ERR_XML_ENCODING'],
  ] as const)('decodeWatcherinfo refuses a document with %s', (_what, text, code) => {
    expectWireError(() => decodeWatcherinfo(text), code);
  });
});

describe('encodeWatcherinfo', () => {
  test('encodeWatcherinfo writes the canonical form', () => {
    const value: WatcherinfoDocument = {
      version: 3,
      state: 'full',
      lists: [{ resource: 'sip:alice@example.com', package: 'presence', watchers: [{ id: watcherId(5), status: 'pending', event: 'subscribe', uri: 'sip:bob@example.org', displayName: 'B & "B"' }] }],
    };
    expect(encodeWatcherinfo(value)).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<watcherinfo xmlns="${NS}" version="3" state="full">`,
        '  <watcher-list resource="sip:alice@example.com" package="presence">',
        '    <watcher id="w0000000005" event="subscribe" status="pending" display-name="B &amp; &quot;B&quot;">sip:bob@example.org</watcher>',
        '  </watcher-list>',
        '</watcherinfo>',
        '',
      ].join('\n'),
    );
    expect(encodeWatcherinfo({ version: 0, state: 'partial', lists: [] })).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n<watcherinfo xmlns="${NS}" version="0" state="partial"/>\n`);
  });

  test.each([
    ['a status outside the enumeration', { status: 'blocked' }, 'WIRE_ERR_WINFO_BAD_VALUE'],
    ['a relative watcher URI', { uri: 'bob' }, 'WIRE_ERR_WINFO_BAD_URI'],
    ['a fractional expiration', { expiration: 1.5 }, 'WIRE_ERR_WINFO_BAD_VALUE'],
    ['a NUL in the id', { id: 'a\u0000' }, 'WIRE_ERR_WINFO_BAD_VALUE'],
  ] as const)('encodeWatcherinfo refuses %s', (_what, patch, code) => {
    const w = { id: 'w1', status: 'active', event: 'approved', uri: 'sip:b@x.example', ...patch } as Watcher;
    expectWireError(() => encodeWatcherinfo({ version: 0, state: 'full', lists: [{ resource: 'sip:a@x.example', package: 'presence', watchers: [w] }] }), code);
  });
});

const token = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
const sipUri = fc.tuple(token, token).map(([u, d]) => `sip:${u}@${d}.example`);
const watcher: fc.Arbitrary<Watcher> = fc
  .record(
    {
      id: fc.string({ maxLength: 12 }).filter((s) => !/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD]/.test(s)),
      status: fc.constantFrom(...WATCHER_STATUSES),
      event: fc.constantFrom(...WATCHER_EVENTS),
      uri: sipUri,
      displayName: fc.string({ maxLength: 12 }).filter((s) => !/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD]/.test(s)),
      lang: fc.constantFrom('en', 'de-CH', 'x-sim'),
      expiration: fc.nat(),
      durationSubscribed: fc.maxSafeNat(),
    },
    { requiredKeys: ['id', 'status', 'event', 'uri'] },
  );
const winfo: fc.Arbitrary<WatcherinfoDocument> = fc.record({
  version: fc.maxSafeNat(),
  state: fc.constantFrom('full' as const, 'partial' as const),
  lists: fc.array(fc.record({ resource: sipUri, package: fc.constantFrom('presence', 'message-summary', 'reg'), watchers: fc.array(watcher, { maxLength: 4 }) }), { maxLength: 3 }),
});

describe('round trips and sizes', () => {
  test('decodeWatcherinfo(encodeWatcherinfo(doc)) deep-equals doc for generated documents', () => {
    fc.assert(
      fc.property(winfo, (d) => {
        expect(decodeWatcherinfo(encodeWatcherinfo(d))).toEqual(d);
      }),
      { numRuns: 200 },
    );
  });

  const shape: fc.Arbitrary<WatcherinfoShape> = fc.record({
    resourceLength: fc.integer({ min: 0, max: 80 }),
    watchers: fc.integer({ min: 0, max: 5 }),
    watcherLength: fc.integer({ min: 0, max: 80 }),
    status: fc.constantFrom(...WATCHER_STATUSES),
    event: fc.constantFrom(...WATCHER_EVENTS),
    versionDigits: fc.integer({ min: 1, max: 12 }),
    displayNameLength: fc.integer({ min: 0, max: 20 }),
    expirationDigits: fc.integer({ min: 0, max: 6 }),
    durationDigits: fc.integer({ min: 0, max: 6 }),
    partial: fc.boolean(),
  });

  test('watcherinfoSize(shape) is the byte length of the real encoding, and that encoding decodes to the shape', () => {
    fc.assert(
      fc.property(shape, (s) => {
        const text = encodeWatcherinfo(representativeWatcherinfo(s));
        expect(watcherinfoSize(s)).toBe(Buffer.byteLength(text, 'utf8'));
        const back = decodeWatcherinfo(text);
        expect(back.lists[0]?.watchers).toHaveLength(s.watchers);
        expect(String(back.version)).toHaveLength(s.versionDigits ?? 1);
        expect(back.lists[0]?.resource.length).toBe(Math.max(7, s.resourceLength));
      }),
      { numRuns: 100 },
    );
  });

  test('watcherinfoSize grows by exactly the added bytes', () => {
    const base: WatcherinfoShape = { resourceLength: 20, watchers: 2, watcherLength: 20, status: 'active', event: 'approved' };
    const one = watcherinfoSize(base);
    expect(watcherinfoSize({ ...base, watcherLength: 30 })).toBe(one + 2 * 10);
    expect(watcherinfoSize({ ...base, status: 'terminated' })).toBe(one + 2 * 4);
    expect(watcherinfoSize({ ...base, watchers: 3 }) - one).toBe(one - watcherinfoSize({ ...base, watchers: 1 }));
    expect(watcherinfoSize({ ...base, expirationDigits: 4 })).toBe(one + 2 * ' expiration="1000"'.length);
  });
});
