/**
 * One user of a live interactive run as the model holds it (GET /api/runs/:id/state/:user,
 * sim/model/entity-inspection.ts). Guards: before any event nobody is online and nothing is held;
 * after five simulated minutes the users the model has online agree with the run's log-in and
 * log-out counters; right after each traced notification its presentity holds the version and
 * (full view) the tuples the notification carried; the watcher and
 * presentity sides of an edge read the same subscription; a closed inbox lists the messages kept
 * for it and an open one none; unknown users are 404; a batch run
 * and an ended run are 409 MODEL_NOT_LIVE.
 */
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../sim/model/impp.js';
import { get, makeApp, post, type Json } from './server-helpers.js';

const USERS = ['u0@example.com', 'u1@example.com', 'u2@example.com', 'u3@example.com'];
/** Four subscribers who all see each other in full; a fraction `online` of them online all along. */
const yaml = (online: number, extra = '') => `name: inspect
duration: 10min
domains:
  - { name: example.com, users: 4, servers: { count: 1, cores: 1 } }
population:
  buddies: 3
  watchers: { subscriber: 1, poller: 0, fetcher: 0 }
  access: { allow: 1, deny: 0, politeBlock: 0, pending: 0 }
  visibility: { full: 1, firstTupleOnly: 0 }
  online: ${online}
behaviour:
  presenceChangeRate: 30/h
  sessionLength: 2h
  offlineLength: 2h
  subscriptionDuration: 3min
  maxSubscriptionDuration: 2min
  refreshBefore: 20s
${extra}trace: { enabled: true }
`;

async function interactive(app: Awaited<ReturnType<typeof makeApp>>, online: number, extra = ''): Promise<string> {
  const r = await post(app, '/api/runs', { yaml: yaml(online, extra), mode: 'interactive', speed: 1 });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect(r.status).toBe(201);
  expect((await post(app, `/api/runs/${r.body.id}/control`, { action: 'pause' })).status).toBe(200);
  return r.body.id as string;
}

