import { describe, expect, test } from 'vitest';
import {
  CPIM_HEADERS_NS,
  buildCpimMessage,
  cpimHeaderUrn,
  decodeCpimHeaders,
  decodeCpimMessage,
  encodeCpimMessage,
  escapeCpim,
  unescapeCpim,
  viewCpimMessage,
} from '../../sim/wire/index.js';
import { FROM, TO, cpimText, expectWireError } from './helpers.js';

describe('decodeCpimMessage: header line syntax (RFC 3862 s.3.6)', () => {
  test('decodeCpimMessage rejects a header line without a colon, naming the line', () => {
    const err = expectWireError(() => decodeCpimMessage(cpimText([FROM, TO, 'no colon here'])), 'WIRE_ERR_CPIM_BAD_HEADER');
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/"no colon here" is not a header.*line 3/);
  });

  test('decodeCpimMessage rejects a header name with a space or two dots (WIRE_ERR_CPIM_BAD_HEADER_NAME)', () => {
    const spaced = expectWireError(() => decodeCpimMessage(cpimText([FROM, 'Bad Name: x', TO])), 'WIRE_ERR_CPIM_BAD_HEADER_NAME');
    expect([spaced.line, spaced.header]).toEqual([2, 'Bad Name']);
    expectWireError(() => decodeCpimMessage(cpimText([FROM, TO, 'a.b.c: x'])), 'WIRE_ERR_CPIM_BAD_HEADER_NAME');
  });

  test('decodeCpimMessage rejects folded continuation lines (no folding in message headers)', () => {
    const err = expectWireError(() => decodeCpimMessage(cpimText([FROM, TO, 'Subject: long', ' continued'])), 'WIRE_ERR_CPIM_BAD_HEADER');
    expect(err.line).toBe(4);
    expect(err.message).toMatch(/folding/);
  });

  test('decodeCpimMessage demands exactly one space after the colon and no trailing whitespace', () => {
    expect(expectWireError(() => decodeCpimMessage(cpimText([FROM, TO, 'Subject:hi'])), 'WIRE_ERR_CPIM_BAD_HEADER').message).toMatch(
      /exactly one space after "Subject:".*line 3/,
    );
    expect(expectWireError(() => decodeCpimMessage(cpimText([FROM, TO, 'Subject:  hi'])), 'WIRE_ERR_CPIM_BAD_HEADER').message).toMatch(/more than one space/);
    expect(expectWireError(() => decodeCpimMessage(cpimText([FROM, TO, 'Subject: hi '])), 'WIRE_ERR_CPIM_BAD_HEADER').message).toMatch(/trailing whitespace/);
  });

  test('decodeCpimMessage rejects a raw TAB in a header value and names the column', () => {
    const err = expectWireError(() => decodeCpimMessage(cpimText([FROM, TO, 'Subject: a\tb'])), 'WIRE_ERR_CPIM_BAD_HEADER');
    expect([err.line, err.column]).toEqual([3, 11]);
    expect(err.message).toContain('U+0009');
  });

  test('decodeCpimMessage rejects a malformed ;parameter', () => {
    expectWireError(() => decodeCpimMessage(cpimText([FROM, TO, 'X-Ext:;p= v'])), 'WIRE_ERR_CPIM_BAD_HEADER');
    expectWireError(() => decodeCpimMessage(cpimText([FROM, TO, 'X-Ext:;p="open v'])), 'WIRE_ERR_CPIM_BAD_HEADER');
  });

  test('decodeCpimMessage accepts bare LF line ends but reports them', () => {
    const msg = decodeCpimMessage(`${FROM}\n${TO}\n\nContent-Type: text/plain\n\nhi\n`);
    expect(msg.content.body).toBe('hi\n');
    expect(msg.warnings).toEqual(['line 1 and 4 other line(s) end with a bare LF; RFC 3862 requires CRLF line ends']);
  });
});

