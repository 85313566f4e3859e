/**
 * The analytic cross-check per protocol binding (docs/bindings.md): expected rates of the wire
 * messages each binding sends for the model's operations, next to the report's `bindings`
 * section. Exact where the operation's rate is (publishes, instant messages, log-ins and log-outs
 * of exponential sessions: each is one wire message, or a fixed number of them); the
 * subscription transactions (a refresh is SUBSCRIBE, 200, NOTIFY, 200 in SIP and nothing in XMPP)
 * lean on the same approximations as the CPIM rows and are marked so.
 */
import type { Report } from '../run.js';
import type { Scenario } from '../scenario/types.js';
import type { Population } from '../model/population.js';

export interface BindingRates {
  /** per domain: expected publishes, lease refreshes, subscribe requests, refreshes and IMs (with copies) over the window */
  publishes: Float64Array;
  leaseRefreshes: Float64Array;
  refreshes: Float64Array;
  ims: Float64Array;
  /** per user over the window: the principal's log-ins and log-outs (its sessions) */
  logins: number;
  logouts: number;
}

/** the share of domain d's subscriptions whose presentity is in d too */
function ownShare(pop: Population, d: number): number {
  let own = 0;
  let all = 0;
  for (let w = pop.domainStart[d]; w < pop.domainStart[d + 1]; w++) {
    for (let i = pop.fwdStart[w]; i < pop.fwdStart[w + 1]; i++) {
      all++;
      if (pop.domainOf[pop.edgePresentity[pop.fwdEdge[i]]] === d) own++;
    }
  }
  return all === 0 ? 0 : own / all;
}

type Row = { figure: string; analytic: number; exact: boolean; note: string };

/** the wire kinds each row adds up, per binding */
const FIGURES: Record<string, Record<string, string[]>> = {
  sip: { 'publish/s': ['PUBLISH', 'PUBLISH.remove'], 'message/s': ['MESSAGE'], 'leaseRefresh/s': ['PUBLISH.refresh'], 'refresh/s': ['SUBSCRIBE.refresh'] },
  xmpp: { 'publish/s': ['presence.client', 'presence.client.unavailable'], 'message/s': ['message'], 'login/s': ['stream.open'], 'logout/s': ['stream.close'], 'leaseRefresh/s': ['keepalive'] },
};

export function bindingRows(sc: Scenario, pop: Population, x: BindingRates, secs: number): Row[] {
  const rows: Row[] = [];
  // the stream (the principal's session) closes unless the principal's last device crashed
  const c = sc.behaviour.crashFraction;
  for (const protocol of ['sip', 'xmpp']) {
    const ds = sc.domains.map((d, i) => (d.protocol === protocol ? i : -1)).filter((i) => i >= 0);
    if (ds.length === 0) continue;
    const sum = (a: Float64Array) => ds.reduce((n, d) => n + a[d], 0);
    const users = ds.reduce((n, d) => n + pop.domainUsers[d], 0);
    const at = (f: string) => `bindings.${protocol}.${f}`;
    rows.push({ figure: at('publish/s'), analytic: sum(x.publishes) / secs, exact: true, note: 'one PUBLISH / client presence per publish' });
    rows.push({ figure: at('message/s'), analytic: sum(x.ims) / secs, exact: true, note: 'one MESSAGE / message stanza per IM and copy' });
    rows.push({ figure: at('leaseRefresh/s'), analytic: sum(x.leaseRefreshes) / secs, exact: false, note: 'approx: a refresh every lease interval of a session' });
    if (protocol === 'xmpp') {
      rows.push({ figure: at('login/s'), analytic: (users * x.logins) / secs, exact: true, note: 'a stream per log-in (exponential sessions)' });
      rows.push({ figure: at('logout/s'), analytic: (2 * users * x.logouts * (1 - c)) / secs, exact: true, note: 'the stream closed both ways per clean log-out' });
    } else {
      // RFC 4662: an RLS refreshes the back-end subscriptions to its own domain's members inside the server
      const rls = ds.filter((d) => sc.domains[d].resourceLists);
      const note = rls.length === 0 ? 'approx: a refresh every granted duration less refreshBefore of a session' : `approx: a refresh every granted duration less refreshBefore of a session; without the subscriptions of watchers of ${rls.map((d) => sc.domains[d].name).join(', ')} (resourceLists) to members of their own domain, refreshed inside the server`;
      const inside = rls.reduce((n, d) => n + x.refreshes[d] * ownShare(pop, d), 0);
      rows.push({ figure: at('refresh/s'), analytic: (sum(x.refreshes) - inside) / secs, exact: false, note });
    }
  }
  return rows;
}

/** The simulated counterparts of bindingRows from a report. */
export function simulatedBindingChecks(r: Report): Record<string, number> {
  const out: Record<string, number> = {};
  const secs = r.parameters.duration / 1000;
  for (const [protocol, figures] of Object.entries(FIGURES)) {
    const b = r.bindings?.[protocol as 'sip' | 'xmpp'];
    if (b === undefined) continue;
    for (const [f, kinds] of Object.entries(figures)) out[`bindings.${protocol}.${f}`] = kinds.reduce((n, k) => n + (b.kinds[k]?.messages ?? 0), 0) / secs;
  }
  return out;
}
