/**
 * SRV resolution at the domain boundary (RFC 3861 section 4, RFC 2782 usage rules): the address
 * fall-back of a domain without records, target '.', the record names (federation.protocolLabel),
 * hosting (a domain's records name another domain's gateway) and the loops that still are loops.
 */
import { describe, expect, it } from 'vitest';
import { buildSrvTable, hostsGateway, SERVICE_IM, SERVICE_PRES } from '../../sim/model/federation.js';
import { runScenario, type Report } from '../../sim/run.js';
import { parseScenario } from '../../sim/scenario/index.js';
import { SimError } from '../../sim/errors.js';

/** Three domains; `c` and `extra` are spliced into c.example's entry and the document. */
function threeDomains(c: string, extra = '', b = ''): string {
  return `
name: srv-test
seed: 5
duration: 6min
domains:
  - { name: a.example, users: 60 }
  - { name: b.example, users: 50${b} }
  - { name: c.example, users: 40${c} }
links:
  default: { dist: uniform, min: 20ms, max: 40ms }
population: { federatedFraction: 0.5, buddies: 5, online: 1 }
behaviour:
  presenceChangeRate: 20/h
  imRate: 30/h
  authFailureFraction: 0
  duplicateFraction: 0
  unknownRecipientFraction: 0
  crashFraction: 0
${extra}`;
}

const pair = (r: Report, from: string, to: string) => r.pairs.find((p) => p.from === from && p.to === to)?.messages ?? {};
const requests = (m: Record<string, number>) => (m.subscribe ?? 0) + (m.refresh ?? 0) + (m.fetch ?? 0) + (m.message ?? 0);