describe('decodeCpimMessage: core headers (RFC 3862 s.4) and this profile', () => {
  test('RFC 2779 4.1.2, 4.1.3: decodeCpimMessage rejects a message without From, pointing at the header block', () => {
    const err = expectWireError(() => decodeCpimMessage(cpimText([TO])), 'WIRE_ERR_CPIM_MISSING_FROM');
    expect(err.line).toBe(1);
    expect(err.message).toMatch(/no From header.*line 1/);
  });

  test('RFC 2779 4.1.2: decodeCpimMessage rejects a second From and a message without To', () => {
    const dup = expectWireError(() => decodeCpimMessage(cpimText([FROM, TO, 'From: <im:eve@example.com>'])), 'WIRE_ERR_CPIM_DUPLICATE_HEADER');
    expect([dup.line, dup.header]).toEqual([3, 'From']);
    expect(dup.message).toMatch(/first is on line 1/);
    expectWireError(() => decodeCpimMessage(cpimText([FROM])), 'WIRE_ERR_CPIM_MISSING_TO');
  });

  test('decodeCpimMessage treats "from" as an unknown header (names are case-sensitive) and warns', () => {
    const msg = decodeCpimMessage(cpimText([FROM, TO, 'to: <im:x@y>']));
    expect(msg.headers[2]).toEqual({ kind: 'extension', name: 'to', params: [], value: '<im:x@y>' });
    expect(msg.warnings).toEqual([expect.stringMatching(/line 3: "to" is not "To"/)]);
    expectWireError(() => decodeCpimMessage(cpimText(['from: <im:a@b>', TO])), 'WIRE_ERR_CPIM_MISSING_FROM');
  });

  test.each([
    ['2000-12-13 13:40:00Z'],
    ['2000-13-13T13:40:00Z'],
    ['2000-12-13T24:00:00Z'],
    ['2000-12-13T13:40:00'],
    ['2000-12-13T13:40:00+5:00'],
    ['yesterday'],
  ])('decodeCpimMessage rejects the malformed DateTime %j', (value) => {
    const err = expectWireError(() => decodeCpimMessage(cpimText([FROM, TO, `DateTime: ${value}`])), 'WIRE_ERR_CPIM_BAD_DATETIME');
    expect([err.line, err.header]).toEqual([3, 'DateTime']);
  });

  test('decodeCpimMessage accepts RFC 3339 lower-case t/z, fractions and leap seconds in DateTime, but only once', () => {
    const msg = decodeCpimMessage(cpimText([FROM, TO, 'DateTime: 1990-12-31t23:59:60.25z']));
    expect(msg.headers[2]).toEqual({ kind: 'dateTime', value: '1990-12-31t23:59:60.25z' });
    expectWireError(
      () => decodeCpimMessage(cpimText([FROM, TO, 'DateTime: 2000-01-01T00:00:00Z', 'DateTime: 2000-01-01T00:00:01Z'])),
      'WIRE_ERR_CPIM_DUPLICATE_HEADER',
    );
  });

  test('RFC 2779 4.1.6: decodeCpimMessage allows one Subject per language only, with a valid ;lang tag and no other parameter', () => {
    const ok = decodeCpimMessage(cpimText([FROM, TO, 'Subject: hi', 'Subject:;lang=de hallo', 'Subject:;lang=fr salut']));
    expect(viewCpimMessage(ok).subjects).toEqual([{ text: 'hi' }, { text: 'hallo', lang: 'de' }, { text: 'salut', lang: 'fr' }]);
    const dup = expectWireError(() => decodeCpimMessage(cpimText([FROM, TO, 'Subject:;lang=de a', 'Subject:;lang=DE b'])), 'WIRE_ERR_CPIM_DUPLICATE_HEADER');
    expect(dup.line).toBe(4);
    expectWireError(() => decodeCpimMessage(cpimText([FROM, TO, 'Subject:;lang=en_GB hi'])), 'WIRE_ERR_CPIM_BAD_LANG');
    expectWireError(() => decodeCpimMessage(cpimText([FROM, TO, 'Subject:;charset=x hi'])), 'WIRE_ERR_CPIM_BAD_HEADER');
  });

  test('decodeCpimMessage rejects parameters on From', () => {
    expect(expectWireError(() => decodeCpimMessage(cpimText(['From:;lang=en <im:a@b>', TO])), 'WIRE_ERR_CPIM_BAD_HEADER').message).toMatch(
      /From takes no parameters/,
    );
  });

  test.each([
    ['im:ada@example.com', 'no angle brackets'],
    ['Ada <ada>', 'relative URI'],
    ['Ada  Lovelace <im:a@b>', 'two spaces between name tokens'],
    ['"Ada <im:a@b>', 'unterminated quoted name'],
    ['Ada<im:a@b>', 'token name without the space before <'],
    ['<im:a@b> trailing', 'text after the address'],
  ])('decodeCpimMessage rejects the From value %j (%s)', (value) => {
    const err = expectWireError(() => decodeCpimMessage(cpimText([`From: ${value}`, TO])), 'WIRE_ERR_CPIM_BAD_ADDRESS');
    expect([err.line, err.header]).toEqual([1, 'From']);
  });

  test('RFC 2779 4.1.6: decodeCpimMessage reads token and quoted Formal-names, decoding escapes in the quoted form', () => {
    const msg = decodeCpimMessage(cpimText(['From: "Ada \\"A.\\" L\\u00f6velace"<im:ada@example.com>', 'To: "Bob" <im:bob@example.com>', 'cc: Dr. Who <im:who@example.com>']));
    expect(viewCpimMessage(msg)).toMatchObject({
      from: { name: 'Ada "A." L\u00f6velace', uri: 'im:ada@example.com' },
      to: [{ name: 'Bob', uri: 'im:bob@example.com' }],
      cc: [{ name: 'Dr. Who', uri: 'im:who@example.com' }],
    });
  });
});

