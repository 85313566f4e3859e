/**
 * Cross-field rules of the scenario language, run after the per-field pass on whatever resolved
 * (a part that failed there is skipped): unique names, links and routes to known domains, SRV
 * targets, fault ends, the total of users, refresh timing.
 */
import { bindingProblems } from '../model/bindings/rules.js';
import { MAX_USERS } from './fields-common.js';
import { formatCount, hasOwn, isPlainObject, quoteList } from './wording.js';
import { formatDuration } from './units.js';
import { type CountDistOut, type VCtx, hint, problem } from './validate-fields.js';

export type Tree = Record<string, unknown>;
type ResolvedDomain = { name: string; users: number; presence: boolean };
type ResolvedPair = { from: string; to: string; symmetric: boolean };

function part<T>(tree: Tree, key: string): T | undefined {
  const v = tree[key];
  return v === undefined ? undefined : (v as T);
}

/** Reports a name that is not one of the scenario's domains (with a suggestion); returns its index. */
type KnownDomain = (path: string, name: string) => number | undefined;

type ResolvedPopulation = { buddies: CountDistOut; federatedFraction: number; celebrity: { domain: string; subscribers: number } | null; tuples?: number; devices?: number };

export function crossCheck(ctx: VCtx, raw: Record<string, unknown>, tree: Tree): void {
  const domains = part<ResolvedDomain[]>(tree, 'domains');
  const population = part<ResolvedPopulation>(tree, 'population');
  const duration = part<number>(tree, 'duration');
  const warmup = part<number>(tree, 'warmup');
  if (duration !== undefined && warmup !== undefined && warmup >= duration) {
    problem(ctx, 'warmup', `must be less than duration (${formatDuration(duration)}), got ${formatDuration(warmup)}`);
  }
  const knownDomain = checkDomainNames(ctx, raw);
  checkClassShares(ctx, part<{ classes?: { share: number; among: string }[] }>(tree, 'population')?.classes ?? []);
  if (population?.devices !== undefined && population.tuples !== undefined && population.devices > population.tuples) {
    problem(ctx, 'population.devices', `must be at most population.tuples (${population.tuples}): each device owns at least one tuple, got ${population.devices}`);
  }
  if (domains && population) checkPopulationFits(ctx, domains, population);
  else if (domains) checkTotalUsers(ctx, domains);
  const links = part<{ pairs: ResolvedPair[] }>(tree, 'links');
  if (links) checkLinkPairs(ctx, links.pairs, knownDomain);
  if (domains) checkRoutesAndSrv(ctx, domains, knownDomain);
  if (domains) checkWireKinds(ctx, domains as unknown as { serviceTimes?: { wire?: { kinds: { kind: string }[] } } }[]);
  checkFaults(ctx, part(tree, 'faults'), duration, knownDomain);
  // protocol bindings: fields an XMPP domain has no meaning for
  for (const b of bindingProblems(tree as Parameters<typeof bindingProblems>[0])) problem(ctx, b.path, b.message);
  if (population?.celebrity) {
    const i = knownDomain('population.celebrity.domain', population.celebrity.domain);
    if (i !== undefined && domains && !domains[i]!.presence) {
      problem(ctx, 'population.celebrity.domain', `domain '${population.celebrity.domain}' has presence: false, so it cannot host a celebrity presentity`);
    }
  }
  const behaviour = part<Record<string, number>>(tree, 'behaviour');
  if (behaviour) checkBehaviourTiming(ctx, behaviour, duration);
}

/** A wire kind given twice in one domain's `serviceTimes.wire.kinds`. */
function checkWireKinds(ctx: VCtx, domains: { serviceTimes?: { wire?: { kinds: { kind: string }[] } } }[]): void {
  domains.forEach((d, i) => {
    const kinds = d.serviceTimes?.wire?.kinds ?? [];
    kinds.forEach((x, j) => {
      const first = kinds.findIndex((y) => y.kind === x.kind);
      if (first < j) problem(ctx, `domains[${i}].serviceTimes.wire.kinds[${j}].kind`, `wire kind '${x.kind}' is given twice (also kinds[${first}]); give each kind once`);
    });
  });
}

/**
 * Duplicate domain names. Names come from the raw list, so that links are checked even when some
 * other field of a domain is wrong (a name that is itself invalid was reported by the field pass).
 */
