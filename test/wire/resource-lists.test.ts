/**
 * The codecs of RFC 4662 resource lists (RLMI, multipart/related) and RFC 5262 partial PIDF:
 * encode, decode back, and sizes equal to the length of the real encodings.
 */
import { describe, expect, it } from 'vitest';
import { encodePidf } from '../../sim/wire/pidf-encode.js';
import type { PidfTuple } from '../../sim/wire/pidf-model.js';
import { decodePidfDiff, encodePidfDiff, pidfDiffSize } from '../../sim/wire/pidf-diff.js';
import { decodeRlmi, encodeRlmi, rlmiListBytes, rlmiResourceBytes, RLMI_STATES, RLMI_TYPE, type RlmiDocument } from '../../sim/wire/rlmi.js';
import { decodeMultipartRelated, encodeMultipartRelated, mimeBoundary, mimeContentId, multipartCloseBytes, multipartPartBytes } from '../../sim/wire/multipart.js';
import { rlmiInstanceId } from '../../sim/wire/ids.js';
import { parseXml } from '../../sim/wire/xml.js';
import { WireError } from '../../sim/wire/errors.js';

const len = (s: string) => Buffer.byteLength(s, 'utf8');
const RPID = 'urn:ietf:params:xml:ns:pidf:im';
const tuple = (id: string, basic: 'open' | 'closed', note = ''): PidfTuple => ({
  id,
  status: { basic, extensions: [{ ns: RPID, name: 'im', text: 'away', attributes: {}, children: [] }] },
  contact: { uri: 'im:u1@example.com', priority: 0.8 },
  notes: note === '' ? [] : [{ text: note, lang: 'en' }],
  timestamp: '2026-01-01T00:00:00Z',
  extensions: [],
});

describe('RFC 5262 pidf-diff', () => {
  it('replaces the changed tuple by its new state, the tuple written exactly as in PIDF', () => {
    const t = tuple('t2', 'closed', 'Back soon');
    const diff = encodePidfDiff({ entity: 'pres:u1@example.com', version: 7, replace: [t] });
    expect(diff).toContain('<p:pidf-diff xmlns="urn:ietf:params:xml:ns:pidf" xmlns:p="urn:ietf:params:xml:ns:pidf-diff"');
    expect(diff).toContain(`version="7">`);
    expect(diff).toContain(`<p:replace sel="*/tuple[@id='t2']"><tuple id="t2">`);
    // the tuple's own lines are those of the PIDF document
    const pidf = encodePidf({ entity: 'pres:u1@example.com', tuples: [t], notes: [], extensions: [] });
    for (const l of pidf.split('\n').slice(3, -3)) expect(diff).toContain(l);
    // well-formed, and read back
    expect(parseXml(diff).root.local).toBe('pidf-diff');
    const back = decodePidfDiff(diff);
    expect(back).toEqual({ entity: 'pres:u1@example.com', version: 7, replace: [t] });
  });

  it('sizes a patch as its real encoding from the bytes of the one-tuple PIDF document', () => {
    for (const [ids, version] of [[['t1'], 1], [['t2'], 42], [['t10'], 9999], [['t1', 't3'], 5]] as const) {
      const tuples = ids.map((id, i) => tuple(id, i % 2 ? 'open' : 'closed', i ? 'In a meeting' : ''));
      const pidf = encodePidf({ entity: 'pres:u17@alpha.example', tuples, notes: [], extensions: [] });
      const diff = encodePidfDiff({ entity: 'pres:u17@alpha.example', version, replace: tuples });
      expect(pidfDiffSize(len(pidf), ids.map((x) => x.length), String(version).length)).toBe(len(diff));
    }
  });

  it('refuses a patch with an operation other than a tuple replace, naming it', () => {
    const diff = encodePidfDiff({ entity: 'pres:u1@example.com', version: 1, replace: [tuple('t1', 'open')] }).replace(/p:replace/g, 'p:remove');
    expect(() => decodePidfDiff(diff)).toThrow(/<p:remove> is not a replace/);
  });
});

