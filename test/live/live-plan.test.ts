/**
 * Live mode without a server: the scenario's population mapped to XMPP rosters, the storage files
 * written for Prosody, and the bounds of a live run checked where the values enter.
 */
import { describe, expect, it } from 'vitest';
import { buildPopulation } from '../../sim/model/population.js';
import { loadScenario } from '../../sim/scenario/index.js';
import { checkLiveRun, LIVE_MAX_OFFERED_RATE, parseTarget } from '../../sim/live/live-command.js';
import { LIVE_MAX_USERS, livePlan, withUsers } from '../../sim/live/live-plan.js';
import { accountFile, prosodyEncode, rosterFile } from '../../sim/live/prosody-provision.js';

const pw = (u: number) => `pw${u}`;
const small = (access: string) => loadScenario('office', ['domains[0].users=30', `population.access=${access}`, 'population.buddies=4']);

describe('live plan: the population as rosters', () => {
  it('allowed edges become to/from items, both where two users watch each other, and followers receive the changes', () => {
    const sc = small('{allow: 1, deny: 0, politeBlock: 0, pending: 0}');
    const plan = livePlan(sc, 3, pw);
    const pop = buildPopulation(sc, 3);
    // one follower per population edge (a watcher follows the presentity it watches)
    expect(plan.followerIdx.length).toBe(pop.edges);
    const sees = new Set<string>();
    for (let e = 0; e < pop.edges; e++) sees.add(`${pop.edgeWatcher[e]}>${pop.edgePresentity[e]}`);
    for (let a = 0; a < plan.users; a++) {
      for (const it of plan.accounts[a].roster) {
        const b = Number(it.jid.slice(1, it.jid.indexOf('@')));
        const to = sees.has(`${a}>${b}`);
        const from = sees.has(`${b}>${a}`);
        expect(it.subscription).toBe(to && from ? 'both' : to ? 'to' : from ? 'from' : 'none');
      }
    }
    expect(plan.accounts.some((a) => a.roster.some((i) => i.subscription === 'both'))).toBe(true);
  });

  it('deny leaves subscription none; pending asks and is held pending at the presentity, with no follower', () => {
    const deny = livePlan(small('{allow: 0, deny: 1, politeBlock: 0, pending: 0}'), 3, pw);
    expect(deny.followerIdx.length).toBe(0);
    expect(deny.accounts.every((a) => a.roster.every((i) => i.subscription === 'none' && !i.ask))).toBe(true);
    const pending = livePlan(small('{allow: 0, deny: 0, politeBlock: 0, pending: 1}'), 3, pw);
    expect(pending.followerIdx.length).toBe(0);
    const asks = pending.accounts.reduce((n, a) => n + a.roster.filter((i) => i.ask).length, 0);
    const held = pending.accounts.reduce((n, a) => n + (a.pendingIn?.length ?? 0), 0);
    expect(asks).toBeGreaterThan(0);
    expect(held).toBe(asks);
  });

  it('lists what XMPP cannot express (teach-basic: visibility classes, polling, fetching, expiry)', () => {
    const plan = livePlan(loadScenario('teach-basic', []), 1, pw);
    const text = plan.notMapped.join('\n');
    for (const f of ['population.visibility', 'behaviour.pollInterval', 'behaviour.fetchRate', 'subscriptionDuration', 'population.blockedSenders']) expect(text).toContain(f);
    expect(plan.mapped.join('\n')).toContain('pollers and fetchers');
  });

  it('withUsers spreads users over the domains in proportion', () => {
    const sc = withUsers(loadScenario('federation', []), 100);
    expect(sc.domains.reduce((a, d) => a + d.users, 0)).toBe(100);
  });
});

