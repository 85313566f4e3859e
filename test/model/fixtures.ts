import type { Dist, DomainSpec, Scenario } from '../../sim/scenario/types.js';
import { OPERATIONS } from '../../sim/scenario/types.js';

const exp = (mean: number): Dist => ({ dist: 'exponential', mean });

export function domain(name: string, users: number, extra: Partial<DomainSpec> = {}): DomainSpec {
  const fixed = (value: number): Dist => ({ dist: 'fixed', value });
  const wire = { inbound: { request: fixed(0.02), response: fixed(0.01) }, outbound: { request: fixed(0.02), response: fixed(0.01) }, kinds: [] };
  const serviceTimes = { ...Object.fromEntries(OPERATIONS.map((op) => [op, exp(op === 'notify' ? 0.2 : 0.5)])), wire } as DomainSpec['serviceTimes'];
  return {
    name,
    users,
    servers: { count: 1, cores: 2, queueLimit: 0 },
    serviceTimes,
    presence: true,
    im: true,
    protocol: 'cpim',
    gateway: { count: 1, cores: 4, queueLimit: 0, serviceTime: exp(0.3), routes: [] },
    srv: null,
    ...extra,
  };
}

/** A small scenario built in code (independent of the YAML loader). */
export function smallScenario(over: Partial<Scenario> = {}): Scenario {
  return {
    name: 'test-small',
    description: '',
    seed: 7,
    duration: 2 * 3_600_000,
    warmup: 0,
    domains: [domain('a.example', 60), domain('b.example', 40)],
    defaultLinkLatency: { dist: 'lognormal', median: 30, sigma: 0.3 },
    links: [],
    linkBandwidthMbps: 0,
    linkLoss: 0,
    access: { mobileFraction: 0, lan: { latency: { dist: "fixed", value: 0.2 }, bandwidthMbps: 1000, loss: 0 }, mobile: { latency: { dist: "lognormal", median: 60, sigma: 0.5 }, bandwidthMbps: 2, loss: 0.01 }, retransmitTimeout: 1000 },
    federation: {
      protocolLabel: '_tcp',
      srvTtl: 3_600_000,
      resolverTime: exp(20),
      maxForwards: 20,
      spoofFraction: 0,
      transactionTimeout: 3_600_000,
      forgedNotifyRate: 0,
      thirdPartyRate: 0,
      retransmitTimeout: 500,
      maxRetransmits: 4,
      imRetries: 0,
      retryBackoff: 5000,
      notifyMinInterval: 0,
      listSubscriptions: false,
      partialNotifications: false,
    },
    faults: [],
    population: {
      buddies: { dist: 'fixed', value: 6 },
      federatedFraction: 0.3,
      principals: { both: 0.9, presentityOnly: 0.05, inboxOnly: 0.05 },
      watchers: { subscriber: 0.8, poller: 0.1, fetcher: 0.1 },
      access: { allow: 0.7, deny: 0.1, politeBlock: 0.1, pending: 0.1 },
      visibility: { full: 0.7, firstTupleOnly: 0.3 },
      classes: [],
      tuples: 2,
      devices: 1,
      online: 0.7,
      blockedSenders: 0.05,
      watcherInfoSubscribers: 0,
      hiddenWatchers: 0,
      celebrity: null,
      popularity: 0.8,
    },
    behaviour: {
      presenceChangeRate: 6,
      imRate: 6,
      pollInterval: 300_000,
      fetchRate: 2,
      subscriptionDuration: 1_800_000,
      maxSubscriptionDuration: 1_200_000,
      refreshBefore: 60_000,
      publicationLease: 3_600_000,
      sessionLength: 1_800_000,
      offlineLength: 600_000,
      loginWindow: 0,
      loginStart: 0,
      crashFraction: 0.2,
      pendingDecisionDelay: { dist: 'exponential', mean: 120_000 },
      pendingAllowFraction: 0.6,
      authFailureFraction: 0.01,
      offlineStorage: false,
      imContacts: 0,
      duplicateFraction: 0.05,
      unknownRecipientFraction: 0.05,
      imBodyBytes: 120,
    },
    trace: { enabled: false, limit: 1000, maxBytes: 16 * 1024 * 1024 },
    ...over,
  };
}