describe('RFC 4662 RLMI', () => {
  const doc: RlmiDocument = {
    uri: 'sip:u0-buddies@example.com',
    version: 1,
    fullState: true,
    resources: [
      { uri: 'sip:u1@example.com', instances: [{ id: rlmiInstanceId(1), state: 'active', cid: mimeContentId(1, 'example.com') }] },
      { uri: 'sip:u22@other.example', instances: [{ id: rlmiInstanceId(2), state: 'pending' }] },
      { uri: 'sip:u3@example.com', instances: [{ id: rlmiInstanceId(3), state: 'terminated', reason: 'rejected' }] },
      { uri: 'sip:u4@example.com', instances: [] },
    ],
  };

  it('encodes the list as RFC 4662 s.5 writes it and decodes it back', () => {
    const xml = encodeRlmi(doc);
    expect(xml).toContain('<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:u0-buddies@example.com" version="1" fullState="true">');
    expect(xml).toContain(`<instance id="${rlmiInstanceId(1)}" state="active" cid="${mimeContentId(1, 'example.com')}"/>`);
    expect(decodeRlmi(xml)).toEqual(doc);
  });

  it('sizes a document as the list plus each resource, equal to the real encoding', () => {
    const stateOf = (r: RlmiDocument['resources'][number]) => (r.instances.length === 0 ? -1 : RLMI_STATES.indexOf(r.instances[0].state));
    const sum = doc.resources.reduce(
      (n, r) => n + rlmiResourceBytes(r.uri.length, stateOf(r), r.instances[0]?.reason?.length ?? 0, r.instances[0]?.cid?.length ?? 0),
      rlmiListBytes(doc.uri.length, 1, true),
    );
    expect(sum).toBe(len(encodeRlmi(doc)));
    const partial = { ...doc, version: 123, fullState: false, resources: doc.resources.slice(0, 1) };
    expect(rlmiListBytes(doc.uri.length, 3, false) + rlmiResourceBytes(18, 0, 0, partial.resources[0].instances[0].cid!.length)).toBe(len(encodeRlmi(partial)));
  });

  it('refuses an instance with a state RFC 4662 does not define', () => {
    expect(() => decodeRlmi(encodeRlmi(doc).replace('state="pending"', 'state="waiting"'))).toThrow(WireError);
  });
});

describe('RFC 2387 multipart/related', () => {
  const rlmi = encodeRlmi({ uri: 'sip:u0-buddies@example.com', version: 2, fullState: false, resources: [{ uri: 'sip:u1@example.com', instances: [{ id: rlmiInstanceId(1), state: 'active', cid: mimeContentId(8, 'example.com') }] }] });
  const pidf = encodePidf({ entity: 'pres:u1@example.com', tuples: [tuple('t1', 'open')], notes: [], extensions: [] });
  const m = {
    boundary: mimeBoundary(3),
    type: RLMI_TYPE,
    parts: [
      { contentId: mimeContentId(7, 'example.com'), contentType: `${RLMI_TYPE};charset="UTF-8"`, body: rlmi },
      { contentId: mimeContentId(8, 'example.com'), contentType: 'application/pidf+xml;charset="UTF-8"', body: pidf },
    ],
  };

  it('frames the RLMI root part and one part per resource, and reads them back', () => {
    const { contentType, body } = encodeMultipartRelated(m);
    expect(contentType).toBe(`multipart/related;type="application/rlmi+xml";start="<${m.parts[0].contentId}>";boundary="${m.boundary}"`);
    expect(body.startsWith(`--${m.boundary}\r\nContent-Transfer-Encoding: binary\r\n`)).toBe(true);
    expect(body.endsWith(`--${m.boundary}--\r\n`)).toBe(true);
    expect(decodeMultipartRelated(contentType, body)).toEqual(m);
  });

  it('sizes the body as the framing per part plus the bodies, equal to the real encoding', () => {
    const { body } = encodeMultipartRelated(m);
    const cid = m.parts[0].contentId.length;
    const size = m.parts.reduce((n, p) => n + multipartPartBytes(m.boundary.length, cid, p.contentType) + len(p.body), multipartCloseBytes(m.boundary.length));
    expect(size).toBe(len(body));
  });

  it('refuses a body whose root part is not of the type parameter', () => {
    const { contentType, body } = encodeMultipartRelated(m);
    expect(() => decodeMultipartRelated(contentType.replace('application/rlmi+xml', 'application/pidf+xml'), body)).toThrow(/root part/);
  });
});