describe('decodeCpimMessage: namespaces and Require (RFC 3862 s.3.4, s.3.5)', () => {
  test('decodeCpimMessage rejects a prefix used before its NS declaration', () => {
    const err = expectWireError(() => decodeCpimMessage(cpimText([FROM, TO, 'Sim.TraceId: 42', 'NS: Sim <urn:example:sim>'])), 'WIRE_ERR_CPIM_UNDECLARED_PREFIX');
    expect([err.line, err.header]).toEqual([3, 'Sim.TraceId']);
  });

  test('decodeCpimMessage rejects NS with a relative URI, a fragment or no angle brackets', () => {
    for (const value of ['Sim <relative>', 'Sim <urn:x#frag>', 'Sim urn:x']) {
      expect(expectWireError(() => decodeCpimMessage(cpimText([FROM, TO, `NS: ${value}`])), 'WIRE_ERR_CPIM_BAD_NAMESPACE').line).toBe(3);
    }
  });

  test('an NS default reset moves later un-prefixed headers out of the CPIM namespace', () => {
    const msg = decodeCpimMessage(cpimText([FROM, TO, 'NS: <urn:example:other:>', 'Subject: not a subject'], ['Content-Type: text/plain']));
    expect(msg.headers[3]).toEqual({ kind: 'extension', name: 'Subject', params: [], value: 'not a subject' });
    const view = viewCpimMessage(msg);
    expect(view.subjects).toEqual([]);
    expect(view.extensions).toEqual([
      { name: 'Subject', namespace: 'urn:example:other:', urn: 'urn:example:other:Subject', params: [], value: 'not a subject' },
    ]);
  });

  test('a prefix bound to the CPIM namespace reaches the core headers', () => {
    const msg = decodeCpimMessage(cpimText([`NS: cpim <${CPIM_HEADERS_NS}>`, 'cpim.From: <im:a@b>', TO]));
    expect(msg.headers[1]).toEqual({ kind: 'from', prefix: 'cpim', address: { uri: 'im:a@b' } });
  });

  test('RFC 2779 4.1.8: decodeCpimMessage rejects Require of an unknown header, naming the line and full name', () => {
    const lines = [FROM, TO, 'NS: Sim <urn:example:sim:>', 'Require: Sim.TraceId', 'Sim.TraceId: 42'];
    const err = expectWireError(() => decodeCpimMessage(cpimText(lines)), 'WIRE_ERR_CPIM_REQUIRE_UNSUPPORTED');
    expect([err.line, err.header]).toEqual([4, 'Require']);
    expect(err.message).toContain('urn:example:sim:TraceId');
    expect(decodeCpimMessage(cpimText(lines), { understood: [cpimHeaderUrn('urn:example:sim:', 'TraceId')] }).warnings).toBeUndefined();
    expect(decodeCpimMessage(cpimText(lines), { unknownRequire: 'warn' }).warnings).toEqual([expect.stringMatching(/line 4: Require lists Sim.TraceId/)]);
  });

  test('Require of core headers is always understood; an undeclared prefix or empty entry is an error', () => {
    expect(decodeCpimMessage(cpimText([FROM, TO, 'Require: DateTime,Subject'])).headers[2]).toEqual({ kind: 'require', names: ['DateTime', 'Subject'] });
    expectWireError(() => decodeCpimMessage(cpimText([FROM, TO, 'Require: Nope.Thing'])), 'WIRE_ERR_CPIM_UNDECLARED_PREFIX');
    expectWireError(() => decodeCpimMessage(cpimText([FROM, TO, 'Require: DateTime,,Subject'])), 'WIRE_ERR_CPIM_BAD_REQUIRE');
  });

  test('cpimHeaderUrn %-escapes characters a URI cannot hold', () => {
    expect(cpimHeaderUrn(CPIM_HEADERS_NS, 'From')).toBe('urn:ietf:params:cpim-headers:From');
    expect(cpimHeaderUrn('urn:x:', 'a#b%c|d')).toBe('urn:x:a%23b%25c%7Cd');
  });
});

