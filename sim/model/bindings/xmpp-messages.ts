/**
 * The XMPP binding's messages (RFC 6120 streams, SASL and resource binding; RFC 6121 roster,
 * presence and message stanzas; XEP-0184 receipts): `xmppWireText` writes the text of a wire kind
 * from its parts (stanzas through sim/wire/xmpp.ts, stream-level elements as RFC 6120 writes
 * them), and `XmppSizer` gives its bytes from that text, measured once per shape and then read
 * from a table keyed by numbers.
 */
import { fixedId } from '../../wire/ids.js';
import { encodeXmpp, type PresenceShow, type RosterSubscription, type XmppStanza } from '../../wire/xmpp.js';
import { NOTES } from '../presence-document.js';
import { ROSTER_ITEMS, RI_ASK, WIRE_KINDS, X_ANSWER, X_BROADCAST, X_ERROR, X_KEEPALIVE, X_MESSAGE, X_MESSAGE_ERROR, X_PRESENCE_CLIENT, X_PRESENCE_CLIENT_UNAVAILABLE, X_PROBE, X_RECEIPT, X_ROSTER_PUSH, X_ROSTER_PUSH_RESULT, X_SUBSCRIBE, X_SUBSCRIBE_CLIENT, X_SUBSCRIBED, X_SUBSCRIBED_CLIENT, X_UNAVAILABLE, X_UNSUBSCRIBED, X_UNSUBSCRIBED_CLIENT } from './kinds.js';

export interface XmppParts {
  /** bare JIDs of the sender and the recipient (the sender's full JID adds its resource) */
  from: string;
  to: string;
  /** the server's domain (stream headers) */
  domain: string;
  /**
   * presence: the activity (ACTIVITIES index) and note (NOTES index) shown; message: the body;
   * roster push (to the user `from`, about the contact `to`): `activity` is the item (ROSTER_ITEMS index)
   */
  activity: number;
  note: number;
  body: string;
  /** roster result: the contacts' bare JIDs */
  roster: string[];
  /** a counter for the identifiers (fixed width) */
  n: number;
}

const STREAM_NS = `xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'`;
const SASL_NS = 'urn:ietf:params:xml:ns:xmpp-sasl';
const BIND_NS = 'urn:ietf:params:xml:ns:xmpp-bind';
/** the activities of the model as XMPP show values (RFC 6121 4.7.2.1); available has none */
const SHOW: (PresenceShow | undefined)[] = [undefined, undefined, 'away', 'dnd', 'dnd'];

const resource = (n: number) => `r${fixedId(n)}`;
const full = (jid: string, n: number) => `${jid}/${resource(n)}`;

function presenceOf(p: XmppParts, from: string | undefined, to: string | undefined): XmppStanza {
  const s: XmppStanza = { kind: 'presence', status: p.note > 0 ? [{ text: NOTES[p.note] }] : [] };
  if (from !== undefined) s.from = from;
  if (to !== undefined) s.to = to;
  const show = SHOW[p.activity];
  if (show !== undefined) s.show = show;
  if (p.activity === 0) s.type = 'unavailable';
  return s;
}