function checkDomainNames(ctx: VCtx, raw: Record<string, unknown>): KnownDomain {
  const rawDomains = hasOwn(raw, 'domains') && Array.isArray(raw.domains) ? (raw.domains as unknown[]) : undefined;
  const byName = new Map<string, number>();
  rawDomains?.forEach((d, i) => {
    const name = isPlainObject(d) && typeof d.name === 'string' ? d.name : undefined;
    if (name === undefined) return;
    const first = byName.get(name);
    if (first !== undefined) problem(ctx, `domains[${i}].name`, `duplicate domain name '${name}' (also domains[${first}].name)`);
    else byName.set(name, i);
  });
  return (path, name) => {
    if (!rawDomains) return undefined;
    const i = byName.get(name);
    if (i === undefined) {
      const names = [...byName.keys()];
      const s = hint(ctx, name, names);
      problem(ctx, path, `unknown domain '${name}'${s ? `; did you mean '${s}'?` : ''} (domains: ${quoteList(names.slice(0, 20))}${names.length > 20 ? ', ...' : ''})`);
    }
    return i;
  };
}

function checkTotalUsers(ctx: VCtx, domains: ResolvedDomain[]): number {
  let total = 0;
  for (const d of domains) total += d.users;
  if (total > MAX_USERS) {
    problem(ctx, 'domains', `the domains have ${formatCount(total)} users in all; at most ${formatCount(MAX_USERS)} are allowed`);
  }
  return total;
}

/** The population fits the domains: the user limit with the celebrity's subscribers, enough users for the buddy lists. */
function checkPopulationFits(ctx: VCtx, domains: ResolvedDomain[], population: ResolvedPopulation): void {
  const total = checkTotalUsers(ctx, domains);
  const celeb = population.celebrity;
  if (celeb && total + celeb.subscribers > MAX_USERS) {
    problem(
      ctx,
      'population.celebrity.subscribers',
      `users plus celebrity subscribers come to ${formatCount(total + celeb.subscribers)}; at most ${formatCount(MAX_USERS)} are allowed`,
    );
  }
  const b = population.buddies;
  const least = b.dist === 'fixed' ? b.value : b.min;
  if (least > total - 1) {
    problem(
      ctx,
      b.dist === 'fixed' ? 'population.buddies' : 'population.buddies.min',
      `a user needs at least ${least} buddies but there are only ${total - 1} other users`,
    );
  }
  if (domains.length === 1 && population.federatedFraction > 0) {
    problem(ctx, 'population.federatedFraction', `must be 0 with a single domain (there is no other domain to draw buddies from), got ${population.federatedFraction}`);
  }
}

/** Link pairs join two known, different domains, each direction given once. */
function checkLinkPairs(ctx: VCtx, pairs: ResolvedPair[], knownDomain: KnownDomain): void {
  const seen = new Map<string, string>();
  pairs.forEach((p, i) => {
    const at = `links.pairs[${i}]`;
    knownDomain(`${at}.from`, p.from);
    knownDomain(`${at}.to`, p.to);
    if (p.from === p.to) {
      problem(ctx, `${at}.to`, `a link joins two different domains, but from and to are both '${p.from}'`);
      return;
    }
    const dirs: [string, string][] = p.symmetric ? [[p.from, p.to], [p.to, p.from]] : [[p.from, p.to]];
    for (const [a, b] of dirs) {
      const key = `${a} -> ${b}`;
      const other = seen.get(key);
      if (other !== undefined) {
        problem(ctx, at, `the latency ${key} is given twice (also by ${other}); pairs are symmetric unless symmetric: false`);
      } else {
        seen.set(key, at);
      }
    }
  });
}

type DomainRouting = {
  gateway: { count: number; routes: { destination: string; via: string }[] };
  srv: { records: { service: string; target: string }[] } | null;
};

