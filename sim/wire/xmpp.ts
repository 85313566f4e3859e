/**
 * XMPP stanzas (RFC 6120 s.8, RFC 6121) for the XMPP binding: presence
 * (available/unavailable with show, status, priority; probe; the
 * subscription types), message with XEP-0184 receipt request/received, and
 * roster push (iq set with a jabber:iq:roster query).
 *
 * On a client stream a stanza inherits the jabber:client namespace from the
 * stream header, so the encoder writes none by default (the bytes that
 * travel); `{ standalone: true }` declares it for a document of its own. The
 * decoder reads a stanza in jabber:client or jabber:server, or in no
 * namespace (cut from a stream; noted in `warnings`). Elements of other
 * namespaces inside a stanza are extensions (RFC 6120 s.8.4): ignored with a
 * warning unless this module knows them (XEP-0184 receipts, the roster query).
 */
import { WireError } from './errors.js';
import { isLanguageTag } from './syntax.js';
import { XML_NS, type XmlDocument, type XmlElement, escapeXmlAttribute, escapeXmlText, findInvalidXmlChar, isXmlWhitespace, parseXml, xmlTrim } from './xml.js';

export const XMPP_CLIENT_NS = 'jabber:client';
export const XMPP_SERVER_NS = 'jabber:server';
export const XMPP_ROSTER_NS = 'jabber:iq:roster';
export const XMPP_RECEIPTS_NS = 'urn:xmpp:receipts';

export const PRESENCE_TYPES = ['unavailable', 'probe', 'subscribe', 'subscribed', 'unsubscribe', 'unsubscribed', 'error'] as const;
export const PRESENCE_SHOWS = ['away', 'chat', 'dnd', 'xa'] as const;
export const MESSAGE_TYPES = ['chat', 'normal', 'groupchat', 'headline', 'error'] as const;
export const ROSTER_SUBSCRIPTIONS = ['none', 'to', 'from', 'both', 'remove'] as const;

export type PresenceType = (typeof PRESENCE_TYPES)[number];
export type PresenceShow = (typeof PRESENCE_SHOWS)[number];
export type MessageType = (typeof MESSAGE_TYPES)[number];
export type RosterSubscription = (typeof ROSTER_SUBSCRIPTIONS)[number];

interface Addressing {
  from?: string;
  to?: string;
  id?: string;
}

export interface XmppText {
  text: string;
  lang?: string;
}

export interface XmppPresence extends Addressing {
  kind: 'presence';
  /** Absent: available (RFC 6121 s.4.7.1). */
  type?: PresenceType;
  show?: PresenceShow;
  status: XmppText[];
  /** -128..127 (RFC 6121 s.4.7.2.3). */
  priority?: number;
}

export interface XmppMessage extends Addressing {
  kind: 'message';
  type?: MessageType;
  body: XmppText[];
  /** XEP-0184 `<request xmlns='urn:xmpp:receipts'/>`. */
  receiptRequest?: boolean;
  /** XEP-0184 `<received xmlns='urn:xmpp:receipts' id='...'/>`: the id of the message it acknowledges. */
  receivedId?: string;
}

export interface RosterItem {
  jid: string;
  subscription?: RosterSubscription;
  /** RFC 6121 s.2.1.2.2: only "subscribe" is defined. */
  ask?: 'subscribe';
  name?: string;
  groups: string[];
}

export interface XmppIq extends Addressing {
  kind: 'iq';
  type: 'get' | 'set' | 'result' | 'error';
  id: string;
  /** Present for a jabber:iq:roster query (a roster push is type set with one item). */
  roster?: RosterItem[];
}

export type XmppStanza = XmppPresence | XmppMessage | XmppIq;

