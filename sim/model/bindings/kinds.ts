/**
 * The vocabulary of the protocol bindings: the protocols a domain may speak (`domains[].protocol`),
 * the messages each binding puts on the wire (each request and each response its own kind), and
 * the phases of a subscription's lifecycle a message belongs to.
 *
 * CPIM (RFC 3859/3860) is the abstract model the simulation runs; a SIP/SIMPLE domain carries its
 * operations as RFC 3856/6665/3903/3428 transactions, an XMPP domain as RFC 6120/6121 stanzas.
 * Wire kinds of both bindings share one index space (W_*), each named in its protocol's terms.
 */

export const PROTOCOLS = ['cpim', 'sip', 'xmpp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
export const P_CPIM = 0;
export const P_SIP = 1;
export const P_XMPP = 2;

/** [report key, protocol] of every wire kind, in W_* order. */
export const WIRE_KINDS: readonly (readonly [string, number])[] = [
  // ---- SIP/SIMPLE ----
  ['SUBSCRIBE', P_SIP],
  ['SUBSCRIBE.refresh', P_SIP],
  ['SUBSCRIBE.unsubscribe', P_SIP],
  ['SUBSCRIBE.fetch', P_SIP],
  ['200.SUBSCRIBE', P_SIP],
  ['4xx.SUBSCRIBE', P_SIP],
  ['NOTIFY', P_SIP],
  ['NOTIFY.pending', P_SIP],
  ['NOTIFY.terminated', P_SIP],
  ['200.NOTIFY', P_SIP],
  ['481.NOTIFY', P_SIP],
  ['PUBLISH', P_SIP],
  ['PUBLISH.refresh', P_SIP],
  ['PUBLISH.remove', P_SIP],
  ['200.PUBLISH', P_SIP],
  ['412.PUBLISH', P_SIP],
  ['MESSAGE', P_SIP],
  ['200.MESSAGE', P_SIP],
  ['4xx.MESSAGE', P_SIP],
  // ---- XMPP ----
  ['stream.open', P_XMPP],
  ['stream.features', P_XMPP],
  ['sasl.auth', P_XMPP],
  ['sasl.success', P_XMPP],
  ['stream.restart', P_XMPP],
  ['stream.features.bind', P_XMPP],
  ['iq.bind', P_XMPP],
  ['iq.bind.result', P_XMPP],
  ['iq.roster.get', P_XMPP],
  ['iq.roster.result', P_XMPP],
  ['presence.client', P_XMPP],
  ['presence.client.unavailable', P_XMPP],
  ['presence.probe', P_XMPP],
  ['presence.answer', P_XMPP],
  ['presence.broadcast', P_XMPP],
  ['presence.unavailable', P_XMPP],
  ['presence.unsubscribed', P_XMPP],
  ['presence.error', P_XMPP],
  ['message', P_XMPP],
  ['message.receipt', P_XMPP],
  ['message.error', P_XMPP],
  ['keepalive', P_XMPP],
  ['stream.close', P_XMPP],
  // the subscription handshake (RFC 6121 3.1-3.3): c2s forms carry no from, routed forms bare JIDs
  ['presence.subscribe.client', P_XMPP],
  ['presence.subscribe', P_XMPP],
  ['presence.subscribed.client', P_XMPP],
  ['presence.subscribed', P_XMPP],
  ['presence.unsubscribed.client', P_XMPP],
  ['iq.roster.push', P_XMPP],
  ['iq.roster.push.result', P_XMPP],
  // ---- CPIM: the model's own messages, counted one for one (MESSAGE_KINDS order, then publish) ----
  ['subscribe', P_CPIM],
  ['refresh', P_CPIM],
  ['unsubscribe', P_CPIM],
  ['fetch', P_CPIM],
  ['subscribeResponse', P_CPIM],
  ['fetchResponse', P_CPIM],
  ['notify', P_CPIM],
  ['message', P_CPIM],
  ['messageReport', P_CPIM],
  ['listNotify', P_CPIM],
  ['terminated', P_CPIM],
  ['publish', P_CPIM],
  ['publishRefresh', P_CPIM],
  // ---- SIP/SIMPLE, added later (issue 14): RFC 5263 partial notification, RFC 3857 watcher information, RFC 4662 resource lists ----
  ['NOTIFY.partial', P_SIP],
  ['SUBSCRIBE.winfo', P_SIP],
  ['SUBSCRIBE.winfo.refresh', P_SIP],
  ['SUBSCRIBE.winfo.unsubscribe', P_SIP],
  ['200.SUBSCRIBE.winfo', P_SIP],
  ['NOTIFY.winfo', P_SIP],
  ['NOTIFY.winfo.terminated', P_SIP],
  ['200.NOTIFY.winfo', P_SIP],
  ['SUBSCRIBE.list', P_SIP],
  ['SUBSCRIBE.list.refresh', P_SIP],
  ['SUBSCRIBE.list.unsubscribe', P_SIP],
  ['200.SUBSCRIBE.list', P_SIP],
  ['NOTIFY.list', P_SIP],
  ['NOTIFY.list.terminated', P_SIP],
  ['200.NOTIFY.list', P_SIP],
];
export const N_WIRE = WIRE_KINDS.length;
const w = (name: string) => WIRE_KINDS.findIndex((k) => k[0] === name);

export const W_SUBSCRIBE = w('SUBSCRIBE');
export const W_SUBSCRIBE_REFRESH = w('SUBSCRIBE.refresh');
export const W_SUBSCRIBE_END = w('SUBSCRIBE.unsubscribe');
export const W_SUBSCRIBE_FETCH = w('SUBSCRIBE.fetch');
export const W_SUB_200 = w('200.SUBSCRIBE');
export const W_SUB_4XX = w('4xx.SUBSCRIBE');
export const W_NOTIFY = w('NOTIFY');
export const W_NOTIFY_PENDING = w('NOTIFY.pending');
export const W_NOTIFY_TERMINATED = w('NOTIFY.terminated');
export const W_NOTIFY_200 = w('200.NOTIFY');
export const W_NOTIFY_481 = w('481.NOTIFY');
export const W_PUBLISH = w('PUBLISH');
export const W_PUBLISH_REFRESH = w('PUBLISH.refresh');
export const W_PUBLISH_REMOVE = w('PUBLISH.remove');
export const W_PUBLISH_200 = w('200.PUBLISH');
export const W_PUBLISH_412 = w('412.PUBLISH');
export const W_MESSAGE = w('MESSAGE');
export const W_MESSAGE_200 = w('200.MESSAGE');
export const W_MESSAGE_4XX = w('4xx.MESSAGE');
export const W_NOTIFY_PARTIAL = w('NOTIFY.partial');
export const W_WINFO_SUBSCRIBE = w('SUBSCRIBE.winfo');
export const W_WINFO_REFRESH = w('SUBSCRIBE.winfo.refresh');
export const W_WINFO_END = w('SUBSCRIBE.winfo.unsubscribe');
export const W_WINFO_SUB_200 = w('200.SUBSCRIBE.winfo');
export const W_WINFO_NOTIFY = w('NOTIFY.winfo');
export const W_WINFO_NOTIFY_TERMINATED = w('NOTIFY.winfo.terminated');
export const W_WINFO_NOTIFY_200 = w('200.NOTIFY.winfo');
export const W_LIST_SUBSCRIBE = w('SUBSCRIBE.list');
export const W_LIST_REFRESH = w('SUBSCRIBE.list.refresh');
export const W_LIST_END = w('SUBSCRIBE.list.unsubscribe');
export const W_LIST_SUB_200 = w('200.SUBSCRIBE.list');
export const W_LIST_NOTIFY = w('NOTIFY.list');
export const W_LIST_NOTIFY_TERMINATED = w('NOTIFY.list.terminated');
export const W_LIST_NOTIFY_200 = w('200.NOTIFY.list');

export const X_STREAM_OPEN = w('stream.open');
export const X_STREAM_CLOSE = w('stream.close');
export const X_PRESENCE_CLIENT = w('presence.client');
export const X_PRESENCE_CLIENT_UNAVAILABLE = w('presence.client.unavailable');
export const X_PROBE = w('presence.probe');
export const X_ANSWER = w('presence.answer');
export const X_BROADCAST = w('presence.broadcast');
export const X_UNAVAILABLE = w('presence.unavailable');
export const X_UNSUBSCRIBED = w('presence.unsubscribed');
export const X_ERROR = w('presence.error');
export const X_MESSAGE = w('message');
export const X_RECEIPT = w('message.receipt');
export const X_MESSAGE_ERROR = w('message.error');
export const X_KEEPALIVE = w('keepalive');
export const X_SUBSCRIBE_CLIENT = w('presence.subscribe.client');
export const X_SUBSCRIBE = w('presence.subscribe');
export const X_SUBSCRIBED_CLIENT = w('presence.subscribed.client');
export const X_SUBSCRIBED = w('presence.subscribed');
export const X_UNSUBSCRIBED_CLIENT = w('presence.unsubscribed.client');
export const X_ROSTER_PUSH = w('iq.roster.push');
export const X_ROSTER_PUSH_RESULT = w('iq.roster.push.result');
/** a roster push's item (X_ROSTER_PUSH's `activity` part): RFC 6121 2.1.2.5 subscription, with ask='subscribe' for the first */
export const ROSTER_ITEMS = ['none+ask', 'none', 'to', 'from', 'both'] as const;
export const RI_ASK = 0;
export const RI_NONE = 1;
export const RI_TO = 2;
export const RI_FROM = 3;
export const RI_BOTH = 4;
/** the CPIM kind of model message kind m is C_FIRST + m */
export const C_FIRST = w('subscribe');
export const C_PUBLISH = w('publish');
export const C_PUBLISH_REFRESH = w('publishRefresh');

/**
 * XMPP log-in (RFC 6120 4, 6, 7; RFC 6121 2.2): the stanzas in order, each with its direction
 * (0: client to server, 1: server to client). The initial presence follows as a publish.
 */
export const XMPP_LOGIN: readonly (readonly [number, number])[] = [
  [X_STREAM_OPEN, 0],
  [w('stream.features'), 1],
  [w('sasl.auth'), 0],
  [w('sasl.success'), 1],
  [w('stream.restart'), 0],
  [w('stream.features.bind'), 1],
  [w('iq.bind'), 0],
  [w('iq.bind.result'), 1],
  [w('iq.roster.get'), 0],
  [w('iq.roster.result'), 1],
];

/** Lifecycle phases of a subscription (report `bindings.<protocol>.lifecycle`). */
export const PHASES = ['create', 'change', 'refresh', 'terminate'] as const;
export const PH_NONE = -1;
export const PH_CREATE = 0;
export const PH_CHANGE = 1;
export const PH_REFRESH = 2;
export const PH_TERMINATE = 3;

/** `since` of a notification a refresh sends (RFC 6665 4.2.1.2): below 0 like every initial state, told apart from -1. */
export const SINCE_REFRESH = -2;

/**
 * Default server time per message (ms), charged as a job on the domain's servers for every wire
 * message that leaves or enters it (besides the operation's own job): parsing, transaction state
 * and serialisation. Estimates (responses cost half a request), the defaults of the scenario field
 * `domains[].serviceTimes.wire`, which a calibration (sim/live/calibration-fit.ts) overrides.
 */
export const WIRE_COST = { request: 0.02, response: 0.01 } as const;
/** Directions of a wire message's job: it leaves the domain's server (0) or enters it (1). */
export const OUTBOUND = 0;
export const INBOUND = 1;
/** Names of the wire kinds a server is charged for (SIP and XMPP: a CPIM domain's cost is its operations'). */
export const CHARGED_KINDS: readonly string[] = WIRE_KINDS.filter((k) => k[1] !== P_CPIM).map((k) => k[0]);
/** The W_* index of a charged kind's name, -1 if none (`message` is XMPP's; CPIM's is never charged). */
export const chargedKind = (name: string): number => (CHARGED_KINDS.includes(name) ? WIRE_KINDS.findIndex((k) => k[0] === name && k[1] !== P_CPIM) : -1);

/** Is wire kind k a response (SIP final response, XMPP result or receipt)? */
export const isWireResponse = (k: number): boolean => /^[0-9]|result|success|features|receipt|error|answer|Response|Report/.test(WIRE_KINDS[k][0]);
