/**
 * The embedded servers of a live run: one Prosody for a one-domain scenario; for a federation,
 * one Prosody per domain, each serving its domain and reaching the others over server-to-server
 * streams on loopback (dialback, no TLS; the domains are routed to the other servers' s2s ports
 * by the launcher's routing plugin, there being no DNS for them). All of them are stopped if
 * any fails to start.
 */
import { SimError } from '../errors.js';
import { freeLoopbackPort, startProsody, type ProsodyServer } from './prosody-server.js';

/** Embedded servers per run at most (each is a single-threaded process on this machine). */
export const LIVE_MAX_SERVERS = 4;

export async function startEmbeddedServers(domains: string[], o: { offlineStorage: boolean; cpus?: string }): Promise<ProsodyServer[]> {
  if (domains.length === 1) return [await startProsody({ hosts: domains, offlineStorage: o.offlineStorage, cpus: o.cpus })];
  if (domains.length > LIVE_MAX_SERVERS) {
    throw new SimError('SIM_ERR_CLI_USAGE', `a federated live run starts one server per domain, at most ${LIVE_MAX_SERVERS}; the scenario has ${domains.length} domains (or give --target xmpp://127.0.0.1:PORT, a server that serves them all)`);
  }
  const s2sPorts: number[] = [];
  for (let i = 0; i < domains.length; i++) s2sPorts.push(await freeLoopbackPort());
  const servers: ProsodyServer[] = [];
  try {
    for (let d = 0; d < domains.length; d++) {
      const routes: Record<string, number> = {};
      domains.forEach((name, e) => e !== d && (routes[name] = s2sPorts[e]));
      servers.push(await startProsody({ hosts: [domains[d]], offlineStorage: o.offlineStorage, cpus: o.cpus, s2s: { port: s2sPorts[d], routes } }));
    }
  } catch (e) {
    await Promise.all(servers.map((s) => s.stop()));
    throw e;
  }
  return servers;
}
