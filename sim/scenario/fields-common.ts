/**
 * Limits of the scenario language and the value nodes that several objects share.
 * Limits are big enough for any sensible study, small enough that a typo cannot ask for 1e12 users;
 * each is enforced once, where the value enters (the schema pass).
 */
import { type DistNode, type DurationNode, type FractionNode, type RateNode, type StringNode } from './schema-nodes.js';

export const MAX_USERS = 50_000_000;
export const MAX_DOMAINS = 1000;
export const MAX_LINK_PAIRS = 100_000;
export const MAX_BUDDIES = 100_000;
export const MAX_CELEBRITY_SUBSCRIBERS = 10_000_000;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const MAX_RUN = 366 * DAY;
const MAX_RATE = 360_000; // 100/s per user
export const MAX_SIGMA = 10;
export const MAX_ALPHA = 10;

export const NAME_RE = /^[a-z0-9-]+$/;
/** Top-level keys with this prefix are ignored, so that files can hold YAML anchors to merge (`<<: *x`). */
export const EXTENSION_PREFIX = 'x-';
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
export const DOMAIN_NAME_RE = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const DOMAIN_HINT = 'a DNS-like domain name of lower-case letters, digits, \'-\' and \'.\' such as "corp.example"';

export const domainName: StringNode = { kind: 'string', maxLength: 253, pattern: DOMAIN_NAME_RE, patternHint: DOMAIN_HINT };
/** An SRV target: a gateway host's name, or `.` (RFC 2782: the service is not offered). */
export const SRV_TARGET_RE = new RegExp(`^(?:\\.|${LABEL}(?:\\.${LABEL})*)$`);
export const srvTarget: StringNode = { kind: 'string', maxLength: 253, pattern: SRV_TARGET_RE, patternHint: 'a gateway host gwN.<domain> such as "gw1.corp.example", or "." (service not offered)' };
export const serviceTime: DistNode = { kind: 'dist', max: HOUR };
const LOOKAHEAD_REASON =
  'an inter-domain latency must be greater than 0: the smallest one is the lookahead of parallel runs';
export const linkLatency: DistNode = { kind: 'dist', max: HOUR, positive: LOOKAHEAD_REASON };
export const behaviourDuration = (min: number, max: number, minExclusive = false): DurationNode => ({
  kind: 'duration',
  min,
  max,
  minExclusive,
});
export const fraction: FractionNode = { kind: 'fraction' };
export const rate: RateNode = { kind: 'rate', max: MAX_RATE };

export const SERVICE_TIME_DEFAULTS: Record<string, [string, string]> = {
  publish: ['1ms', 'a presentity publishes new tuples'],
  fetch: ['0.5ms', 'a watcher fetches (or polls) a presentity once'],
  subscribe: ['1ms', 'a watcher subscribes (access decision included)'],
  refresh: ['0.5ms', 'a subscriber refreshes its subscription'],
  unsubscribe: ['0.5ms', 'a subscriber ends its subscription'],
  notify: ['0.2ms', 'the service sends one notification to one subscriber'],
  watcherinfo: ['0.2ms', 'the service tells a presentity who watches it'],
  imSend: ['0.5ms', 'the sender\'s service accepts an instant message'],
  imDeliver: ['0.5ms', 'the recipient\'s service delivers an instant message to the inbox'],
  imReport: ['0.2ms', 'the sender\'s service hands a success or failure report to the sender'],
  publishRefresh: ['0.5ms', 'a presence user agent refreshes the lease of its publication (RFC 3903 refresh)'],
  revoke: ['0.5ms', 'the presentity revokes one of its active subscriptions (RFC 2779 5.1.16)'],
};