describe('live plan: Prosody storage files', () => {
  it('encodes names as Prosody datamanager does and writes Lua tables', () => {
    expect(prosodyEncode('office.example')).toBe('office%2eexample');
    expect(prosodyEncode('u17')).toBe('u17');
    expect(accountFile({ user: 'u1', host: 'a.example', password: 'p"w', roster: [] })).toBe('return {\n\t["password"] = "p\\"w";\n};\n');
    const r = rosterFile({ user: 'u1', host: 'a.example', password: 'x', roster: [{ jid: 'u2@a.example', subscription: 'both' }, { jid: 'u3@a.example', subscription: 'none', ask: true }], pendingIn: ['u4@a.example'] });
    expect(r).toContain('[false] = { ["version"] = 1; ["pending"] = { ["u4@a.example"] = true; }; };');
    expect(r).toContain('["u2@a.example"] = { ["subscription"] = "both"; ["groups"] = {}; };');
    expect(r).toContain('["u3@a.example"] = { ["subscription"] = "none"; ["groups"] = {}; ["ask"] = "subscribe"; };');
  });
});

describe('live run bounds', () => {
  it('targets: loopback only unless --allow-remote', () => {
    expect(parseTarget(undefined, false)).toEqual({ kind: 'embedded-prosody' });
    expect(parseTarget('prosody', false)).toEqual({ kind: 'embedded-prosody' });
    expect(parseTarget('ejabberd', false)).toEqual({ kind: 'embedded-ejabberd' });
    expect(parseTarget('xmpp://127.0.0.1:5222', false)).toEqual({ kind: 'xmpp', host: '127.0.0.1', port: 5222 });
    expect(parseTarget('xmpp://[::1]:5222', false)).toEqual({ kind: 'xmpp', host: '::1', port: 5222 });
    expect(() => parseTarget('xmpp://10.0.0.5:5222', false)).toThrow(/SIM_ERR_LIVE_TARGET: --target 10.0.0.5 is not a loopback address.*--allow-remote/);
    expect(parseTarget('xmpp://10.0.0.5:5222', true)).toEqual({ kind: 'xmpp', host: '10.0.0.5', port: 5222 });
    expect(() => parseTarget('http://127.0.0.1:80', false)).toThrow(/--target must be 'prosody', 'ejabberd' or xmpp:\/\/HOST:PORT, got 'http:\/\/127.0.0.1:80'/);
    expect(() => parseTarget('Ejabberd', false)).toThrow(/--target must be 'prosody', 'ejabberd' or xmpp/);
    expect(() => parseTarget('xmpp://127.0.0.1:70000', false)).toThrow(/port must be 1 to 65535/);
  });

  it('users, duration, rate scale and the offered rate are bounded', () => {
    const sc = loadScenario('office', []);
    const ok = { target: { kind: 'embedded-prosody' as const }, rateScale: 1 };
    expect(checkLiveRun(sc, { ...ok, users: 1000 }).duration).toBe(120_000);
    expect(() => checkLiveRun(sc, ok)).not.toThrow();
    expect(() => checkLiveRun(sc, { ...ok, users: LIVE_MAX_USERS + 1 })).toThrow(/--users must be an integer from 1 to 5000/);
    expect(() => checkLiveRun(sc, { ...ok, users: 10, duration: 2 * 3_600_000 })).toThrow(/--duration must be from 1s to 1h/);
    expect(() => checkLiveRun(sc, { ...ok, users: 10, rateScale: 0 })).toThrow(/--rate-scale must be > 0 and <= 100/);
    const busy = loadScenario('office', ['behaviour.imRate=3600/h']);
    expect(() => checkLiveRun(busy, { ...ok, users: 4900 })).not.toThrow();
    expect(() => checkLiveRun(busy, { ...ok, users: 5000 })).toThrow(new RegExp(`would offer 5008 presence changes and IMs per second; a live run offers at most ${LIVE_MAX_OFFERED_RATE}`));
  });

  it('refuses a population larger than a live run drives', () => {
    expect(() => livePlan(loadScenario('office', ['domains[0].users=6000']), 1, pw)).toThrow(/at most 5000 users/);
  });
});
