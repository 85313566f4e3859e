/**
 * The servers' cost per wire message (`domains[].serviceTimes.wire`): its defaults are today's
 * estimates (request 0.02 ms, response 0.01 ms, both directions), a kind of the SIP or XMPP binding
 * may have its own inbound and outbound cost, a name that is no such kind or a kind given twice is
 * refused, and the model charges each message the cost of its kind and direction.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/run.js';
import { parseScenario } from '../../sim/scenario/index.js';
import { chargedKind, N_WIRE } from '../../sim/model/bindings/kinds.js';
import { wireDists } from '../../sim/model/service.js';
import { tinyYaml } from './tiny.js';

const ST = (wire: string) => `{ publish: 1ms, fetch: 1ms, subscribe: 1ms, refresh: 1ms, unsubscribe: 1ms, notify: 1ms, watcherinfo: 1ms, imSend: 1ms, imDeliver: 1ms, imReport: 1ms, wire: ${wire} }`;

const xmpp = (wire: string, protocol = 'xmpp') =>
  tinyYaml({
    users: 4,
    domains: `  - name: example.com
    users: 4
    protocol: ${protocol}
    servers: { count: 1, cores: 64 }
    serviceTimes: ${ST(wire)}`,
    behaviour: { presenceChangeRate: '20/h', publicationLease: 0 },
    trace: '{ enabled: false }',
  });

describe('serviceTimes.wire: the field', () => {
  it('defaults to 0.02 ms per request and 0.01 ms per response, each direction, no kinds of their own', () => {
    const sc = parseScenario(xmpp('{}'), 'w.yaml');
    const w = sc.domains[0].serviceTimes.wire;
    expect(w.inbound).toEqual({ request: { dist: 'fixed', value: 0.02 }, response: { dist: 'fixed', value: 0.01 } });
    expect(w.outbound).toEqual(w.inbound);
    expect(w.kinds).toEqual([]);
    const d = wireDists(w);
    expect(d).toHaveLength(2 * N_WIRE);
    expect(d[chargedKind('presence.broadcast')]).toEqual({ dist: 'fixed', value: 0.02 });
    expect(d[N_WIRE + chargedKind('200.NOTIFY')]).toEqual({ dist: 'fixed', value: 0.01 });
  });

  it('a kind of its own wins in both directions; the other kinds keep the defaults', () => {
    const sc = parseScenario(xmpp('{ kinds: [{ kind: presence.broadcast, inbound: 3ms, outbound: { dist: fixed, value: 0.5ms } }] }'), 'w.yaml');
    const d = wireDists(sc.domains[0].serviceTimes.wire);
    const k = chargedKind('presence.broadcast');
    expect(d[k]).toEqual({ dist: 'fixed', value: 0.5 });
    expect(d[N_WIRE + k]).toEqual({ dist: 'fixed', value: 3 });
    expect(d[chargedKind('presence.client')]).toEqual({ dist: 'fixed', value: 0.02 });
    // `message` is the XMPP stanza (CPIM's message kind is never charged)
    expect(chargedKind('message')).toBeLessThan(chargedKind('stream.close'));
    expect(chargedKind('subscribeResponse')).toBe(-1);
  });

  it('refuses a name that is no wire kind of SIP or XMPP, listing the valid ones, and a kind given twice', () => {
    expect(() => parseScenario(xmpp('{ kinds: [{ kind: presence.brodcast, inbound: 1ms, outbound: 1ms }] }'), 'w.yaml')).toThrow(
      /domains\[0\]\.serviceTimes\.wire\.kinds\[0\]\.kind: expected a wire kind of the SIP or XMPP binding \(SUBSCRIBE, .*presence\.broadcast, .*stream\.close, .*200\.NOTIFY\.list\)/,
    );
    expect(() => parseScenario(xmpp('{ kinds: [{ kind: subscribeResponse, inbound: 1ms, outbound: 1ms }] }'), 'w.yaml')).toThrow(/kinds\[0\]\.kind: expected a wire kind/);
    const twice = '{ kinds: [{ kind: keepalive, inbound: 1ms, outbound: 1ms }, { kind: keepalive, inbound: 2ms, outbound: 2ms }] }';
    expect(() => parseScenario(xmpp(twice), 'w.yaml')).toThrow(/domains\[0\]\.serviceTimes\.wire\.kinds\[1\]\.kind: wire kind 'keepalive' is given twice \(also kinds\[0\]\)/);
  });
});

describe('serviceTimes.wire: what the servers are charged', () => {
  it('each XMPP message costs its kind and direction: client presence enters, broadcasts leave', async () => {
    // presence.client only ever enters the servers (from the client), presence.broadcast only leaves
    // them in one domain: the outbound cost of the one and the inbound of the other are never drawn
    const wire = `{ kinds: [{ kind: presence.client, inbound: 2ms, outbound: 50ms }, { kind: presence.broadcast, inbound: 70ms, outbound: 0.5ms }] }`;
    const r = await runScenario(parseScenario(xmpp(wire), 'w.yaml'), { workers: 1 });
    const k = r.bindings!.xmpp!.kinds;
    expect(k['presence.client'].messages).toBeGreaterThan(10);
    expect(k['presence.broadcast'].messages).toBeGreaterThan(10);
    expect(k['presence.client'].serverMs).toBeCloseTo(2 * k['presence.client'].messages, 6);
    expect(k['presence.broadcast'].serverMs).toBeCloseTo(0.5 * k['presence.broadcast'].messages, 6);
    // the log-in's stanzas keep the defaults: requests in, results out
    expect(k['iq.bind'].serverMs).toBeCloseTo(0.02 * k['iq.bind'].messages, 6);
    expect(k['iq.bind.result'].serverMs).toBeCloseTo(0.01 * k['iq.bind.result'].messages, 6);
  });

  it('the request and response defaults of each direction apply to SIP: PUBLISH enters, its 200 leaves', async () => {
    const wire = '{ inbound: { request: 3ms, response: 4ms }, outbound: { request: 5ms, response: 0.25ms } }';
    const r = await runScenario(parseScenario(xmpp(wire, 'sip'), 'w.yaml'), { workers: 1 });
    const k = r.bindings!.sip!.kinds;
    expect(k.PUBLISH.messages).toBeGreaterThan(10);
    expect(k.PUBLISH.serverMs).toBeCloseTo(3 * k.PUBLISH.messages, 6);
    expect(k['200.PUBLISH'].serverMs).toBeCloseTo(0.25 * k['200.PUBLISH'].messages, 6);
    // NOTIFY leaves the presentity's server; the watcher's 200 enters it from the watcher's client
    expect(k.NOTIFY.serverMs).toBeCloseTo(5 * k.NOTIFY.messages, 6);
    expect(k['200.NOTIFY'].serverMs).toBeCloseTo(4 * k['200.NOTIFY'].messages, 6);
  });
});