/** The text of wire kind k (an XMPP kind) from its parts, as it travels on the stream. */
export function xmppWireText(k: number, p: XmppParts): string {
  const name = WIRE_KINDS[k][0];
  const id = fixedId(p.n);
  switch (name) {
    case 'stream.open':
      return `<?xml version='1.0'?><stream:stream to='${p.domain}' version='1.0' xml:lang='en' ${STREAM_NS}>`;
    case 'stream.restart':
      return `<stream:stream to='${p.domain}' version='1.0' xml:lang='en' ${STREAM_NS}>`;
    case 'stream.features':
      return `<stream:stream from='${p.domain}' id='${id}' version='1.0' xml:lang='en' ${STREAM_NS}><stream:features><mechanisms xmlns='${SASL_NS}'><mechanism>PLAIN</mechanism></mechanisms></stream:features>`;
    case 'stream.features.bind':
      return `<stream:stream from='${p.domain}' id='${id}' version='1.0' xml:lang='en' ${STREAM_NS}><stream:features><bind xmlns='${BIND_NS}'/></stream:features>`;
    case 'sasl.auth': {
      // PLAIN (RFC 4616): authzid empty, the local part, a password of fixed width
      const local = p.from.slice(0, p.from.indexOf('@'));
      return `<auth xmlns='${SASL_NS}' mechanism='PLAIN'>${Buffer.from(`\0${local}\0${fixedId(p.n)}`).toString('base64')}</auth>`;
    }
    case 'sasl.success':
      return `<success xmlns='${SASL_NS}'/>`;
    case 'iq.bind':
      return `<iq id='${id}' type='set'><bind xmlns='${BIND_NS}'><resource>${resource(p.n)}</resource></bind></iq>`;
    case 'iq.bind.result':
      return `<iq id='${id}' type='result'><bind xmlns='${BIND_NS}'><jid>${full(p.from, p.n)}</jid></bind></iq>`;
    case 'iq.roster.get':
      return encodeXmpp({ kind: 'iq', type: 'get', id, roster: [] });
    case 'iq.roster.result':
      return encodeXmpp({ kind: 'iq', type: 'result', id, to: full(p.from, p.n), roster: p.roster.map((jid) => ({ jid, subscription: 'both', groups: [] })) });
    case 'stream.close':
      return '</stream:stream>';
  }
  if (k === X_KEEPALIVE) return ' '; // RFC 6120 4.6.1 whitespace keepalive
  if (k === X_PRESENCE_CLIENT) return encodeXmpp(presenceOf(p, undefined, undefined));
  if (k === X_PRESENCE_CLIENT_UNAVAILABLE) return encodeXmpp({ kind: 'presence', type: 'unavailable', status: [] });
  if (k === X_PROBE) return encodeXmpp({ kind: 'presence', type: 'probe', from: p.from, to: p.to, status: [] });
  if (k === X_ANSWER || k === X_BROADCAST) return encodeXmpp(presenceOf(p, full(p.from, p.n), p.to));
  if (k === X_UNAVAILABLE) return encodeXmpp({ kind: 'presence', type: 'unavailable', from: full(p.from, p.n), to: p.to, status: [] });
  if (k === X_UNSUBSCRIBED) return encodeXmpp({ kind: 'presence', type: 'unsubscribed', from: p.from, to: p.to, status: [] });
  if (k === X_ERROR) return encodeXmpp({ kind: 'presence', type: 'error', from: p.from, to: p.to, status: [] });
  if (k === X_SUBSCRIBE_CLIENT || k === X_SUBSCRIBED_CLIENT || k === X_UNSUBSCRIBED_CLIENT) {
    // RFC 6121 3.1.1, 3.1.5, 3.2.1: the client addresses the other's bare JID; its server stamps the from
    return encodeXmpp({ kind: 'presence', type: k === X_SUBSCRIBE_CLIENT ? 'subscribe' : k === X_SUBSCRIBED_CLIENT ? 'subscribed' : 'unsubscribed', to: p.to, status: [] });
  }
  if (k === X_SUBSCRIBE || k === X_SUBSCRIBED) return encodeXmpp({ kind: 'presence', type: k === X_SUBSCRIBE ? 'subscribe' : 'subscribed', from: p.from, to: p.to, status: [] });
  if (k === X_ROSTER_PUSH) {
    // RFC 6121 2.1.6: one item, to each connected resource of the user
    const sub = ROSTER_ITEMS[p.activity];
    const item = { jid: p.to, subscription: (sub === 'none+ask' ? 'none' : sub) as RosterSubscription, groups: [] };
    return encodeXmpp({ kind: 'iq', type: 'set', id, to: full(p.from, p.n), roster: [p.activity === RI_ASK ? { ...item, ask: 'subscribe' } : item] });
  }
  if (k === X_ROSTER_PUSH_RESULT) return encodeXmpp({ kind: 'iq', type: 'result', id, from: full(p.from, p.n) });
  if (k === X_MESSAGE) return encodeXmpp({ kind: 'message', type: 'chat', from: full(p.from, p.n), to: p.to, id, body: [{ text: p.body }], receiptRequest: true });
  if (k === X_RECEIPT) return encodeXmpp({ kind: 'message', from: full(p.from, p.n), to: full(p.to, p.n), id: fixedId(p.n + 1), body: [], receivedId: id });
  if (k === X_MESSAGE_ERROR) return encodeXmpp({ kind: 'message', type: 'error', from: p.from, to: full(p.to, p.n), id, body: [] });
  throw new RangeError(`xmppWireText: ${name} is not an XMPP wire kind`);
}

const fill = (n: number) => 'x'.repeat(n);
const jid = (n: number) => `${fill(Math.max(1, n - 2))}@d`;
/** a bare JID of n bytes whose domain part has domainLen (the local part then has its real length: SASL PLAIN carries it alone) */
const jidIn = (n: number, domainLen: number) => (domainLen > 0 && n > domainLen + 1 ? `${fill(n - 1 - domainLen)}@${fill(domainLen)}` : jid(n));

/**
 * Bytes of XMPP wire messages: kind k between bare JIDs of fromLen and toLen bytes, a server
 * domain of domainLen, showing (activity, note), with a body of bodyLen bytes. The roster result
 * is sized apart (rosterSize): it grows by one item per contact.
 */
export class XmppSizer {
  private readonly outer = new Map<number, Map<number, number>>();
  private readonly items = new Map<number, number>();

  size(k: number, fromLen: number, toLen: number, domainLen: number, activity: number, note: number, bodyLen: number): number {
    // two numbers, each an exact integer key (one alone would pass 2^53)
    const k1 = ((k * 512 + fromLen) * 512 + toLen) * 256 + domainLen;
    let inner = this.outer.get(k1);
    if (inner === undefined) {
      inner = new Map();
      this.outer.set(k1, inner);
    }
    const k2 = (activity * 8 + note) * 2097152 + bodyLen;
    const hit = inner.get(k2);
    if (hit !== undefined) return hit;
    const bytes = Buffer.byteLength(xmppWireText(k, { from: jidIn(fromLen, domainLen), to: jid(toLen), domain: fill(Math.max(1, domainLen)), activity, note, body: fill(bodyLen), roster: [], n: 0 }), 'utf8');
    inner.set(k2, bytes);
    return bytes;
  }

  /**
   * The bytes one roster item of a contact JID of jidLen bytes adds to a roster result (jidLen 0:
   * what a roster of some items takes beyond the empty one and its items, a closing tag).
   */
  rosterItem(rosterKind: number, jidLen: number): number {
    const hit = this.items.get(jidLen);
    if (hit !== undefined) return hit;
    const parts = { from: 'x@d', to: '', domain: 'd', activity: 0, note: 0, body: '', n: 0 };
    const len = (roster: string[]) => Buffer.byteLength(xmppWireText(rosterKind, { ...parts, roster }), 'utf8');
    const L = Math.max(3, jidLen);
    const one = len([jid(L)]);
    const item = len([jid(L), jid(L)]) - one;
    const bytes = jidLen === 0 ? one - len([]) - item : item;
    this.items.set(jidLen, bytes);
    return bytes;
  }
}

