/**
 * Schema tables of the people and what they do: the population (buddies, rules, classes, celebrity),
 * their behaviour (sessions, publishes, subscriptions, IMs) and the teaching trace.
 */
import { DAY, MAX_BUDDIES, MAX_CELEBRITY_SUBSCRIBERS, MAX_RUN, NAME_RE, behaviourDuration, domainName, fraction, rate } from './fields-common.js';
import { type ObjectNode } from './schema-nodes.js';

/** A named visibility class (RFC 2779 2.3.3; PRIM watcher classes): what of each tuple its watchers see. */
const visibilityClassNode: ObjectNode = {
  kind: 'object',
  fields: [
    { name: 'name', node: { kind: 'string', maxLength: 32, pattern: NAME_RE, patternHint: 'a name of lower-case letters, digits and \'-\' such as "co-workers"' }, required: true, description: 'the class, as the trace and the inspector name it' },
    { name: 'share', node: fraction, required: true, description: 'share of the pairs it applies to that get this class (a deterministic draw per pair)' },
    { name: 'among', node: { kind: 'string', maxLength: 16, pattern: /^(any|same-domain|other-domain)$/, patternHint: 'any, same-domain or other-domain' }, default: 'any', description: 'the pairs it applies to: watcher and presentity in the same domain, in different domains, or any' },
    { name: 'activity', node: { kind: 'bool' }, default: false, description: 'sees the extended status (available, away, busy, on-the-phone)' },
    { name: 'note', node: { kind: 'bool' }, default: false, description: 'sees the note' },
    { name: 'contact', node: { kind: 'bool' }, default: false, description: 'sees the contact address and its priority' },
  ],
};

const celebrityNode: ObjectNode = {
  kind: 'object',
  fields: [
    { name: 'domain', node: domainName, required: true, description: 'domain of the celebrity presentity (its first user)' },
    {
      name: 'subscribers',
      node: { kind: 'int', min: 1, max: MAX_CELEBRITY_SUBSCRIBERS },
      required: true,
      description: 'extra subscriber principals that the model adds to the other domains in proportion to their size (to the celebrity\'s own domain when it is the only one); not counted in users',
    },
  ],
};

export const populationNode: ObjectNode = {
  kind: 'object',
  fields: [
    {
      name: 'buddies',
      node: { kind: 'countDist', max: MAX_BUDDIES },
      default: { dist: 'powerlaw', min: 3, max: 200, alpha: 2.2 },
      description: 'buddy-list size per user (presentities it watches and may message)',
    },
    {
      name: 'federatedFraction',
      node: fraction,
      defaultFn: (ctx) => (ctx.domainCount > 1 ? 0.2 : 0),
      defaultDoc: '0.2 with several domains, else 0',
      description: 'each buddy is in another domain (chosen by size) with this probability, else in the user\'s own domain; see Buddy lists',
    },
    {
      name: 'principals',
      node: {
        kind: 'mix',
        keys: [
          { name: 'both', description: 'principals with a presentity and an inbox' },
          { name: 'presentityOnly', description: 'principals with a presentity only (no IM)' },
          { name: 'inboxOnly', description: 'principals with an inbox only (no presence)' },
        ],
      },
      default: { both: 0.96, presentityOnly: 0.02, inboxOnly: 0.02 },
      description: 'principal kinds (RFC 2779 2.1.2)',
    },
    {
      name: 'watchers',
      node: {
        kind: 'mix',
        keys: [
          { name: 'subscriber', description: 'watchers that subscribe and receive notifications' },
          { name: 'poller', description: 'watchers that fetch every pollInterval' },
          { name: 'fetcher', description: 'watchers that fetch now and then (fetchRate)' },
        ],
      },
      default: { subscriber: 0.9, poller: 0.05, fetcher: 0.05 },
      description: 'watcher kinds',
    },
    {
      name: 'access',
      node: {
        kind: 'mix',
        keys: [
          { name: 'allow', description: 'the presentity lets the watcher see it' },
          { name: 'deny', description: 'the watcher is refused and told so' },
          { name: 'politeBlock', description: 'the watcher is refused but sees a plausible status' },
          { name: 'pending', description: 'the presentity decides later (pendingDecisionDelay)' },
        ],
      },
      default: { allow: 0.9, deny: 0.03, politeBlock: 0.03, pending: 0.04 },
      description: 'access rule of a (presentity, watcher) pair',
    },
    {
      name: 'visibility',
      node: {
        kind: 'mix',
        keys: [
          { name: 'full', description: 'the watcher sees every tuple' },
          { name: 'firstTupleOnly', description: 'the watcher sees only the first (public) tuple' },
        ],
      },
      default: { full: 0.8, firstTupleOnly: 0.2 },
      description: 'visibility class of an allowed pair',
    },
    { name: 'classes', node: { kind: 'array', item: visibilityClassNode, min: 0, max: 7, what: 'visibility classes', keyField: 'name' }, default: [], description: 'named visibility classes (RFC 2779 2.3.3): what of each tuple a watcher of the class sees besides its basic status; a pair no class takes sees every field' },
    { name: 'tuples', node: { kind: 'int', min: 1, max: 8 }, default: 2, description: 'tuples per presentity' },
    {
      name: 'devices',
      node: { kind: 'int', min: 1, max: 8 },
      default: 1,
      description:
        'devices (presence user agents) per principal, at most tuples: device j owns the tuples i with i % devices = j; with more than one, each device logs in and out on its own (sessionLength, offlineLength, online and the log-in window per device), publishes its tuples open at its log-in and closed at its log-out unless it crashes (crashFraction per device log-out), keeps a lease of its own and publishes changes only while online; the principal is online while any device is',
    },
    { name: 'online', node: fraction, default: 0.7, description: 'fraction of users (with several devices: of devices) online at the start' },
    { name: 'blockedSenders', node: fraction, default: 0.01, description: 'fraction of IM senders that each inbox has on its block list' },
    {
      name: 'watcherInfoSubscribers',
      node: fraction,
      default: 0,
      description: 'fraction of presentities whose agent subscribes to its own watcher information (RFC 3857): each change of a watcher\'s standing is sent to it while it is online',
    },
    { name: 'hiddenWatchers', node: fraction, default: 0, description: 'fraction of (watcher, presentity) pairs where the watcher keeps itself out of the presentity\'s watcher information (RFC 2778 2.4)' },
    {
      name: 'celebrity',
      node: { kind: 'nullable', node: celebrityNode },
      default: null,
      description: 'a presentity watched by many extra subscribers; null = none',
    },
    { name: 'popularity', node: { kind: 'number', min: 0, max: 10 }, default: 0.8, description: 'Zipf exponent of buddy choice by popularity (0 = uniform)' },
  ],
};

