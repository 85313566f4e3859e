/**
 * A domain's server nodes as logical processes (sim/model/cluster.ts): a principal lives on node
 * g % servers, a message between two nodes of one domain crosses the intra-cluster network
 * (servers.clusterLatency, counted in domains.<d>.cluster), the kernel refuses an event between
 * nodes faster than that latency, a one-domain scenario spreads over workers, and the report is
 * the same for any worker count.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../sim/engine/kernel.js';
import { partitionOfRun, windowLookahead } from '../../sim/engine/parallel.js';
import { Cluster, lpLayout } from '../../sim/model/cluster.js';
import { runScenario, type Report } from '../../sim/run.js';
import { loadScenario, parseScenario } from '../../sim/scenario/index.js';
import { chooseWorkers } from '../../sim/workers.js';
import { tinyYaml } from './tiny.js';

const stripWall = (r: Report) => JSON.stringify({ ...r, engine: { ...r.engine, wallMs: 0, eventsPerSec: 0, workers: 0, windows: 0 } });

/** one domain of `servers` nodes, `users` users watching 4 buddies, publishing and messaging */
const oneDomain = (servers: number, extra = '', users = 40) =>
  parseScenario(
    tinyYaml({
      users,
      duration: '2min',
      servers: `{ count: ${servers}, cores: 2${extra} }`,
      population: { buddies: 4 },
      behaviour: { presenceChangeRate: '30/h', imRate: '20/h' },
    }),
  );

describe('cluster layout', () => {
  it('LP = nodeBase[d] + node; a principal lives on node g % servers of its domain', () => {
    const sc = parseScenario('name: c\nduration: 1min\ndomains:\n  - { name: a.example, users: 10, servers: { count: 3 } }\n  - { name: b.example, users: 5 }\npopulation: { buddies: 2 }\n');
    const l = lpLayout(sc);
    expect(l.lps).toBe(4);
    expect(Array.from(l.nodeBase)).toEqual([0, 3, 4]);
    expect(Array.from(l.domainOfLp)).toEqual([0, 0, 0, 1]);
    const domainOf = [...new Array(10).fill(0), ...new Array(5).fill(1)];
    const c = new Cluster(sc, domainOf, 15);
    expect(Array.from(c.lpOfUser.subarray(0, 10))).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
    expect(Array.from(c.lpOfUser.subarray(10))).toEqual([3, 3, 3, 3, 3]);
    // an unknown recipient of a domain is served by its home node
    expect(c.lpIn(1, 99)).toBe(3);
    expect(c.lpIn(0, 4)).toBe(1);
  });

  it('a hop between two nodes takes the cluster latency and is counted per (from, to) with its bytes; none inside a node', () => {
    const sc = parseScenario('name: c\nduration: 1min\ndomains:\n  - { name: a.example, users: 4, servers: { count: 2, clusterLatency: 2ms } }\npopulation: { buddies: 1 }\n');
    const c = new Cluster(sc, [0, 0, 0, 0], 4);
    expect(c.hop(0, 0, 100)).toBe(0);
    expect(c.hop(0, 1, 100)).toBe(2);
    expect(c.hop(1, 0, 30)).toBe(2);
    expect(c.hop(0, 1, 5)).toBe(2);
    expect(Array.from(c.messages)).toEqual([0, 2, 1, 0]);
    expect(Array.from(c.bytes)).toEqual([0, 105, 30, 0]);
  });

  it('servers.clusterLatency must be > 0: refused with the field named', () => {
    expect(() => oneDomain(2, ', clusterLatency: 0ms')).toThrow(/servers\.clusterLatency/);
  });
});