describe('decodeCpimMessage: MIME parts (RFC 3862 s.2)', () => {
  test('decodeCpimMessage rejects message headers not followed by a blank line and content', () => {
    const err = expectWireError(() => decodeCpimMessage(`${FROM}\r\n${TO}\r\n`), 'WIRE_ERR_CPIM_MISSING_SEPARATOR');
    expect(err.line).toBe(3);
  });

  test('decodeCpimMessage names a missing blank line when message headers and a Content-Type share one block', () => {
    const noBlank = `${FROM}\r\n${TO}\r\nContent-Type: text/plain\r\n\r\nhi`;
    const err = expectWireError(() => decodeCpimMessage(noBlank), 'WIRE_ERR_CPIM_MISSING_SEPARATOR');
    expect([err.line, err.header]).toEqual([3, 'Content-Type']);
    expect(err.message).toMatch(/blank line before the encapsulated content is missing/);
    const envelope = `Content-Type: message/cpim\r\n${cpimText([FROM, TO])}`;
    const err2 = expectWireError(() => decodeCpimMessage(envelope), 'WIRE_ERR_CPIM_MISSING_SEPARATOR');
    expect([err2.line, err2.header]).toEqual([2, 'From']);
  });

  test('RFC 2779 4.1.5: decodeCpimMessage rejects encapsulated content without Content-Type, or with two', () => {
    const err = expectWireError(() => decodeCpimMessage(cpimText([FROM, TO], ['Content-ID: <1@x>'])), 'WIRE_ERR_CPIM_MISSING_CONTENT_TYPE');
    expect(err.line).toBe(4);
    expectWireError(() => decodeCpimMessage(cpimText([FROM, TO], ['Content-Type: text/plain', 'content-type: text/html'])), 'WIRE_ERR_CPIM_DUPLICATE_HEADER');
    expectWireError(() => decodeCpimMessage(cpimText([FROM, TO], ['Content-Type: text'])), 'WIRE_ERR_CPIM_BAD_CONTENT_TYPE');
    expectWireError(() => decodeCpimMessage(cpimText([FROM, TO], ['Content-Type text/plain'])), 'WIRE_ERR_MIME_BAD_HEADER');
  });

  test('RFC 2779 4.1.5, 4.1.10: decodeCpimMessage unfolds MIME content headers and keeps the body byte for byte', () => {
    const msg = decodeCpimMessage(cpimText([FROM, TO], ['Content-Type: text/plain;', '\tcharset=utf-8'], 'a\r\nb\rc\n\r\n'));
    expect(msg.content).toEqual({ headers: [{ name: 'Content-Type', value: 'text/plain;\tcharset=utf-8' }], body: 'a\r\nb\rc\n\r\n' });
  });

  test('decodeCpimMessage accepts content headers without a body, with a warning', () => {
    const msg = decodeCpimMessage(`${FROM}\r\n${TO}\r\n\r\nContent-Type: text/plain`);
    expect(msg.content.body).toBe('');
    expect(msg.warnings).toEqual([expect.stringMatching(/no blank line and no content/)]);
  });

  test('decodeCpimMessage rejects an outer MIME entity that is not message/cpim, and warns about parameters', () => {
    const err = expectWireError(() => decodeCpimMessage(`Content-Type: multipart/signed\r\n\r\n${cpimText([FROM, TO])}`), 'WIRE_ERR_CPIM_NOT_CPIM_ENVELOPE');
    expect(err.line).toBe(1);
    const withParam = decodeCpimMessage(`MIME-Version: 1.0\r\nContent-Type: message/cpim; x=1\r\n\r\n${cpimText([FROM, TO])}`);
    expect(withParam.mime).toEqual([
      { name: 'MIME-Version', value: '1.0' },
      { name: 'Content-Type', value: 'message/cpim; x=1' },
    ]);
    expect(withParam.warnings).toEqual([expect.stringMatching(/registered without any/)]);
    expectWireError(() => decodeCpimMessage('Content-Type: message/cpim\r\n'), 'WIRE_ERR_CPIM_MISSING_SEPARATOR');
  });

  test('decodeCpimHeaders rejects text after the header block', () => {
    expect(expectWireError(() => decodeCpimHeaders(`${FROM}\r\n${TO}\r\n\r\nmore`), 'WIRE_ERR_CPIM_BAD_HEADER').line).toBe(4);
  });
});

