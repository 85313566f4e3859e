/**
 * What a scenario means under each binding: the fields XMPP has no meaning for are refused for a
 * scenario with an XMPP domain (bindingProblems, called by the scenario's cross-checks), and the
 * report lists how each binding carries the model's other features (bindingMappings).
 */
import type { Scenario } from '../../scenario/types.js';

export interface BindingMapping {
  protocol: string;
  feature: string;
  mapping: string;
}

interface Tree {
  domains?: { name: string; protocol?: string; resourceLists?: boolean }[];
  population?: { watchers?: Record<string, number>; visibility?: Record<string, number>; watcherInfoSubscribers?: number };
  federation?: { listSubscriptions?: boolean; partialNotifications?: boolean };
}

/** Fields with no XMPP meaning that a scenario with an XMPP domain sets: [path, why] for each. */
export function bindingProblems(tree: Tree): { path: string; message: string }[] {
  const lists = resourceListProblems(tree);
  const xmpp = (tree.domains ?? []).filter((d) => d.protocol === 'xmpp').map((d) => d.name);
  if (xmpp.length === 0) return lists;
  const where = `domain${xmpp.length > 1 ? 's' : ''} ${xmpp.map((n) => `'${n}'`).join(', ')} (protocol: xmpp)`;
  const out: { path: string; message: string }[] = lists;
  const refuse = (path: string, value: unknown, why: string) => out.push({ path, message: `is ${String(value)}, which has no XMPP meaning for ${where}: ${why}; set it to 0 (false) or give the domain protocol sip or cpim` });
  const p = tree.population ?? {};
  for (const k of ['poller', 'fetcher']) if ((p.watchers?.[k] ?? 0) > 0) refuse(`population.watchers.${k}`, p.watchers![k], 'XMPP clients neither fetch nor poll presence (the server probes contacts at log-in, RFC 6121 4.3)');
  if ((p.watcherInfoSubscribers ?? 0) > 0) refuse('population.watcherInfoSubscribers', p.watcherInfoSubscribers, 'XMPP has no watcher information (RFC 3857 is a SIP event package)');
  if ((p.visibility?.firstTupleOnly ?? 0) > 0) refuse('population.visibility.firstTupleOnly', p.visibility!.firstTupleOnly, 'XMPP has no visibility classes (a contact sees every available resource, RFC 6121 4.4)');
  const f = tree.federation ?? {};
  if (f.listSubscriptions === true) refuse('federation.listSubscriptions', true, 'XMPP has no list subscriptions (every contact is probed and broadcast to, RFC 6121 4.2)');
  if (f.partialNotifications === true) refuse('federation.partialNotifications', true, 'an XMPP presence stanza always carries the whole presence of a resource (RFC 6121 4.7)');
  return out;
}

/** RFC 4662 resource lists are a SIP feature: `domains[].resourceLists` on a cpim or xmpp domain is refused. */
function resourceListProblems(tree: Tree): { path: string; message: string }[] {
  const aggregated = tree.federation?.listSubscriptions === true;
  return (tree.domains ?? []).flatMap((d, i) => {
    if (d.resourceLists !== true) return [];
    const path = `domains[${i}].resourceLists`;
    if (d.protocol !== 'sip') return [{ path, message: `is true for domain '${d.name}' of protocol ${d.protocol ?? 'cpim'}: RFC 4662 resource lists are a SIP event-list extension; give the domain protocol: sip, or set resourceLists: false (federation.listSubscriptions is the CPIM boundary aggregation)` }];
    // the aggregation hands a notification to the watcher domain's gateway, which fans it out where no RLS sees it
    if (aggregated) return [{ path, message: `is true for domain '${d.name}' while federation.listSubscriptions is true: the two list mechanisms do not combine (the boundary aggregation fans notifications out past the resource list server); set one of them to false` }];
    return [];
  });
}

