/**
 * The embedded ejabberd as a live run's target: one node serving every domain of the scenario,
 * started (sim/live/ejabberd-server.ts), then provisioned from one XEP-0227 file
 * (sim/live/ejabberd-provision.ts). A multi-domain scenario is not federated here: traffic
 * between its domains is routed inside the one node, with no server-to-server stream, and the
 * run's mapping says so (the boundary counts are then internal traffic). The node is stopped if
 * provisioning fails.
 */
import type { LivePlan } from './live-plan.js';
import { provisionEjabberd } from './ejabberd-provision.js';
import { EJABBERD_VERSION, startEjabberd, type EjabberdServer } from './ejabberd-server.js';

export const EJABBERD_SERVER_NAME = `ejabberd ${EJABBERD_VERSION} (embedded)`;

export const EJABBERD_DOMAINS_MAPPED = 'domains: one embedded ejabberd node serves every domain; traffic between domains is routed inside that node (no server-to-server stream), so the boundary counts are internal traffic';
export const EJABBERD_FEDERATION_NOT_MAPPED = 'federation.* (s2s, SRV, gateways, hop budget...): the one ejabberd node hosts every domain, nothing crosses a server-to-server stream';

/** Replaces the plan's Prosody-specific lines about domains by what one ejabberd node does. */
export function ejabberdMapping(plan: LivePlan): void {
  if (plan.domains.length < 2) return;
  plan.mapped = plan.mapped.map((m) => (m.startsWith('domains:') ? EJABBERD_DOMAINS_MAPPED : m));
  plan.notMapped = plan.notMapped.map((m) => (m.startsWith('federation.*') ? EJABBERD_FEDERATION_NOT_MAPPED : m));
}

export async function embeddedEjabberd(plan: LivePlan, o: { offlineStorage: boolean; cpus?: string }): Promise<{ server: EjabberdServer; serverStartMs: number; provisionMs: number; name: string }> {
  ejabberdMapping(plan);
  const t = performance.now();
  const server = await startEjabberd({ hosts: plan.domains, offlineStorage: o.offlineStorage, cpus: o.cpus });
  const serverStartMs = Math.round(performance.now() - t);
  try {
    const p = performance.now();
    await provisionEjabberd(server, plan.domains, plan.accounts);
    const provisionMs = Math.round(performance.now() - p);
    return { server, serverStartMs, provisionMs, name: `${EJABBERD_SERVER_NAME}${plan.domains.length > 1 ? `, one node serving ${plan.domains.length} domains (no s2s)` : ''}` };
  } catch (e) {
    await server.stop();
    throw e;
  }
}
