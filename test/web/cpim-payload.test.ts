/**
 * The inspector's CPIM view (web/server/cpim-payload.ts): a traced message that crossed a gateway
 * shows the CPIM operation with the TransID and SubscriptID of its trace record, fixed-width and
 * decodable; a message inside one domain shows none.
 */
import { describe, expect, it } from 'vitest';
import { tracePayload } from '../../web/server/payload.js';
import { cpimIdValue } from '../../sim/wire/index.js';
import { runTiny } from '../model/tiny.js';
import { get, makeApp, post } from './server-helpers.js';

const attr = (text: string, name: string) => new RegExp(`^${name}: (.*)\\r$`, 'm').exec(text)?.[1];

describe('payload inspector: CPIM at the gateway', () => {
  it('shows each crossing message as its CPIM operation, with the identifiers of its trace record; a response shows its request\'s TransID', async () => {
    const r = await runTiny({
      duration: '8min',
      domains: `  - { name: a.example, users: 2, servers: { count: 1, cores: 64 } }
  - { name: b.example, users: 1, servers: { count: 1, cores: 64 } }`,
      links: '{ default: { dist: fixed, value: 10ms } }',
      population: { buddies: 2, federatedFraction: 0.5 },
      behaviour: { presenceChangeRate: '30/h', imRate: '60/h', sessionLength: '3min', offlineLength: '1min', subscriptionDuration: '2min', maxSubscriptionDuration: '2min' },
    });
    const trace = r.trace!;
    const seen = new Set<string>();
    for (const x of trace) {
      const p = tracePayload(x);
      if (x.fromDomain === x.toDomain) {
        expect(p.cpim, `${x.op} inside ${x.fromDomain}`).toBeUndefined();
        continue;
      }
      if (x.op === 'listNotify' || x.op === 'wire') continue;
      const c = p.cpim!;
      expect(c, `${x.op} at ${x.t}`).toBeDefined();
      seen.add(`${x.op} ${c.operation}`);
      expect(cpimIdValue(attr(c.text, 'TransID')!)).toBe(x.cpim!.transId);
      if (x.cpim!.subscriptId === undefined) expect(attr(c.text, 'SubscriptID')).toBeUndefined();
      else expect(cpimIdValue(attr(c.text, 'SubscriptID')!)).toBe(x.cpim!.subscriptId);
      expect(c.decoded.operation).toBe(c.operation);
      if (c.operation === 'subscribe' || c.operation === 'notify') {
        const watcher = c.operation === 'subscribe' ? x.from : x.to;
        expect(attr(c.text, 'Watcher')).toBe(`pres:${watcher}`);
      }
      if (x.op === 'subscribeResponse') {
        const request = trace.find((y) => (y.op === 'subscribe' || y.op === 'refresh') && y.cpim?.transId === x.cpim!.transId)!;
        expect(attr(tracePayload(request).cpim!.text, 'TransID')).toBe(attr(c.text, 'TransID'));
      }
      if (x.op === 'unsubscribe') expect(attr(c.text, 'Duration')).toBe('0');
    }
    for (const k of ['subscribe subscribe', 'unsubscribe subscribe', 'subscribeResponse response', 'notify notify', 'message message', 'messageReport response']) expect(seen, k).toContain(k);
  });

  it('GET /api/runs/:id/trace/:index serves the CPIM view of a message that crossed a gateway', async () => {
    const app = await makeApp();
    const created = await post(app, '/api/runs', { scenario: 'teach-federation', seed: 1 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body!.id as string;
    await app.sim.runs.waitEnd(id);
    const trace = (await get(app, `/api/runs/${id}/trace?limit=10000`)).body!.records as { op: string; fromDomain: string; toDomain: string; cpim?: { transId: number } }[];
    const i = trace.findIndex((x) => x.op === 'subscribe' && x.fromDomain !== x.toDomain);
    expect(i).toBeGreaterThanOrEqual(0);
    const one = await get(app, `/api/runs/${id}/trace/${i}`);
    expect(one.body!.cpim).toMatchObject({ operation: 'subscribe', transId: trace[i].cpim!.transId });
    expect(one.body!.cpim.text).toMatch(/^Operation: subscribe\r\nWatcher: pres:/);
    await app.close();
  });
});
