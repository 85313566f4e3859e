/**
 * Bytes of XMPP stanzas per shape, measured on the real encoding of a
 * representative stanza and memoised per shape. Lengths in a shape are
 * bytes as written (after XML escaping), so `xmppShapeOf(s)` of any stanza
 * gives a shape whose size is the encoding's length (tested).
 */
import { ShapeSizes } from './shape-cache.js';
import { escapeXmlAttribute, escapeXmlText } from './xml.js';
import { encodeXmpp, type MessageType, type PresenceShow, type PresenceType, type RosterItem, type RosterSubscription, type XmppStanza, type XmppText } from './xmpp.js';

export interface XmppShape {
  kind: 'presence' | 'message' | 'iq';
  /** The stanza's type attribute (absent for available presence and untyped messages). */
  type?: string;
  show?: PresenceShow;
  /** Escaped bytes of from, to, id; absent: the attribute is absent. */
  fromLength?: number;
  toLength?: number;
  idLength?: number;
  /** Status (presence) or body (message) texts: escaped bytes and language. */
  texts: { length: number; lang?: string }[];
  priority?: number;
  receiptRequest?: boolean;
  receivedIdLength?: number;
  roster?: { jidLength: number; subscription?: RosterSubscription; ask?: boolean; nameLength?: number; groups: number[] }[];
  /** Written with xmlns="jabber:client" (a document of its own) rather than as sent on a stream. */
  standalone?: boolean;
}

const bytes = (v: string): number => Buffer.byteLength(v, 'utf8');
const attrBytes = (v: string | undefined): number | undefined => (v === undefined ? undefined : bytes(escapeXmlAttribute(v)));
const fill = (n: number): string => 'x'.repeat(n);

/** A JID of n bytes (at least 1): a domain, or local@domain past the 1023-byte part limit. */
function jid(n: number): string {
  return n <= 1023 ? fill(Math.max(1, n)) : `${fill(n - 1024)}@${fill(1023)}`;
}

export function xmppShapeOf(s: XmppStanza, options: { standalone?: boolean } = {}): XmppShape {
  const shape: XmppShape = { kind: s.kind, texts: [] };
  if (s.type !== undefined) shape.type = s.type;
  for (const [key, value] of [['fromLength', s.from], ['toLength', s.to], ['idLength', s.id]] as const) {
    const n = attrBytes(value);
    if (n !== undefined) shape[key] = n;
  }
  const texts = s.kind === 'presence' ? s.status : s.kind === 'message' ? s.body : [];
  shape.texts = texts.map((t) => (t.lang === undefined ? { length: bytes(escapeXmlText(t.text)) } : { length: bytes(escapeXmlText(t.text)), lang: t.lang }));
  if (s.kind === 'presence') {
    if (s.show !== undefined) shape.show = s.show;
    if (s.priority !== undefined) shape.priority = s.priority;
  }
  if (s.kind === 'message') {
    if (s.receiptRequest === true) shape.receiptRequest = true;
    const n = attrBytes(s.receivedId);
    if (n !== undefined) shape.receivedIdLength = n;
  }
  if (s.kind === 'iq' && s.roster !== undefined) {
    shape.roster = s.roster.map((it) => {
      const item: NonNullable<XmppShape['roster']>[number] = { jidLength: bytes(escapeXmlAttribute(it.jid)), groups: it.groups.map((g) => bytes(escapeXmlText(g))) };
      if (it.subscription !== undefined) item.subscription = it.subscription;
      if (it.ask !== undefined) item.ask = true;
      const n = attrBytes(it.name);
      if (n !== undefined) item.nameLength = n;
      return item;
    });
  }
  if (options.standalone === true) shape.standalone = true;
  return shape;
}

/** The stanza whose encoding `xmppStanzaSize` measures ("x" fills every variable field: a valid JID, id and text). */
export function representativeXmpp(shape: XmppShape): XmppStanza {
  const addressing: { from?: string; to?: string; id?: string } = {};
  if (shape.fromLength !== undefined) addressing.from = jid(shape.fromLength);
  if (shape.toLength !== undefined) addressing.to = jid(shape.toLength);
  if (shape.idLength !== undefined) addressing.id = fill(shape.idLength);
  const texts: XmppText[] = shape.texts.map((t) => (t.lang === undefined ? { text: fill(t.length) } : { text: fill(t.length), lang: t.lang }));
  if (shape.kind === 'presence') {
    const p: XmppStanza = { kind: 'presence', ...addressing, status: texts };
    if (shape.type !== undefined) p.type = shape.type as PresenceType;
    if (shape.show !== undefined) p.show = shape.show;
    if (shape.priority !== undefined) p.priority = shape.priority;
    return p;
  }
  if (shape.kind === 'message') {
    const m: XmppStanza = { kind: 'message', ...addressing, body: texts };
    if (shape.type !== undefined) m.type = shape.type as MessageType;
    if (shape.receiptRequest === true) m.receiptRequest = true;
    if (shape.receivedIdLength !== undefined) m.receivedId = fill(shape.receivedIdLength);
    return m;
  }
  const iq: XmppStanza = { kind: 'iq', ...addressing, id: addressing.id ?? '', type: (shape.type ?? 'result') as 'result' };
  if (shape.roster !== undefined) {
    iq.roster = shape.roster.map((it) => {
      const item: RosterItem = { jid: jid(it.jidLength), groups: it.groups.map(fill) };
      if (it.subscription !== undefined) item.subscription = it.subscription;
      if (it.ask === true) item.ask = 'subscribe';
      if (it.nameLength !== undefined) item.name = fill(it.nameLength);
      return item;
    });
  }
  return iq;
}

const sizes = new ShapeSizes<XmppShape>(
  (s) => JSON.stringify([s.kind, s.type, s.show, s.fromLength, s.toLength, s.idLength, s.texts, s.priority, s.receiptRequest, s.receivedIdLength, s.roster, s.standalone]),
  (s) => bytes(encodeXmpp(representativeXmpp(s), { standalone: s.standalone === true })),
);

/** Bytes of one stanza of this shape as written on the stream (or standalone). */
export function xmppStanzaSize(shape: XmppShape): number {
  return sizes.size(shape);
}

export function clearXmppSizeCache(): void {
  sizes.clear();
}
