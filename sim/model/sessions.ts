/**
 * Principals' sessions (RFC 2778 2.1, RFC 2779 3.2.5): users log in and out. When a principal
 * comes online its agents start: an inbox owner's agent starts sending messages and its inbox
 * opens, a watcher starts subscribing, polling or fetching, a presentity's agent starts publishing
 * changes (presence.ts). Each session has an epoch: timers set in an ended session are stale.
 *
 * One device (population.devices: 1, the default): the session is the principal's. At log-in the
 * device publishes its tuples open; at log-out it either publishes them closed or crashes
 * (behaviour.crashFraction), which sends nothing: its tuples stay until its lease runs out
 * (leases.ts), and the watcher does not unsubscribe (its subscriptions expire).
 *
 * Several devices: each device (presence user agent) has a session of its own, Exp(sessionLength)
 * online and Exp(offlineLength) offline, with its own epoch (ctx.deviceEpoch): at its log-in it
 * publishes its tuples open and keeps its lease; at its log-out it publishes them closed or crashes
 * (crashFraction per device log-out). The principal is online while at least one device is: its
 * agents start with its first device's log-in and stop with its last device's log-out, where the
 * watcher unsubscribes unless that last device crashed (no device is left to cancel). A binding's
 * session (an XMPP stream, bindings/wire.ts) is the principal's: it is set up at the first log-in;
 * a device that logs in while it is being set up publishes once it is up.
 *
 * Counters: `logins` and `logouts` count the principal's sessions (coming online, going offline),
 * `deviceLogins` and `deviceLogouts` the devices' (several devices only), `crashes` crashed devices.
 */
import { C, type ModelContext } from './context.js';
import type { InstantMessaging } from './im.js';
import { PRINCIPAL_INBOX_ONLY, PRINCIPAL_PRESENTITY_ONLY } from './population.js';
import type { Presence } from './presence.js';
import type { Subscriptions } from './subscriptions.js';
import type { Watchers } from './watchers.js';

