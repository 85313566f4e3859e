/**
 * The bindings report per server node (`bindings.<protocol>.perNode`): each node's wire jobs per
 * direction and kind add up to what the domain's binding sent and received as charged, to the
 * kinds' server time and to the domain's utilisation; a job goes to the node of the user it
 * concerns (`subject % servers`); the report is the same on 1 and 2 workers; a domain of more
 * than 64 nodes lists its 64 busiest and one `others` row.
 */
import { describe, expect, it } from 'vitest';
import { runScenario, type Report } from '../../sim/run.js';
import { parseScenario } from '../../sim/scenario/index.js';
import { PER_NODE_LIMIT, type NodeRow } from '../../sim/model/bindings/per-node.js';
import { tinyYaml } from './tiny.js';

// every wire message entering the servers costs 1.25 ms, leaving them 5 ms (large enough for a visible utilisation)
const ST = `{ publish: 1ms, fetch: 1ms, subscribe: 1ms, refresh: 1ms, unsubscribe: 1ms, notify: 1ms, watcherinfo: 1ms, imSend: 1ms, imDeliver: 1ms, imReport: 1ms, wire: { inbound: { request: 1.25ms, response: 1.25ms }, outbound: { request: 5ms, response: 5ms } } }`;
const BEHAVIOUR = { presenceChangeRate: '20/h', imRate: '20/h', sessionLength: '8min', offlineLength: '4min', publicationLease: '5min' };
const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);

function oneDomain(protocol: string, servers: number, users: number, trace = '{ enabled: true, limit: 1000000 }', warmup = ''): string {
  return `${warmup}${tinyYaml({
    users,
    duration: '20min',
    domains: `  - name: example.com
    users: ${users}
    protocol: ${protocol}
    servers: { count: ${servers}, cores: 1 }
    serviceTimes: ${ST}`,
    population: { buddies: Math.min(users - 1, 5) },
    behaviour: BEHAVIOUR,
    trace,
  })}`;
}

const run = async (yaml: string, workers = 1) => runScenario(parseScenario(yaml, 'pernode.yaml'), { workers });
const rowsOf = (r: Report, protocol: 'sip' | 'xmpp'): NodeRow[] => r.bindings![protocol]!.perNode!;
/** trace records of wire kind `kind` sent by a user of node n of 3 (users u<i>: node i % 3) */
const tracedFrom = (r: Report, kind: string, n: number) => (r.trace ?? []).filter((x) => x.wire?.kind === kind && Number(/^u(\d+)@/.exec(x.from)?.[1] ?? -1) % 3 === n).length;

describe('bindings perNode: one domain of 3 nodes', () => {
  for (const protocol of ['sip', 'xmpp'] as const) {
    it(`${protocol}: the nodes' jobs add up to what the domain sent and received as charged, their server ms to the kinds'`, async () => {
      // with a warm-up: the nodes' figures, like the others, are those of the measured period
      const r = await run(oneDomain(protocol, 3, 6, '{ enabled: false }', 'warmup: 3min\n'));
      const b = r.bindings![protocol]!;
      const rows = rowsOf(r, protocol);
      expect(rows.map((x) => [x.domain, x.node])).toEqual([0, 1, 2].map((n) => ['example.com', n]));
      for (const x of rows) {
        expect(x.messages).toBeGreaterThan(20);
        expect(x.messages).toBe(x.inbound + x.outbound);
        expect(sum(Object.values(x.kinds))).toBe(x.messages);
        // each direction at its own cost: the split is the one the servers were charged
        expect(x.serverMs).toBeCloseTo(1.25 * x.inbound + 5 * x.outbound, 6);
      }
      // the kinds' serverMs come from the pools' per-operation sums, the nodes' from per-node columns
      expect(sum(rows.map((x) => x.serverMs))).toBeCloseTo(sum(Object.values(b.kinds).map((k) => k.serverMs)), 6);
      // a message is charged once where it leaves or enters the servers: never more than sent + received
      const dom = b.perDomain['example.com'];
      const charged = (k: string) => sum(rows.map((x) => x.kinds[k] ?? 0));
      for (const k of Object.keys(b.kinds)) expect(charged(k)).toBeLessThanOrEqual((dom.sent[k] ?? 0) + (dom.received[k] ?? 0));
      // kinds charged exactly once per message sent: the client's publication in, the server's answer or broadcast out
      const once = protocol === 'sip' ? ['PUBLISH', '200.PUBLISH', 'NOTIFY', 'SUBSCRIBE'] : ['presence.client', 'presence.broadcast', 'presence.probe', 'iq.bind'];
      for (const k of once) {
        expect(dom.sent[k]).toBeGreaterThan(0);
        expect(charged(k)).toBe(dom.sent[k]);
      }
      // the domain's utilisation is the nodes' mean (equal cores)
      expect(sum(rows.map((x) => x.utilisation)) / 3).toBeCloseTo(r.domains['example.com'].utilisation, 4);
      expect(r.domains['example.com'].utilisation).toBeGreaterThan(0.0005);
    });
  }

  it('a notification leaves from the node of its presentity, a publication enters at the publisher\'s', async () => {
    const sip = await run(oneDomain('sip', 3, 6));
    for (const x of rowsOf(sip, 'sip')) {
      const n = x.node as number;
      expect(tracedFrom(sip, 'NOTIFY', n)).toBeGreaterThan(0);
      expect(x.kinds.NOTIFY).toBe(tracedFrom(sip, 'NOTIFY', n));
      expect(x.kinds.PUBLISH).toBe(tracedFrom(sip, 'PUBLISH', n));
    }
    const xmpp = await run(oneDomain('xmpp', 3, 6));
    for (const x of rowsOf(xmpp, 'xmpp')) expect(x.kinds['presence.broadcast']).toBe(tracedFrom(xmpp, 'presence.broadcast', x.node as number));
  });
});