describe('two-level lookahead', () => {
  it('the kernel refuses an event between two nodes of a group faster than the group lookahead, and one between groups faster than the link lookahead, in a sequential run', () => {
    const k = new Kernel({ lpCount: 3, seed: 1, lookahead: 20, groupOf: Int32Array.of(0, 0, 1), groupLookahead: Float64Array.of(0.5, 1) });
    const ev = k.defineEvent('ping', () => undefined);
    k.asLP(0, () => k.schedule(0.5, ev, 1));
    expect(() => k.asLP(0, () => k.schedule(0.4, ev, 1))).toThrow(/SIM_ERR_LOOKAHEAD_VIOLATION|less than the lookahead inside their group 0/);
    expect(() => k.asLP(0, () => k.schedule(0.4, ev, 1))).toThrow(/inside their group 0 .* 0\.5/);
    k.asLP(0, () => k.schedule(20, ev, 2));
    expect(() => k.asLP(0, () => k.schedule(19, ev, 2))).toThrow(/less than the lookahead 20/);
    // to itself any delay goes
    k.asLP(1, () => k.schedule(0, ev, 1));
    expect(k.pending).toBe(3);
  });

  it('a model event between nodes sent faster than the cluster latency is refused: clusterLatency above a link delay that a model hop carries', async () => {
    // the cluster latency is the lookahead inside a domain: a run whose nodes exchange events is
    // refused when the kernel is told a larger minimum than the hops take
    const k = new Kernel({ lpCount: 2, seed: 1, lookahead: 1e9, groupOf: Int32Array.of(0, 0), groupLookahead: Float64Array.of(5) });
    const ev = k.defineEvent('notifyArrive', () => undefined);
    expect(() => k.asLP(1, () => k.schedule(0.5, ev, 0, 1))).toThrow(/'notifyArrive' from LP 1 to LP 0 .* delay 0\.5, less than the lookahead inside their group 0/);
  });

  it('whole domains per worker when there are at least as many domains as workers (window: the link lookahead); split nodes otherwise (window: the cluster latency)', () => {
    const groups = { groupOf: Int32Array.of(0, 0, 1, 2, 3), lookahead: Float64Array.of(0.5, 0.5, 0.5, 0.5) };
    const w = (lp: number) => [100, 100, 80, 30, 10][lp];
    const two = partitionOfRun(5, 2, w, groups);
    expect(Array.from(two)).toEqual([0, 0, 1, 1, 1]);
    expect(windowLookahead(two, 20, groups)).toBe(20);
    expect(windowLookahead(partitionOfRun(5, 4, w, groups), 20, groups)).toBe(20);
    const one = { groupOf: Int32Array.of(0, 0, 0, 0), lookahead: Float64Array.of(0.5) };
    const split = partitionOfRun(4, 2, undefined, one);
    expect(Array.from(split)).toEqual([0, 0, 1, 1]);
    expect(windowLookahead(split, 1e9, one)).toBe(0.5);
    expect(windowLookahead(new Int32Array(4), 1e9, one)).toBe(1e9);
  });
});