/** A bare or full JID (RFC 7622): [local "@"] domain ["/" resource], no spaces or XML-special characters in local and domain. */
const JID = /^(?:[^\s@/"&'<>:]{1,1023}@)?[^\s@/"&'<>]{1,1023}(?:\/[^\s][^\r\n]{0,1022})?$/;

export function isJid(value: string): boolean {
  return JID.test(value);
}

function fail(message: string, el: XmlElement): never {
  throw new WireError('WIRE_ERR_XMPP_BAD_STANZA', message, { path: el.path, line: el.line, column: el.column });
}

function attr(el: XmlElement, name: string, ns = ''): string | undefined {
  return el.attributes.find((a) => a.ns === ns && a.local === name)?.value;
}

function oneOf<T extends string>(el: XmlElement, name: string, allowed: readonly T[]): T | undefined {
  const v = attr(el, name);
  if (v !== undefined && !(allowed as readonly string[]).includes(v)) fail(`${name}=${JSON.stringify(v)} on <${el.local}> is not one of ${allowed.join(', ')}`, el);
  return v as T | undefined;
}

function textOf(el: XmlElement): string {
  const child = el.children.find((c): c is XmlElement => c.kind === 'element');
  if (child !== undefined) fail(`<${el.local}> holds text only, found <${child.qname}>`, child);
  return el.children.map((c) => (c.kind === 'text' ? c.value : '')).join('');
}

function langText(el: XmlElement): XmppText {
  const t: XmppText = { text: textOf(el) };
  const lang = attr(el, 'lang', XML_NS);
  if (lang !== undefined) {
    if (!isLanguageTag(lang)) fail(`xml:lang ${JSON.stringify(lang)} is not a language tag`, el);
    t.lang = lang;
  }
  return t;
}

class Decoder {
  readonly warnings: string[] = [];

  constructor(private readonly ns: string) {}

  /** Child elements; stanza-namespace children must be in `own`, others are extensions unless `known`. */
  children(el: XmlElement, own: readonly string[], known: (c: XmlElement) => boolean = () => false): XmlElement[] {
    const out: XmlElement[] = [];
    for (const c of el.children) {
      if (c.kind === 'text') {
        if (!isXmlWhitespace(c.value)) fail(`<${el.local}> holds elements only, found text ${JSON.stringify(xmlTrim(c.value).slice(0, 40))}`, el);
        continue;
      }
      if (c.ns === this.ns) {
        if (!own.includes(c.local)) fail(`<${c.qname}> is not a child of <${el.local}> (RFC 6121)`, c);
        out.push(c);
      } else if (known(c)) out.push(c);
      else this.warnings.push(`extension ${c.path} (line ${c.line}) in ${JSON.stringify(c.ns)} is not understood; ignored (RFC 6120 s.8.4)`);
    }
    return out;
  }

  addressing(el: XmlElement, out: Addressing): void {
    for (const name of ['from', 'to'] as const) {
      const v = attr(el, name);
      if (v !== undefined) {
        if (!isJid(v)) fail(`${name}=${JSON.stringify(v)} is not a JID`, el);
        out[name] = v;
      }
    }
    const id = attr(el, 'id');
    if (id !== undefined) out.id = id;
  }

  presence(el: XmlElement): XmppPresence {
    const p: XmppPresence = { kind: 'presence', status: [] };
    this.addressing(el, p);
    const type = oneOf(el, 'type', PRESENCE_TYPES);
    if (type !== undefined) p.type = type;
    for (const c of this.children(el, ['show', 'status', 'priority', 'error'])) {
      if (c.local === 'status') p.status.push(langText(c));
      else if (c.local === 'show') {
        if (p.show !== undefined) fail('a second <show> (at most one, RFC 6121 s.4.7.2.1)', c);
        const v = textOf(c);
        if (!(PRESENCE_SHOWS as readonly string[]).includes(v)) fail(`<show> ${JSON.stringify(v)} is not one of ${PRESENCE_SHOWS.join(', ')}`, c);
        p.show = v as PresenceShow;
      } else if (c.local === 'priority') {
        if (p.priority !== undefined) fail('a second <priority> (at most one, RFC 6121 s.4.7.2.3)', c);
        const v = textOf(c);
        if (!/^[+-]?[0-9]{1,3}$/.test(v) || Number(v) < -128 || Number(v) > 127) fail(`<priority> ${JSON.stringify(v)} is not an integer in -128..127`, c);
        p.priority = Number(v);
      }
    }
    return p;
  }

  message(el: XmlElement): XmppMessage {
    const m: XmppMessage = { kind: 'message', body: [] };
    this.addressing(el, m);
    const type = oneOf(el, 'type', MESSAGE_TYPES);
    if (type !== undefined) m.type = type;
    const receipt = (c: XmlElement): boolean => c.ns === XMPP_RECEIPTS_NS && (c.local === 'request' || c.local === 'received');
    for (const c of this.children(el, ['body', 'subject', 'thread', 'error'], receipt)) {
      if (c.local === 'body' && c.ns === this.ns) m.body.push(langText(c));
      else if (c.ns === this.ns) this.warnings.push(`<${c.local}> at ${c.path} is not modelled by this tool; ignored`);
      else if (c.local === 'request') m.receiptRequest = true;
      else if (c.ns === XMPP_RECEIPTS_NS) {
        const id = attr(c, 'id');
        if (id === undefined) fail('<received> has no id (XEP-0184 s.5: it names the acknowledged message)', c);
        m.receivedId = id;
      }
    }
    return m;
  }

  iq(el: XmlElement): XmppIq {
    const type = oneOf(el, 'type', ['get', 'set', 'result', 'error'] as const);
    const id = attr(el, 'id');
    if (type === undefined || id === undefined) fail('an <iq> needs both type and id (RFC 6120 s.8.2.3)', el);
    const iq: XmppIq = { kind: 'iq', type, id };
    this.addressing(el, iq);
    const payload = this.children(el, ['error'], (c) => c.ns === XMPP_ROSTER_NS && c.local === 'query');
    if ((type === 'get' || type === 'set') && payload.length + el.children.filter((c) => c.kind === 'element' && c.ns !== XMPP_ROSTER_NS && c.ns !== this.ns).length !== 1) {
      fail(`an <iq type="${type}"> carries exactly one payload element (RFC 6120 s.8.2.3)`, el);
    }
    const query = payload.find((c) => c.ns === XMPP_ROSTER_NS);
    if (query !== undefined) iq.roster = this.roster(query);
    return iq;
  }

  private roster(query: XmlElement): RosterItem[] {
    const items: RosterItem[] = [];
    for (const c of query.children) {
      if (c.kind === 'text') continue;
      if (c.ns !== XMPP_ROSTER_NS || c.local !== 'item') fail(`<${c.qname}> is not a roster <item>`, c);
      const jid = attr(c, 'jid');
      if (jid === undefined || !isJid(jid)) fail(`a roster item needs a jid, got ${JSON.stringify(jid)}`, c);
      const item: RosterItem = { jid, groups: [] };
      const sub = oneOf(c, 'subscription', ROSTER_SUBSCRIPTIONS);
      if (sub !== undefined) item.subscription = sub;
      const ask = oneOf(c, 'ask', ['subscribe'] as const);
      if (ask !== undefined) item.ask = ask;
      const name = attr(c, 'name');
      if (name !== undefined) item.name = name;
      for (const g of c.children) if (g.kind === 'element') item.groups.push(g.ns === XMPP_ROSTER_NS && g.local === 'group' ? textOf(g) : fail(`<${g.qname}> is not a roster <group>`, g));
      items.push(item);
    }
    return items;
  }
}

const STANZAS = ['presence', 'message', 'iq'];

/** True when the root is a stanza: presence/message/iq in jabber:client, jabber:server or no namespace. */
export function isXmppRoot(xml: XmlDocument): boolean {
  const { ns, local } = xml.root;
  return STANZAS.includes(local) && (ns === XMPP_CLIENT_NS || ns === XMPP_SERVER_NS || ns === '');
}

export interface XmppDecoded {
  stanza: XmppStanza;
  warnings: string[];
}

export function decodeXmppXml(xml: XmlDocument): XmppDecoded {
  const root = xml.root;
  if (!isXmppRoot(xml)) fail(`root <${root.qname}> in ${JSON.stringify(root.ns)} is not a presence, message or iq stanza in jabber:client or jabber:server`, root);
  const decoder = new Decoder(root.ns);
  if (root.ns === '') decoder.warnings.push('the stanza declares no namespace; read as jabber:client, which a stream header would supply (RFC 6120 s.4.8.3)');
  const stanza = root.local === 'presence' ? decoder.presence(root) : root.local === 'message' ? decoder.message(root) : decoder.iq(root);
  return { stanza, warnings: decoder.warnings };
}

/** Decode one stanza (an XML document whose root is the stanza). */
export function decodeXmpp(text: string): XmppDecoded {
  return decodeXmppXml(parseXml(text));
}

// --------------------------------------------------------------------------- encoding

function bad(message: string, path: string): never {
  throw new WireError('WIRE_ERR_XMPP_BAD_VALUE', message, { path });
}

function chars(value: string, path: string): string {
  if (findInvalidXmlChar(value) !== -1) bad(`${JSON.stringify(value)} holds a character XML cannot carry`, path);
  return value;
}

function attrs(s: Addressing, path: string): string {
  let out = '';
  for (const name of ['from', 'to'] as const) {
    const v = s[name];
    if (v !== undefined) {
      if (!isJid(v)) bad(`${name} ${JSON.stringify(v)} is not a JID`, `${path}/@${name}`);
      out += ` ${name}="${escapeXmlAttribute(v)}"`;
    }
  }
  if (s.id !== undefined) out += ` id="${escapeXmlAttribute(chars(s.id, `${path}/@id`))}"`;
  return out;
}

function texts(name: string, list: XmppText[], path: string): string {
  return list
    .map((t, i) => {
      if (t.lang !== undefined && !isLanguageTag(t.lang)) bad(`language ${JSON.stringify(t.lang)} is not a language tag`, `${path}/${name}[${i + 1}]`);
      const lang = t.lang === undefined ? '' : ` xml:lang="${t.lang}"`;
      return `<${name}${lang}>${escapeXmlText(chars(t.text, `${path}/${name}[${i + 1}]`))}</${name}>`;
    })
    .join('');
}

function enumerated<T extends string>(value: T | undefined, allowed: readonly T[], path: string): string {
  if (value !== undefined && !allowed.includes(value)) bad(`${JSON.stringify(value)} is not one of ${allowed.join(', ')}`, path);
  return value ?? '';
}

function element(name: string, head: string, inner: string): string {
  return inner === '' ? `<${name}${head}/>` : `<${name}${head}>${inner}</${name}>`;
}

function rosterXml(items: RosterItem[]): string {
  const inner = items
    .map((it, i) => {
      const path = `/iq/query/item[${i + 1}]`;
      if (!isJid(it.jid)) bad(`jid ${JSON.stringify(it.jid)} is not a JID`, path);
      let head = ` jid="${escapeXmlAttribute(it.jid)}"`;
      if (it.subscription !== undefined) head += ` subscription="${enumerated(it.subscription, ROSTER_SUBSCRIPTIONS, `${path}/@subscription`)}"`;
      if (it.ask !== undefined) head += ` ask="${enumerated(it.ask, ['subscribe'], `${path}/@ask`)}"`;
      if (it.name !== undefined) head += ` name="${escapeXmlAttribute(chars(it.name, `${path}/@name`))}"`;
      return element('item', head, it.groups.map((g) => `<group>${escapeXmlText(chars(g, `${path}/group`))}</group>`).join(''));
    })
    .join('');
  return element('query', ` xmlns="${XMPP_ROSTER_NS}"`, inner);
}

/**
 * Encode a stanza canonically on one line (attributes from, to, id, type;
 * children in a fixed order). Throws WireError for a value the decoder
 * would refuse.
 */
export function encodeXmpp(s: XmppStanza, options: { standalone?: boolean } = {}): string {
  const ns = options.standalone === true ? ` xmlns="${XMPP_CLIENT_NS}"` : '';
  const path = `/${s.kind}`;
  if (s.kind === 'presence') {
    const type = s.type === undefined ? '' : ` type="${enumerated(s.type, PRESENCE_TYPES, `${path}/@type`)}"`;
    let inner = s.show === undefined ? '' : `<show>${enumerated(s.show, PRESENCE_SHOWS, `${path}/show`)}</show>`;
    inner += texts('status', s.status, path);
    if (s.priority !== undefined) {
      if (!Number.isInteger(s.priority) || s.priority < -128 || s.priority > 127) bad(`priority ${s.priority} is not an integer in -128..127`, `${path}/priority`);
      inner += `<priority>${s.priority}</priority>`;
    }
    return element('presence', `${ns}${attrs(s, path)}${type}`, inner);
  }
  if (s.kind === 'message') {
    const type = s.type === undefined ? '' : ` type="${enumerated(s.type, MESSAGE_TYPES, `${path}/@type`)}"`;
    let inner = texts('body', s.body, path);
    if (s.receiptRequest === true) inner += `<request xmlns="${XMPP_RECEIPTS_NS}"/>`;
    if (s.receivedId !== undefined) inner += `<received xmlns="${XMPP_RECEIPTS_NS}" id="${escapeXmlAttribute(chars(s.receivedId, `${path}/received/@id`))}"/>`;
    return element('message', `${ns}${attrs(s, path)}${type}`, inner);
  }
  const type = enumerated(s.type, ['get', 'set', 'result', 'error'], `${path}/@type`);
  if ((type === 'get' || type === 'set') && s.roster === undefined) bad(`an iq of type ${type} needs a payload (roster)`, path);
  return element('iq', `${ns}${attrs({ ...s, id: s.id }, path)} type="${type}"`, s.roster === undefined ? '' : rosterXml(s.roster));
}