describe('bindings perNode: partitions and large domains', () => {
  it('a SIP and an XMPP domain of 3 nodes each give the same per-node figures on 1 and 2 workers', async () => {
    const yaml = tinyYaml({
      duration: '20min',
      domains: `  - { name: s.example, users: 12, protocol: sip, servers: { count: 3, cores: 2 } }
  - { name: x.example, users: 9, protocol: xmpp, servers: { count: 3, cores: 2 } }`,
      links: '{ default: { dist: fixed, value: 10ms } }',
      population: { buddies: 3, federatedFraction: 0.6, visibility: '{ full: 1 }' },
      behaviour: BEHAVIOUR,
      trace: '{ enabled: false }',
    });
    const one = await run(yaml, 1);
    const two = await run(yaml, 2);
    expect(rowsOf(one, 'sip').map((x) => x.domain)).toEqual(['s.example', 's.example', 's.example']);
    expect(rowsOf(one, 'xmpp')).toHaveLength(3);
    expect(rowsOf(two, 'sip')).toEqual(rowsOf(one, 'sip'));
    expect(rowsOf(two, 'xmpp')).toEqual(rowsOf(one, 'xmpp'));
    // the gateways' translations are charged too: the SIP domain's nodes see NOTIFYs made from CPIM
    expect(sum(rowsOf(one, 'sip').map((x) => x.kinds.NOTIFY ?? 0))).toBeGreaterThan(0);
  });

  it(`a domain of 70 nodes lists its ${PER_NODE_LIMIT} busiest and one others row of the 6 left`, async () => {
    const r = await run(oneDomain('xmpp', 70, 140, '{ enabled: false }'));
    const b = r.bindings!.xmpp!;
    const rows = rowsOf(r, 'xmpp');
    expect(rows).toHaveLength(PER_NODE_LIMIT + 1);
    const others = rows[PER_NODE_LIMIT];
    expect(others.node).toBe('others');
    expect(others.nodes).toBe(6);
    const shown = rows.slice(0, PER_NODE_LIMIT);
    const idx = shown.map((x) => x.node as number);
    expect(idx).toEqual([...idx].sort((x, y) => x - y));
    expect(new Set(idx).size).toBe(PER_NODE_LIMIT);
    // nothing is lost in the aggregate, and no node left out is busier than one shown
    expect(sum(rows.map((x) => x.serverMs))).toBeCloseTo(sum(Object.values(b.kinds).map((k) => k.serverMs)), 4);
    expect(Math.min(...shown.map((x) => x.messages))).toBeGreaterThanOrEqual(others.messages / 6);
    expect(others.messages).toBe(others.inbound + others.outbound);
  });
});