describe('intra-cluster network in a run', () => {
  it('messages between nodes are counted per node and pair, and each one takes the cluster latency (notifications later by it)', async () => {
    const r = await runScenario(oneDomain(2));
    const c = r.domains['example.com'].cluster!;
    expect(c.latencyMs).toBe(0.5);
    expect(c.messages).toBeGreaterThan(100);
    expect(c.bytes).toBeGreaterThan(c.messages * 100);
    expect(c.matrix![0][1] + c.matrix![1][0]).toBe(c.messages);
    expect(c.nodes[0].out.messages).toBe(c.matrix![0][1]);
    expect(c.nodes[1].in.messages).toBe(c.matrix![0][1]);
    expect(c.nodes[0].out.bytes + c.nodes[1].out.bytes).toBe(c.bytes);
    // one server: no cluster, no section
    expect((await runScenario(oneDomain(1))).domains['example.com'].cluster).toBeUndefined();
    // with a slow cluster network the notifications that cross it arrive that much later: the
    // tiny scenario has no other delay than 1 ms per job, so half of them (watcher on the other
    // node) take 200 ms more
    const slow = await runScenario(oneDomain(2, ', clusterLatency: 200ms'));
    expect(slow.domains['example.com'].cluster!.messages).toBeGreaterThan(100);
    expect(r.latency.notification.p99).toBeLessThan(10);
    expect(slow.latency.notification.p99).toBeGreaterThan(200);
    expect(slow.latency.notification.p50).toBeLessThan(slow.latency.notification.p99);
  });

  it('a cluster of more than 16 nodes is counted per node (sent and received), without the matrix: 10,000 servers need 20,000 slots, not 10^8', async () => {
    const r = await runScenario(oneDomain(20, '', 80));
    const c = r.domains['example.com'].cluster!;
    expect(c.matrix).toBeUndefined();
    expect(c.nodes).toHaveLength(20);
    expect(c.messages).toBeGreaterThan(100);
    expect(c.nodes.reduce((x, n) => x + n.out.messages, 0)).toBe(c.messages);
    expect(c.nodes.reduce((x, n) => x + n.in.messages, 0)).toBe(c.messages);
    expect(c.nodes.reduce((x, n) => x + n.in.bytes, 0)).toBe(c.bytes);
    // every node both sends and receives (users are spread over the nodes by user % servers)
    expect(c.nodes.every((n) => n.out.messages > 0 && n.in.messages > 0)).toBe(true);
  });

  it('one domain of 4 nodes gives the identical report for 1, 2, 3 and 4 workers', async () => {
    const sc = oneDomain(4, '', 60);
    const r1 = await runScenario(sc, { workers: 1 });
    expect(r1.domains['example.com'].cluster!.messages).toBeGreaterThan(0);
    for (const w of [2, 3, 4]) {
      const r = await runScenario(sc, { workers: w });
      expect(r.engine.workers).toBe(w);
      expect(stripWall(r)).toBe(stripWall(r1));
    }
  }, 60_000);

  it('two domains of 2 and 3 nodes give the identical report for 1 to 4 workers (whole domains for 2, split ones for 3 and 4), with list subscriptions too', async () => {
    for (const lists of [false, true]) {
      const sc = parseScenario(
        'name: two\nduration: 2min\nseed: 5\ndomains:\n  - { name: a.example, users: 40, servers: { count: 2 } }\n  - { name: b.example, users: 30, servers: { count: 3 } }\n' +
          `population: { buddies: 5 }\nbehaviour: { presenceChangeRate: 30/h, imRate: 20/h }\nfederation: { listSubscriptions: ${lists} }\n`,
      );
      const r1 = await runScenario(sc, { workers: 1 });
      expect(r1.pairs.length).toBeGreaterThan(0);
      if (lists) expect(r1.federation.listNotifications).toBeGreaterThan(0);
      for (const w of [2, 3, 4]) expect(stripWall(await runScenario(sc, { workers: w }))).toBe(stripWall(r1));
    }
  }, 90_000);

  it('SIP and XMPP domains of 2 nodes (the receiving side of a binding on the receiving node) and celebrity split over 3 workers (gateways on the home node of a domain) give the same report', async () => {
    for (const [name, w] of [['sip-office', 2], ['xmpp-office', 2], ['celebrity', 3]] as const) {
      const sc = loadScenario(name);
      const r1 = await runScenario(sc, { workers: 1, duration: 40_000 });
      const rw = await runScenario(sc, { workers: w, duration: 40_000 });
      expect(rw.engine.workers).toBe(w);
      expect(stripWall(rw), name).toBe(stripWall(r1));
    }
  }, 120_000);

  it('the shipped office (one domain, 2 nodes) runs on 2 workers with the same report as on 1', async () => {
    const sc = loadScenario('office');
    const r1 = await runScenario(sc, { workers: 1, duration: 60_000 });
    const r2 = await runScenario(sc, { workers: 2, duration: 60_000 });
    expect(r2.engine.workers).toBe(2);
    expect(stripWall(r2)).toBe(stripWall(r1));
  }, 60_000);
});

describe('--workers auto on one domain', () => {
  it('one server node: nothing to split; several nodes: split when the events per cluster window pay, else it says why', () => {
    expect(chooseWorkers(parseScenario(tinyYaml()), 16).reason).toMatch(/one domain of one server node/);
    const office = chooseWorkers(loadScenario('office'), 2);
    expect(office.workers).toBe(1);
    expect(office.reason).toMatch(/events per 500 us window \(the lookahead, the cluster latency between a domain's server nodes\): below 200 per worker/);
    // a busy one-domain scenario: 8 nodes, a million users with 50 buddies publishing often
    const busy = loadScenario('office', ['domains[0].users=1000000', 'domains[0].servers.count=8', 'population.buddies=50', 'behaviour.presenceChangeRate=120/h']);
    const c = chooseWorkers(busy, 2);
    expect(c.workers).toBe(2);
    expect(c.reason).toMatch(/1 domain of 8 server nodes, about [\d,]+ events per 500 us window .* balance allows 2\.00x, one per core \(2\)/);
  });
});
