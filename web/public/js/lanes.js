/**
 * The lanes of the message sequence chart and which lanes a trace record travels between: the
 * RFC 2778 roles for one domain, each domain's users, service and gateway for a federation.
 * Pure functions, tested without a browser.
 */

/** @typedef {{ t: number, op: string, from: string, to: string, fromDomain: string, toDomain: string, detail: string, wire?: { protocol: string, kind: string } }} TraceRecord */

/**
 * A record's name in its protocol binding's terms (docs/bindings.md): SIP methods and responses
 * (`200.NOTIFY` is "200 OK (NOTIFY)", `SUBSCRIBE.refresh` "SUBSCRIBE (refresh)"), XMPP stanzas in
 * words (`presence.probe` is "presence probe"); a CPIM record keeps its operation.
 * @param {TraceRecord} r
 */
export function wireLabel(r) {
  const k = r.wire?.kind;
  if (k === undefined || r.wire.protocol === 'cpim') return r.op;
  if (r.wire.protocol === 'sip') {
    const resp = /^([0-9x]{3})\.(.+)$/.exec(k);
    if (resp) return `${resp[1] === '200' ? '200 OK' : resp[1]} (${resp[2]})`;
    const dot = k.indexOf('.');
    return dot < 0 ? k : `${k.slice(0, dot)} (${k.slice(dot + 1)})`;
  }
  return k.replace(/\./g, ' ');
}

/** Lanes of the messages a binding has and CPIM lacks (the others take their CPIM operation's). */
const WIRE_ENDS = {
  '200.NOTIFY': ['watcher', 'service', 'presence'],
  '481.NOTIFY': ['watcher', 'service', 'presence'],
  'NOTIFY.pending': ['service', 'watcher', 'presence'],
  '200.SUBSCRIBE': ['service', 'watcher', 'presence'],
  '200.PUBLISH': ['service', 'pua', 'presence'],
  '412.PUBLISH': ['service', 'pua', 'presence'],
};

/** Lanes of the message sequence chart, left to right (RFC 2778 roles). */
export const LANES = [
  { id: 'pua', label: 'presence user agent' },
  { id: 'presentity', label: 'presentity' },
  { id: 'sender', label: 'sender' },
  { id: 'service', label: 'presence / IM service' },
  { id: 'gateway', label: 'CPIM gateway' },
  { id: 'watcher', label: 'watcher' },
  { id: 'wua', label: 'watcher user agent' },
  { id: 'inbox', label: 'instant inbox' },
];

/**
 * Which lanes a trace record travels between. A record between two domains passes the CPIM
 * gateway lane on its way. Unknown operations are drawn from the sender side to the service.
 * @param {TraceRecord} r
 * @returns {{ from: string, to: string, via: string[], label: string, kind: 'presence'|'im'|'other' }}
 */
export function laneOf(r) {
  const cross = r.fromDomain !== r.toDomain;
  /** @type {[string, string, 'presence'|'im'|'other']} */
  let ends;
  switch (r.op) {
    case 'publish':
      // RFC 2778 2.1: the presence user agent manipulates presence information for the presentity
      ends = ['pua', 'service', 'presence'];
      break;
    case 'subscribe':
    case 'refresh':
    case 'unsubscribe':
    case 'fetch':
    case 'poll':
      ends = ['watcher', 'service', 'presence'];
      break;
    case 'subscribeResponse':
    case 'fetchResponse':
    case 'notify':
      ends = ['service', 'watcher', 'presence'];
      break;
    case 'watcherInfo':
    case 'watcherinfo':
      ends = ['service', 'pua', 'presence'];
      break;
    case 'message':
    case 'imSend':
      ends = ['sender', 'inbox', 'im'];
      break;
    case 'messageReport':
    case 'imReport':
      ends = ['service', 'sender', 'im'];
      break;
    default:
      if (WIRE_ENDS[r.op]) ends = WIRE_ENDS[r.op];
      // XMPP's stream set-up and close: the client and its server
      else if (r.wire) ends = String(r.from).includes('@') ? ['pua', 'service', 'other'] : ['service', 'pua', 'other'];
      else ends = ['sender', 'service', 'other'];
  }
  const via = [];
  if (ends[0] === 'sender' && ends[1] === 'inbox') via.push('service');
  if (cross) via.push('gateway');
  return { from: ends[0], to: ends[1], via, label: `${wireLabel(r)} ${shortName(r.from)} → ${shortName(r.to)}`, kind: ends[2] };
}

/** `u2@example.com` to `u2`, leaving names without a domain part alone. */
export function shortName(uri) {
  const s = String(uri ?? '');
  const at = s.indexOf('@');
  return at > 0 ? s.slice(0, at) : s;
}

/**
 * Lanes per domain for a federation (the sequence chart with several domains): each domain's
 * users (their agents: presence user agent, watcher, sender, inbox), its presence / IM service
 * and its CPIM gateway. The first domain reads users → service → gateway, the others gateway →
 * service → users, so that the first two domains' gateways face each other.
 * @param {string[]} domains
 */
export function domainLanes(domains) {
  return domains.flatMap((d, i) => {
    const short = d.split('.')[0];
    const lanes = [
      { id: `${d}|users`, label: `${short} users`, domain: d },
      { id: `${d}|service`, label: `${short} service`, domain: d },
      { id: `${d}|gateway`, label: `${short} gateway`, domain: d },
    ];
    return i === 0 ? lanes : lanes.reverse();
  });
}

/** A principal with its domain: u0@alpha (the domain's first label); a domain (a service) as it is. */
export function qualifiedName(uri, domain) {
  const s = String(uri ?? '');
  if (!s.includes('@') && s.includes('.')) return s;
  return `${shortName(s)}@${String(domain ?? '').split('.')[0]}`;
}

/**
 * laneOf() for domainLanes(): the same roles, each in its domain's lanes; a record between two
 * domains passes both gateways (and an instant message both services), labelled with
 * domain-qualified names.
 * @param {TraceRecord} r
 */
export function domainLaneOf(r) {
  const base = laneOf(r);
  const fd = r.fromDomain;
  const td = r.toDomain;
  // which domain each end of the record is in: the service of a request is the target's
  const side = (role, domain) => `${domain}|${role === 'service' ? 'service' : role === 'gateway' ? 'gateway' : 'users'}`;
  const from = side(base.from, fd);
  const to = side(base.to, td);
  const via = [];
  if (base.from === 'sender' && base.to === 'inbox') via.push(`${fd}|service`);
  if (fd !== td) via.push(`${fd}|gateway`, `${td}|gateway`);
  if (base.from === 'sender' && base.to === 'inbox' && fd !== td) via.push(`${td}|service`);
  return { from, to, via, label: `${wireLabel(r)} ${qualifiedName(r.from, fd)} → ${qualifiedName(r.to, td)}`, kind: base.kind };
}