export const behaviourNode: ObjectNode = {
  kind: 'object',
  fields: [
    { name: 'presenceChangeRate', node: rate, default: '4/h', description: 'presence changes (publishes) per online user' },
    { name: 'imRate', node: rate, default: '2/h', description: 'instant messages sent per online user' },
    { name: 'pollInterval', node: behaviourDuration(0, 30 * DAY, true), default: '5min', description: 'pollers fetch this often' },
    { name: 'fetchRate', node: rate, default: '1/h', description: 'fetches per online fetcher' },
    { name: 'subscriptionDuration', node: behaviourDuration(0, 30 * DAY, true), default: '1h', description: 'subscription duration that subscribers request' },
    { name: 'maxSubscriptionDuration', node: behaviourDuration(0, 30 * DAY, true), default: '1h', description: 'the service shortens longer requests to this' },
    { name: 'refreshBefore', node: behaviourDuration(0, 30 * DAY), default: '1min', description: 'a subscriber refreshes this long before expiry; less than the granted duration' },
    {
      name: 'publicationLease',
      node: behaviourDuration(0, 30 * DAY),
      default: '1h',
      description:
        'lease of a publication (RFC 3903 expiry): the agent refreshes it refreshBefore ahead (at half the lease when that is shorter); a crashed agent\'s tuples close when it runs out; 0 = publications never expire',
    },
    {
      name: 'revocationRate',
      node: rate,
      default: 0,
      description: 'an online presentity revokes one of its active subscriptions this often (RFC 2779 5.1.16); the watcher is told and is refused from then on',
    },
    { name: 'sessionLength', node: behaviourDuration(0, MAX_RUN, true), default: '2h', description: 'mean online session (exponential; with several devices, each device\'s)' },
    { name: 'offlineLength', node: behaviourDuration(0, MAX_RUN, true), default: '1h', description: 'mean time offline between sessions (exponential; with several devices, each device\'s)' },
    { name: 'loginWindow', node: behaviourDuration(0, MAX_RUN), default: 0, description: 'users offline at the start log in spread over this window after loginStart; 0 = they follow offlineLength' },
    { name: 'loginStart', node: behaviourDuration(0, MAX_RUN), default: 0, description: 'start of the login window' },
    { name: 'crashFraction', node: fraction, default: 0.05, description: 'fraction of log-outs that are crashes, drawn per device: a crashed device sends nothing (its tuples close when its lease runs out); the watcher does not unsubscribe when the principal\'s last device to log out crashed (subscriptions expire)' },
    {
      name: 'pendingDecisionDelay',
      node: { kind: 'dist', max: 30 * DAY },
      default: { dist: 'exponential', mean: '2min' },
      description: 'think time of the presentity\'s agent on a pending authorisation; it decides only while online (a request that finds it offline is decided after its next log-in)',
    },
    { name: 'pendingAllowFraction', node: fraction, default: 0.7, description: 'fraction of pending decisions that allow' },
    { name: 'authFailureFraction', node: fraction, default: 0.001, description: 'fraction of principals whose credentials are wrong: every request they make fails authentication (rejected, counted)' },
    { name: 'duplicateFraction', node: fraction, default: 0.002, description: 'fraction of IMs sent twice with the same message id (client retransmission)' },
    { name: 'unknownRecipientFraction', node: fraction, default: 0.005, description: 'fraction of IMs addressed to an unknown user' },
    {
      name: 'imContacts',
      node: { kind: 'int', min: 0, max: 10_000 },
      default: 0,
      description: 'contacts per principal besides its buddies that it sends IMs to (drawn per principal from the whole population, inbox-only principals included; a sender picks uniformly among buddies and contacts)',
    },
    { name: 'offlineStorage', node: { kind: 'bool' }, default: false, description: 'a message for a closed inbox is stored by the recipient\'s service and delivered when the inbox next opens (store-and-forward); without it the message fails as closed' },
    { name: 'imBodyBytes', node: { kind: 'size', max: 16 * 1024 * 1024 }, default: '120B', description: 'IM body size' },
  ],
};

export const traceNode: ObjectNode = {
  kind: 'object',
  fields: [
    { name: 'enabled', node: { kind: 'bool' }, default: false, description: 'record every message (for teaching); only for small runs' },
    { name: 'limit', node: { kind: 'int', min: 1, max: 10_000_000 }, default: 2000, description: 'stop recording after this many messages' },
    {
      name: 'maxBytes',
      node: { kind: 'size', max: 256 * 1024 * 1024 },
      default: '16MiB',
      description: 'stop recording once the records take about this many bytes in the report (each record counted by the length of its JSON, within a few per cent)',
    },
  ],
};