export function createSessions(ctx: ModelContext, deps: { presence: Presence; im: InstantMessaging; watchers: Watchers; subscriptions: Subscriptions }): void {
  const { kernel, rng, pop, s, T, counters, online, epoch, timers, deviceOnline, deviceEpoch } = ctx;
  const { presence, im, watchers } = deps;
  const beh = s.behaviour;
  const hasPresentity = (g: number) => pop.principal[g] !== PRINCIPAL_INBOX_ONLY;
  const hasInbox = (g: number) => pop.principal[g] !== PRINCIPAL_PRESENTITY_ONLY;
  const devs = s.population.devices;
  const multi = devs > 1;
  // several devices: whether the principal's session is set up (a device logging in publishes at once)
  const up = new Uint8Array(multi ? ctx.U : 0);

  // the principal's agents start (one device: and its session's log-out timer)
  const start = (g: number, d: number) => {
    const ep = epoch[g];
    const dom = s.domains[d];
    if (dom.presence && hasPresentity(g)) {
      presence.startAgent(g, d, ep);
      deps.subscriptions.startAgent(g, d, ep);
    }
    if (dom.im && hasInbox(g)) im.startAgent(g, d, ep);
    if (dom.presence) watchers.start(g, d, ep);
    if (!multi) timers.set(rng.exponential(kernel.lp, beh.sessionLength), logout, kernel.lp, g, ep);
  };

  // the principal comes online (one device: a = g; several: a = g * devices + j, its first device)
  const principalLogin = (d: number, g: number) => {
    online[g] = 1;
    epoch[g]++;
    counters[C.logins]++;
    // XMPP: the client sets up its stream first, then sends its initial presence (bindings/wire.ts)
    if (ctx.wire.login(d, g, streamUp)) return;
    loggedIn(g, d);
  };
  const login = ctx.on('login', (d, a) => {
    if (!multi) {
      if (online[a]) return;
      return principalLogin(d, a);
    }
    if (deviceOnline[a]) return;
    deviceLogin(d, a);
  });
  const loggedIn = (g: number, d: number) => {
    // each device (online) publishes all its tuples (T + j)
    if (hasPresentity(g)) for (let j = 0; j < devs; j++) if (!multi || deviceOnline[g * devs + j] !== 0) presence.publish(g, d, T + j, 1 + rng.int(kernel.lp, 4));
    if (multi) up[g] = 1;
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
    const crashed = rng.uniform(kernel.lp) < beh.crashFraction;
    if (crashed) counters[C.crashes]++;
    ctx.wire.logout(d, g, crashed);
    // crash-stop (RFC 2779 3.2.5): a crashed device says no goodbye; its lease runs out
    if (hasPresentity(g) && !crashed) presence.publish(g, d, T, 0);
    // the subscriptions simply stop being refreshed when no device is left to cancel them
    if (crashed) watchers.forget(g);
    else watchers.stop(g);
    timers.set(rng.exponential(kernel.lp, beh.offlineLength), login, kernel.lp, g);
  });

  // ---- several devices: each device's own session (k = g * devices + j) ----
  const deviceLogin = (d: number, k: number) => {
    const g = Math.floor(k / devs);
    const j = k - g * devs;
    deviceOnline[k] = 1;
    const ep = ++deviceEpoch[k];
    counters[C.deviceLogins]++;
    if (s.domains[d].presence && hasPresentity(g)) presence.startDevice(g, d, j, ep);
    timers.set(rng.exponential(kernel.lp, beh.sessionLength), deviceLogout, kernel.lp, k, ep);
    if (!online[g]) return principalLogin(d, g);
    // the principal is online already: the device publishes its tuples (once its session is set up)
    if (up[g] !== 0 && hasPresentity(g)) presence.publish(g, d, T + j, 1 + rng.int(kernel.lp, 4));
  };
  const deviceLogout = ctx.on('deviceLogout', (d, k, ep) => {
    if (deviceOnline[k] === 0 || deviceEpoch[k] !== ep) return;
    const g = Math.floor(k / devs);
    const j = k - g * devs;
    deviceOnline[k] = 0;
    deviceEpoch[k]++;
    counters[C.deviceLogouts]++;
    // the device crashes on its own
    const crashed = rng.uniform(kernel.lp) < beh.crashFraction;
    if (crashed) counters[C.crashes]++;
    const published = up[g] !== 0;
    let left = 0;
    for (let i = g * devs; i < (g + 1) * devs; i++) left += deviceOnline[i];
    if (left === 0) {
      // its last device: the principal goes offline
      online[g] = 0;
      epoch[g]++;
      up[g] = 0;
      counters[C.logouts]++;
      ctx.wire.logout(d, g, crashed);
    }
    // crash-stop (RFC 2779 3.2.5): a crashed device says no goodbye; its lease runs out
    if (hasPresentity(g) && !crashed && published) presence.publish(g, d, T + j, 0);
    if (left === 0) {
      // nobody cancels the subscriptions when the last device crashed: they expire
      if (crashed) watchers.forget(g);
      else watchers.stop(g);
    }
    timers.set(rng.exponential(kernel.lp, beh.offlineLength), login, kernel.lp, k);
  });

  const lpOf = ctx.cluster.lpOfUser;
  ctx.onInit((d, lp) => {
    // users (several devices: each device) of this node log in: the online fraction at once
    // (spread over 10 s), the others later
    for (let k = pop.domainStart[d] * devs; k < pop.domainStart[d + 1] * devs; k++) {
      if (lpOf[Math.floor(k / devs)] !== lp) continue;
      const u = rng.uniform(kernel.lp);
      if (u < s.population.online) kernel.schedule(rng.uniform(kernel.lp) * 10_000, login, lp, k);
      else if (beh.loginWindow > 0) kernel.schedule(beh.loginStart + rng.uniform(kernel.lp) * beh.loginWindow, login, lp, k);
      else kernel.schedule(rng.exponential(kernel.lp, beh.offlineLength), login, lp, k);
    }
  });
}