describe('per-entity state from the model', () => {
  it('follows the model step by step and agrees with the counters and the traced notifications', async () => {
    const app = await makeApp();
    const id = await interactive(app, 0.5);
    const at0 = await Promise.all(USERS.map(async (u) => (await get(app, `/api/runs/${id}/state/${encodeURIComponent(u)}`)).body!));
    for (const s of at0) {
      if (s.at > 0) continue; // a paced run may have moved a little before the pause
      expect(s.online).toBe(false);
      expect(s.presence?.version ?? 0).toBe(0);
      expect(s.watching.every((w: Json) => w.service === 'none' && w.expiresAt === null)).toBe(true);
    }
    expect((await post(app, `/api/runs/${id}/control`, { action: 'step', until: 300_000 })).status).toBe(200);
    const states = await Promise.all(USERS.map(async (u) => (await get(app, `/api/runs/${id}/state/${encodeURIComponent(u)}`)).body!));
    expect(states[0].presence.devices[0]).toMatchObject({ tuple: 't1', contact: 'im:u0@example.com', priority: 1 });
    const snap = (await get(app, `/api/runs/${id}`)).body!.snapshot;
    expect(states[0].at).toBe(snap.clock);
    // online in the model = log-ins - log-outs counted by the run
    expect(states.filter((s) => s.online).length).toBe(snap.counters.logins - snap.counters.logouts);
    expect(snap.counters.logins).toBeGreaterThan(0);

    // both ends of an edge read one subscription
    for (const s of states) {
      for (const w of s.watching) {
        const other = states.find((o) => o.user === w.peer)!;
        expect(other.watchers.find((x: Json) => x.peer === s.user)).toEqual({ ...w, peer: s.user });
      }
    }
    // some subscription is held by a service at 5 min, with an expiry after now
    const held = states.flatMap((s) => s.watching).filter((w: Json) => w.service !== 'none');
    expect(held.length).toBeGreaterThan(0);
    for (const w of held) expect(w.expiresAt).toBeGreaterThan(states[0].at);

    const unknown = await get(app, `/api/runs/${id}/state/u9@example.com`);
    expect(unknown.status).toBe(404);
    expect(unknown.body!.error.code).toBe('ENTITY_NOT_FOUND');
    expect((await get(app, `/api/runs/${id}/state/nobody`)).status).toBe(404);

    await post(app, `/api/runs/${id}/control`, { action: 'stop' });
    const ended = await get(app, `/api/runs/${id}/state/u0@example.com`);
    expect(ended.status).toBe(409);
    expect(ended.body!.error).toMatchObject({ code: 'MODEL_NOT_LIVE' });
    expect(ended.body!.error.message).toMatch(/has ended .*entity\/:user/);
  });

  it('right after each traced notification, its presentity holds the version and (full view) the tuples it carried', async () => {
    const app = await makeApp();
    const id = await interactive(app, 1);
    // right after each traced notification, its presentity holds the version and (full view) the
    // tuples that notification carried
    let checked = 0;
    let seen = 0;
    for (let i = 0; i < 12; i++) {
      expect((await post(app, `/api/runs/${id}/control`, { action: 'step', to: 'message', op: 'notify' })).status).toBe(200);
      // the step ends after the event that sent a notification (it may have sent other messages too)
      const fresh = (await get(app, `/api/runs/${id}/trace?from=${seen}&limit=10000`)).body!.records as TraceRecord[];
      seen += fresh.length;
      const last = fresh.filter((r) => r.op === 'notify').at(-1)!;
      expect(last).toBeDefined();
      const user = last.state!.entity.replace(/^pres:/, '');
      const s = (await get(app, `/api/runs/${id}/state/${encodeURIComponent(user)}`)).body!;
      expect(s.presence.version).toBe(last.state!.version);
      if (last.state!.view !== 0) continue;
      expect(s.presence.devices.map((d: Json) => [d.basic, d.activity])).toEqual(last.state!.tuples.map((t) => [t.basic ? 'open' : 'closed', ['offline', 'available', 'away', 'busy', 'on-the-phone'][t.activity]]));
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('the inbox: messages kept for a closed inbox are listed with their senders, an open one keeps none', async () => {
    const app = await makeApp();
    // half the users offline all along, IMs to buddies often, kept for closed inboxes
    const id = await interactive(app, 0.5, '  imRate: 120/h\n  offlineStorage: true\n');
    expect((await post(app, `/api/runs/${id}/control`, { action: 'step', until: 300_000 })).status).toBe(200);
    const states = await Promise.all(USERS.map(async (u) => (await get(app, `/api/runs/${id}/state/${encodeURIComponent(u)}`)).body!));
    const snap = (await get(app, `/api/runs/${id}`)).body!.snapshot;
    let kept = 0;
    for (const s of states) {
      expect(s.inbox.storeAndForward).toBe(true);
      expect(s.inbox.open).toBe(s.online);
      if (s.online) expect(s.inbox.stored).toEqual([]);
      for (const m of s.inbox.stored) {
        expect(USERS).toContain(m.from);
        expect(m.from).not.toBe(s.user);
        expect(m.sentAt).toBeLessThanOrEqual(s.at);
      }
      kept += s.inbox.stored.length;
    }
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(snap.counters.imStored);
    await post(app, `/api/runs/${id}/control`, { action: 'stop' });
  });

  it('a batch run has no model in the server: 409 MODEL_NOT_LIVE', async () => {
    const app = await makeApp();
    const r = await post(app, '/api/runs', { scenario: 'teach-basic', speed: 1 });
    const s = await get(app, `/api/runs/${r.body.id}/state/u0@example.com`);
    expect(s.status).toBe(409);
    expect(s.body!.error.message).toMatch(/batch run/);
    await post(app, `/api/runs/${r.body.id}/control`, { action: 'stop' });
  });
});