/** Static routes name known domains other than their own; SRV targets name gateway hosts that exist. */
function checkRoutesAndSrv(ctx: VCtx, domains: ResolvedDomain[], knownDomain: KnownDomain): void {
  const gatewayCount = new Map<string, number>();
  for (const d of domains) gatewayCount.set(d.name, (d as unknown as DomainRouting).gateway.count);
  domains.forEach((d, i) => {
    const dom = d as unknown as DomainRouting;
    dom.gateway.routes.forEach((r, j) => {
      const at = `domains[${i}].gateway.routes[${j}]`;
      knownDomain(`${at}.destination`, r.destination);
      knownDomain(`${at}.via`, r.via);
      if (r.via === d.name) problem(ctx, `${at}.via`, `a route forwards to another domain's gateway, but via is the domain itself ('${d.name}')`);
    });
    dom.srv?.records.forEach((r, j) => {
      const at = `domains[${i}].srv.records[${j}].target`;
      if (r.target === '.') {
        // RFC 2782: a lone record with target '.' says the service is not offered; beside others it means nothing
        const others = dom.srv!.records.filter((x) => x.service === r.service).length - 1;
        if (others > 0) problem(ctx, at, `'.' (service not offered) must be the only ${r.service} record of '${d.name}', but there are ${others} other(s)`);
        return;
      }
      const m = /^gw([1-9][0-9]*)\.(.+)$/.exec(r.target);
      if (!m) {
        problem(ctx, at, `expected a gateway host gwN.<domain> such as 'gw1.${d.name}', got '${r.target}'`);
        return;
      }
      const host = Number(m[1]);
      const count = gatewayCount.get(m[2]!);
      if (count === undefined) knownDomain(at, m[2]!);
      else if (host > count) problem(ctx, at, `domain '${m[2]}' has ${count} gateway host(s), so there is no '${r.target}'`);
    });
  });
}

type ResolvedFault = { kind: string; domain: string; from: string; to: string; at: number };

/** Each fault names what it strikes (a domain, or both ends of a link) and starts before the end. */
function checkFaults(ctx: VCtx, faults: ResolvedFault[] | undefined, duration: number | undefined, knownDomain: KnownDomain): void {
  faults?.forEach((f, i) => {
    const at = `faults[${i}]`;
    if (f.kind === 'gatewayDown' || f.kind === 'serverCrash') {
      if (f.domain === '') problem(ctx, `${at}.domain`, `a ${f.kind} fault needs the domain it strikes`);
      else knownDomain(`${at}.domain`, f.domain);
    } else if (f.from === '' || f.to === '') {
      problem(ctx, f.from === '' ? `${at}.from` : `${at}.to`, `a ${f.kind} fault needs both ends of the link (from and to)`);
    } else {
      knownDomain(`${at}.from`, f.from);
      knownDomain(`${at}.to`, f.to);
      if (f.from === f.to) problem(ctx, `${at}.to`, `a link joins two different domains, but from and to are both '${f.from}'`);
    }
    if (duration !== undefined && f.at >= duration) problem(ctx, `${at}.at`, `the fault starts at ${formatDuration(f.at)}, at or after the end of the run (duration ${formatDuration(duration)})`);
  });
}

/** A refresh comes before the granted duration ends; a log-in window starts within the run. */
function checkBehaviourTiming(ctx: VCtx, behaviour: Record<string, number>, duration: number | undefined): void {
  const granted = Math.min(behaviour.subscriptionDuration!, behaviour.maxSubscriptionDuration!);
  if (behaviour.refreshBefore! >= granted) {
    const which = behaviour.maxSubscriptionDuration! <= behaviour.subscriptionDuration! ? 'maxSubscriptionDuration' : 'subscriptionDuration';
    problem(
      ctx,
      'behaviour.refreshBefore',
      `must be less than ${which} (${formatDuration(granted)}), the granted subscription duration, got ${formatDuration(behaviour.refreshBefore!)}`,
    );
  }
  if (duration !== undefined && behaviour.loginWindow! > 0 && behaviour.loginStart! >= duration) {
    problem(ctx, 'behaviour.loginStart', `the login window starts at ${formatDuration(behaviour.loginStart!)}, at or after the end of the run (duration ${formatDuration(duration)})`);
  }
}

/** The named visibility classes that apply to one kind of pair take at most all of its pairs. */
function checkClassShares(ctx: VCtx, classes: { share: number; among: string }[]): void {
  for (const side of ['same-domain', 'other-domain']) {
    const sum = classes.reduce((n, c) => n + (c.among === 'any' || c.among === side ? c.share : 0), 0);
    if (sum > 1 + 1e-9) problem(ctx, 'population.classes', `the shares of the classes that apply to ${side} pairs add up to ${+sum.toFixed(6)}; at most 1`);
  }
}