describe('SRV: the table of records', () => {
  it('a service without records falls back to the domain itself (priority 0); a lone "." leaves it without targets', () => {
    const sc = parseScenario(threeDomains(', srv: { records: [{ service: im, target: "." }] }'));
    const t = buildSrvTable(sc);
    const c = 2;
    expect(t.records[c * 2 + SERVICE_PRES]).toEqual([{ domain: c, host: 0, priority: 0, weight: 0 }]);
    expect(t.implicit[c * 2 + SERVICE_PRES]).toBe(true);
    expect(t.records[c * 2 + SERVICE_IM]).toEqual([]);
    expect(t.implicit[c * 2 + SERVICE_IM]).toBe(false);
    // the default (srv: null): one record per own gateway host
    expect(t.records[0]).toEqual([{ domain: 0, host: 0, priority: 10, weight: 1 }]);
    expect(t.hosted).toBeNull();
  });

  it('the record names carry federation.protocolLabel', () => {
    const sc = parseScenario(threeDomains('', 'federation: { protocolLabel: _xmpp }'));
    const t = buildSrvTable(sc);
    expect(t.names[2 * 2 + SERVICE_PRES]).toBe('_pres._xmpp.c.example');
    expect(t.names[2 * 2 + SERVICE_IM]).toBe('_im._xmpp.c.example');
    expect(t.unreachable[2 * 2 + SERVICE_IM]).toBe('unreachable: every target of _im._xmpp.c.example is down');
  });

  it('hosting is per service: c\'s im records name b\'s gateway, so b hosts c for instant messages only', () => {
    const sc = parseScenario(threeDomains(', srv: { records: [{ service: im, target: gw1.b.example }, { service: pres, target: gw1.c.example }] }'));
    const t = buildSrvTable(sc);
    expect(hostsGateway(t, 1, 2, SERVICE_IM)).toBe(true);
    expect(hostsGateway(t, 1, 2, SERVICE_PRES)).toBe(false);
    expect(hostsGateway(t, 0, 2, SERVICE_IM)).toBe(false);
    expect(hostsGateway(t, 2, 1, SERVICE_IM)).toBe(false);
  });

  it('"." beside another record of the same service is refused, naming the record', () => {
    const bad = threeDomains(', srv: { records: [{ service: im, target: "." }, { service: im, target: gw1.c.example }] }');
    let err: unknown;
    try {
      parseScenario(bad, 'dot.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SimError);
    expect((err as SimError).message).toContain("domains[2].srv.records[0].target: '.' (service not offered) must be the only im record of 'c.example', but there are 1 other(s)");
  });
});

describe('SRV: runs', () => {
  it('RFC 3861: a domain without SRV records is reached at its own gateway (address records), not unreachable', async () => {
    const r = await runScenario(parseScenario(threeDomains(', srv: { records: [] }')), { workers: 1 });
    expect(r.federation.unreachable).toBe(0);
    expect(r.im.failedBy.unreachable).toBe(0);
    for (const from of ['a.example', 'b.example']) {
      const m = pair(r, from, 'c.example');
      expect(m.subscribe, from).toBeGreaterThan(0);
      expect(m.message, from).toBeGreaterThan(0);
    }
  });

  it('records for presence only: instant messages fall back to the domain, presence follows the records', async () => {
    const r = await runScenario(parseScenario(threeDomains(', srv: { records: [{ service: pres, target: gw1.c.example }] }')), { workers: 1 });
    expect(r.federation.unreachable).toBe(0);
    expect(pair(r, 'a.example', 'c.example').message).toBeGreaterThan(0);
  });

  it('a lone "." record: the service is not offered, requests for it fail as unreachable and the trace names the record', async () => {
    const sc = parseScenario(threeDomains(', srv: { records: [{ service: im, target: "." }] }', 'federation: { protocolLabel: _xmpp }\ntrace: { enabled: true, limit: 1000000 }'));
    const r = await runScenario(sc, { workers: 1 });
    expect(r.im.failedBy.unreachable).toBeGreaterThan(0);
    expect(r.federation.unreachable).toBe(r.im.failedBy.unreachable);
    // presence has no record: the address fall-back
    expect(pair(r, 'a.example', 'c.example').subscribe).toBeGreaterThan(0);
    expect(pair(r, 'a.example', 'c.example').message ?? 0).toBe(0);
    const details = new Set(r.trace!.filter((t) => t.op === 'messageReport' && t.detail.includes('unreachable')).map((t) => t.detail));
    expect([...details]).toEqual(["failed: unreachable: _im._xmpp.c.example says the service is not offered (target '.')"]);
  });

  it('hosting: c\'s records name b\'s gateway; requests for c from a go a -> b -> c, and nothing loops', async () => {
    const sc = parseScenario(threeDomains(', srv: { records: [{ service: pres, target: gw1.b.example }, { service: im, target: gw1.b.example }] }', 'trace: { enabled: true, limit: 10000000 }'));
    const r = await runScenario(sc, { workers: 1 });
    expect(r.federation.loops).toBe(0);
    expect(r.im.failedBy.loop).toBe(0);
    expect(r.im.failedBy.unreachable).toBe(0);
    // no request goes from a straight to c (only responses to c's own requests, on the reverse path)
    expect(requests(pair(r, 'a.example', 'c.example'))).toBe(0);
    // every instant message from a to c crosses a -> b, then b's gateway relays it b -> c
    const sent = (from: string, to: string) => r.trace!.filter((t) => t.op === 'message' && t.fromDomain === from && t.toDomain === to).length;
    expect(sent('a.example', 'c.example')).toBeGreaterThan(20);
    expect(pair(r, 'a.example', 'b.example').message).toBe(sent('a.example', 'b.example') + sent('a.example', 'c.example'));
    expect(pair(r, 'b.example', 'c.example').message).toBe(sent('b.example', 'c.example') + sent('a.example', 'c.example'));
    // the relayed subscriptions were granted: c notifies a's watchers (directly, c -> a)
    expect(pair(r, 'c.example', 'a.example').notify).toBeGreaterThan(0);
    expect(pair(r, 'c.example', 'a.example').subscribeResponse).toBeGreaterThan(0);
  });

  it('a record that really loops still loops: c\'s records name b, and b routes c\'s requests back to a', async () => {
    const sc = parseScenario(
      threeDomains(', srv: { records: [{ service: pres, target: gw1.b.example }, { service: im, target: gw1.b.example }] }', 'federation: { maxForwards: 8 }', ', gateway: { routes: [{ destination: c.example, via: a.example }] }'),
    );
    const r = await runScenario(sc, { workers: 1 });
    expect(r.federation.loops).toBeGreaterThan(0);
    expect(r.im.failedBy.loop).toBeGreaterThan(0);
    // the requests circle between a and b and never reach c
    expect(requests(pair(r, 'a.example', 'c.example'))).toBe(0);
    expect(requests(pair(r, 'b.example', 'c.example'))).toBe(0);
  });
});