/** How each binding of the scenario carries the model's features (report bindings.mapped). */
export function bindingMappings(s: Scenario): BindingMapping[] {
  const has = (p: string) => s.domains.some((d) => d.protocol === p);
  const out: BindingMapping[] = [];
  const add = (protocol: string, feature: string, mapping: string) => out.push({ protocol, feature, mapping });
  if (has('sip')) {
    add('sip', 'subscribe', 'SUBSCRIBE (Expires: subscriptionDuration) -> 200 (Expires: granted), then NOTIFY (Subscription-State: active;expires=remaining) -> 200 (RFC 3856, RFC 6665)');
    add('sip', 'pending authorisation', '200, then NOTIFY (Subscription-State: pending) -> 200 (RFC 6665 4.2.1.1; no 202)');
    add('sip', 'refusal', '403 (denied), 481 (no subscription), 503 (server unavailable) to the SUBSCRIBE');
    add('sip', 'refresh', 'SUBSCRIBE in the dialog -> 200, then NOTIFY -> 200 (RFC 6665 4.2.1.2; the CPIM refresh is PRIM-style and sends none)');
    add('sip', 'unsubscribe', 'SUBSCRIBE (Expires: 0) -> 200, then NOTIFY (Subscription-State: terminated) -> 200');
    add('sip', 'expiry, revocation, denial after pending', 'NOTIFY (Subscription-State: terminated;reason=timeout or rejected) -> 200');
    add('sip', 'notification', 'NOTIFY (body application/pidf+xml) -> 200, or 481 when the watcher has gone');
    add('sip', 'fetch', 'SUBSCRIBE (Expires: 0) -> 200, then NOTIFY (terminated, with the state) -> 200');
    add('sip', 'publish', 'PUBLISH (body PIDF, Expires: publicationLease) -> 200 (SIP-ETag); log-out: PUBLISH (SIP-If-Match, Expires: 0) -> 200 (RFC 3903)');
    add('sip', 'publication lease refresh', 'PUBLISH (SIP-If-Match, no body) -> 200 (new SIP-ETag), or 412 when the publication is gone (RFC 3903 4.2, 4.3)');
    add('sip', 'instant message', 'MESSAGE (body message/cpim) -> 200, the delivery report; 404, 403, 480, 503 for the failures (RFC 3428)');
    add('sip', 'notifyMinInterval', 'RFC 3856 6.10 rate limit of notifications for one presentity');
    add('sip', 'listSubscriptions', 'kept as the boundary aggregation of the model (one NOTIFY per presentity and watcher domain, each answered), not an RFC 4662 resource list');
    add('sip', 'watcher information', 'an agent that subscribes to its watcher list holds a presence.winfo dialog with its home server while online: SUBSCRIBE -> 200, NOTIFY (full application/watcherinfo+xml) -> 200 at log-in and each refresh, NOTIFY (partial, the one watcher) -> 200 on each change, unsubscribed at log-out (RFC 3857, RFC 3858)');
    if (s.domains.some((d) => d.protocol === 'sip' && d.resourceLists)) {
      add('sip', 'resourceLists', 'RFC 4662: one SUBSCRIBE per watcher to its buddy list at its home server (the RLS) -> 200, NOTIFY (multipart/related: RLMI fullState and the members) -> 200; each member change one NOTIFY (RLMI of that member and its PIDF part) -> 200; back-end subscriptions to members of the RLS\'s domain stay inside the server, to others cross the boundary per member (the RLS answers their NOTIFYs); a back-end refresh\'s NOTIFY is not passed on');
    }
    if (s.federation.partialNotifications) add('sip', 'partialNotifications', 'RFC 5263: the first NOTIFY of a subscription (and one after each refresh) carries the full application/pidf+xml, each change an application/pidf-diff+xml (RFC 5262) replacing the tuples it carries');
  }
  if (has('xmpp')) {
    add('xmpp', 'log-in', 'stream header both ways with features, SASL PLAIN -> success, stream restart, resource binding (iq set -> result), roster get (iq get -> result listing every contact) (RFC 6120 4-7, RFC 6121 2.2), then the initial presence');
    add('xmpp', 'subscribe at log-in', 'presence probe to each contact, answered by the contact\'s server with its presence (unavailable when it has none) (RFC 6121 4.3); no response stanza');
    add('xmpp', 'notification', 'presence broadcast to every subscribed contact, no acknowledgement (RFC 6121 4.4)');
    add('xmpp', 'subscription expiry and refresh', 'none: a roster subscription lasts until cancelled (subscriptionDuration, maxSubscriptionDuration and refreshBefore do not apply to XMPP presentities)');
    add('xmpp', 'log-out', 'presence type=unavailable from the client, broadcast; the stream closes both ways; the roster subscriptions stay (no unsubscribe)');
    add('xmpp', 'publicationLease', 'the stream\'s liveness: a refresh is a whitespace keepalive (RFC 6120 4.6.1); when a crashed client\'s lease runs out its server broadcasts unavailable presence');
    add('xmpp', 'access deny', 'presence type=unsubscribed (RFC 6121 3.2)');
    add('xmpp', 'revocation', 'unsubscribed from the contact\'s client, roster pushes (iq set -> result) on both sides, unsubscribed and unavailable to the watcher (RFC 6121 3.2)');
    add('xmpp', 'access polite', 'XEP-0191 blocking: the blocked watcher receives unavailable presence');
    add('xmpp', 'access pending', 'the first request is presence type=subscribe with a roster push (none, ask=subscribe) to the watcher, delivered to the contact; its decision subscribed (roster pushes from and to or both, then the presence) or unsubscribed (roster push none to the watcher) (RFC 6121 3.1-3.3); probes go unanswered meanwhile');
    add('xmpp', 'instant message', 'message type=chat with an XEP-0184 receipt request -> receipt (the delivery report); an error message for the failures');
  }
  if (has('xmpp') && (has('sip') || has('cpim'))) add('gateway', 'between bindings', 'the gateways carry CPIM across the boundary and each side counts in its own terms; a SIP side\'s responses to translated requests end at its own gateway (counted on the SIP side, not crossing)');
  return out;
}