describe('escapes (RFC 3862 s.2.3)', () => {
  test('unescapeCpim decodes short forms and \\uXXXX, reads unknown \\x as x and drops a final lone backslash', () => {
    expect(unescapeCpim('a\\tb\\nc\\\\d\\"e\\\'f\\u0041\\qg\\')).toBe('a\tb\nc\\d"e\'fAqg');
    expect(unescapeCpim('\\u12')).toBe('u12');
  });

  test('escapeCpim uses short forms, \\uXXXX for other controls, and escapes quotes only inside strings', () => {
    expect(escapeCpim('a\\b\t\n\r\b\u0001\u007f"', false)).toBe('a\\\\b\\t\\n\\r\\b\\u0001\\u007F"');
    expect(escapeCpim('"x"', true)).toBe('\\"x\\"');
  });

  test('decodeCpimMessage decodes escapes in Subject', () => {
    const msg = decodeCpimMessage(cpimText([FROM, TO, 'Subject: tab\\there \\u263A']));
    expect(viewCpimMessage(msg).subjects).toEqual([{ text: 'tab\there \u263a' }]);
  });
});

describe('encodeCpimMessage and buildCpimMessage', () => {
  test('encodeCpimMessage writes the canonical order, CRLF, token or quoted names and escaped subjects', () => {
    const msg = buildCpimMessage({
      from: { name: 'Ada Lovelace', uri: 'im:ada@d3.sim.example' },
      to: [{ uri: 'im:charles@d9.sim.example' }],
      cc: [{ name: 'Mary, Countess', uri: 'im:mary@d3.sim.example' }],
      dateTime: '2024-03-07T09:16:40Z',
      subjects: [{ text: 'Engine\ttables', lang: 'en' }],
      namespaces: [{ prefix: 'Sim', uri: 'urn:example-org:impp-sim:headers' }],
      require: ['Sim.TraceId'],
      extensions: [{ prefix: 'Sim', name: 'TraceId', value: 'run42-msg-000117' }],
      contentType: 'text/plain; charset=utf-8',
      body: 'The corrected tables are ready.',
    });
    expect(encodeCpimMessage(msg)).toBe(
      [
        'From: Ada Lovelace <im:ada@d3.sim.example>',
        'To: <im:charles@d9.sim.example>',
        'cc: "Mary, Countess"<im:mary@d3.sim.example>',
        'DateTime: 2024-03-07T09:16:40Z',
        'Subject:;lang=en Engine\\ttables',
        'NS: Sim <urn:example-org:impp-sim:headers>',
        'Require: Sim.TraceId',
        'Sim.TraceId: run42-msg-000117',
        '',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'The corrected tables are ready.',
      ].join('\r\n'),
    );
    expect(decodeCpimMessage(encodeCpimMessage(msg), { unknownRequire: 'ignore' })).toEqual(msg);
  });

  test('encodeCpimMessage refuses values that would not decode, naming the header and line', () => {
    const badUri = buildCpimMessage({ from: { uri: 'ada' }, to: [{ uri: 'im:b@c' }], contentType: 'text/plain', body: '' });
    const err = expectWireError(() => encodeCpimMessage(badUri), 'WIRE_ERR_CPIM_BAD_ADDRESS');
    expect(err.message).toMatch(/^cannot encode: .*line 1/);
    const undeclared = buildCpimMessage({ from: { uri: 'im:a@b' }, to: [{ uri: 'im:b@c' }], extensions: [{ prefix: 'X', name: 'Y', value: '1' }], contentType: 'text/plain', body: '' });
    expectWireError(() => encodeCpimMessage(undeclared), 'WIRE_ERR_CPIM_UNDECLARED_PREFIX');
    const noTo = buildCpimMessage({ from: { uri: 'im:a@b' }, to: [], contentType: 'text/plain', body: '' });
    expectWireError(() => encodeCpimMessage(noTo), 'WIRE_ERR_CPIM_MISSING_TO');
    const spaced = buildCpimMessage({ from: { uri: 'im:a@b' }, to: [{ uri: 'im:b@c' }], subjects: [{ text: 'hi ' }], contentType: 'text/plain', body: '' });
    expectWireError(() => encodeCpimMessage(spaced), 'WIRE_ERR_CPIM_BAD_HEADER');
  });

  test('buildCpimMessage with envelope produces the complete-entity form', () => {
    const text = encodeCpimMessage(buildCpimMessage({ from: { uri: 'im:a@b' }, to: [{ uri: 'im:b@c' }], contentType: 'text/plain', body: 'x', envelope: true }));
    expect(text.startsWith('Content-Type: message/cpim\r\n\r\nFrom: <im:a@b>\r\n')).toBe(true);
    expect(decodeCpimMessage(text).mime).toEqual([{ name: 'Content-Type', value: 'message/cpim' }]);
  });
});
