/**
 * Principals' sessions (RFC 2778 2.1, RFC 2779 3.2.5): users log in and out. At log-in each of a
 * presentity's devices (population.devices; one by default) publishes its tuples open and the
 * agents start publishing changes, an inbox owner's agent starts sending messages, and a watcher
 * starts subscribing, polling or fetching. At log-out each device either publishes its tuples
 * closed or crashes (behaviour.crashFraction, drawn per device), which sends nothing: its tuples
 * stay until its lease runs out (leases.ts). The watcher unsubscribes unless every device crashed.
 * The session itself is the principal's: all devices log in and out together. Each session has an
 * epoch: timers set in an ended session are stale.
 */
import { C, type ModelContext } from './context.js';
import type { InstantMessaging } from './im.js';
import { PRINCIPAL_INBOX_ONLY, PRINCIPAL_PRESENTITY_ONLY } from './population.js';
import type { Presence } from './presence.js';
import type { Subscriptions } from './subscriptions.js';
import type { Watchers } from './watchers.js';

export function createSessions(ctx: ModelContext, deps: { presence: Presence; im: InstantMessaging; watchers: Watchers; subscriptions: Subscriptions }): void {
  const { kernel, rng, pop, s, T, counters, online, epoch, timers } = ctx;
  const { presence, im, watchers } = deps;
  const beh = s.behaviour;
  const hasPresentity = (g: number) => pop.principal[g] !== PRINCIPAL_INBOX_ONLY;
  const hasInbox = (g: number) => pop.principal[g] !== PRINCIPAL_PRESENTITY_ONLY;
  const devs = s.population.devices;
  const crashedDevice = new Uint8Array(devs);

  const start = (g: number, d: number) => {
    const ep = epoch[g];
    const dom = s.domains[d];
    if (dom.presence && hasPresentity(g)) {
      presence.startAgent(g, d, ep);
      deps.subscriptions.startAgent(g, d, ep);
    }
    if (dom.im && hasInbox(g)) im.startAgent(g, d, ep);
    if (dom.presence) watchers.start(g, d, ep);
    timers.set(rng.exponential(kernel.lp, beh.sessionLength), logout, kernel.lp, g, ep);
  };

  const login = ctx.on('login', (d, g) => {
    if (online[g]) return;
    online[g] = 1;
    epoch[g]++;
    counters[C.logins]++;
    // XMPP: the client sets up its stream first, then sends its initial presence (bindings/wire.ts)
    if (ctx.wire.login(d, g, streamUp)) return;
    loggedIn(g, d);
  });
  const loggedIn = (g: number, d: number) => {
    // each device publishes all its tuples (T + j)
    if (hasPresentity(g)) for (let j = 0; j < devs; j++) presence.publish(g, d, T + j, 1 + rng.int(kernel.lp, 4));
    if (hasInbox(g)) im.inboxOpened(g, d);
    start(g, d);
  };
  const streamUp = ctx.on('streamUp', (d, g, ep) => {
    if (online[g] && epoch[g] === ep) loggedIn(g, d);
  });

  const logout = ctx.on('logout', (d, g, ep) => {
    if (!online[g] || epoch[g] !== ep) return;
    online[g] = 0;
    epoch[g]++;
    counters[C.logouts]++;
    // each device crashes on its own (one draw per device)
    let crashed = 0;
    for (let j = 0; j < devs; j++) {
      crashedDevice[j] = rng.uniform(kernel.lp) < beh.crashFraction ? 1 : 0;
      crashed += crashedDevice[j];
    }
    counters[C.crashes] += crashed;
    const all = crashed === devs;
    ctx.wire.logout(d, g, all);
    // crash-stop (RFC 2779 3.2.5): a crashed device says no goodbye; its lease runs out
    if (hasPresentity(g)) for (let j = 0; j < devs; j++) if (crashedDevice[j] === 0) presence.publish(g, d, T + j, 0);
    // the subscriptions simply stop being refreshed when no device is left to cancel them
    if (all) watchers.forget(g);
    else watchers.stop(g);
    timers.set(rng.exponential(kernel.lp, beh.offlineLength), login, kernel.lp, g);
  });

  const lpOf = ctx.cluster.lpOfUser;
  ctx.onInit((d, lp) => {
    // users of this node log in: the online fraction at once (spread over 10 s), the others later
    for (let g = pop.domainStart[d]; g < pop.domainStart[d + 1]; g++) {
      if (lpOf[g] !== lp) continue;
      const u = rng.uniform(kernel.lp);
      if (u < s.population.online) kernel.schedule(rng.uniform(kernel.lp) * 10_000, login, lp, g);
      else if (beh.loginWindow > 0) kernel.schedule(beh.loginStart + rng.uniform(kernel.lp) * beh.loginWindow, login, lp, g);
      else kernel.schedule(rng.exponential(kernel.lp, beh.offlineLength), login, lp, g);
    }
  });
}
