import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  builtinScenariosDir,
  listScenarios,
  loadScenario,
  MAX_SCENARIO_BYTES,
  OPERATIONS,
  parseScenario,
  type Scenario,
} from '../../sim/scenario/index.js';
import { SimError } from '../../sim/errors.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BUILTINS = ['celebrity', 'federation', 'flash-crowd', 'loop', 'mixed-federation', 'office', 'outage', 'sip-office', 'teach-basic', 'teach-federation', 'xmpp-office'];

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof SimError) return e.code;
    throw e;
  }
  throw new Error('expected a SimError');
}

describe('built-in scenarios', () => {
  it('builtinScenariosDir() is the scenarios/ folder next to package.json', () => {
    expect(builtinScenariosDir()).toBe(join(ROOT, 'scenarios'));
  });

  it('listScenarios() lists every built-in with a description and its file; each name matches its file', () => {
    const list = listScenarios();
    expect(list.map((s) => s.name)).toEqual(BUILTINS);
    for (const s of list) {
      expect(s.description.length).toBeGreaterThan(60);
      expect(basename(s.file)).toBe(`${s.name}.yaml`);
      expect(loadScenario(s.name).name).toBe(s.name);
    }
  });

  it.each(BUILTINS)('loadScenario(%s) resolves units and fills every default', (name) => {
    const s = loadScenario(name);
    expect(s.duration).toBeGreaterThan(0);
    for (const d of s.domains) {
      expect(Object.keys(d.serviceTimes).sort()).toEqual([...OPERATIONS, 'wire'].sort());
      expect(Object.keys(d.serviceTimes.wire)).toEqual(['inbound', 'outbound', 'kinds']);
      expect(d.servers.count).toBeGreaterThanOrEqual(1);
    }
    for (const mix of [s.population.principals, s.population.watchers, s.population.access, s.population.visibility]) {
      const sum = Object.values(mix).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 6);
    }
    expect(s.behaviour.refreshBefore).toBeLessThan(Math.min(s.behaviour.subscriptionDuration, s.behaviour.maxSubscriptionDuration));
  });

  it('loadScenario("office") gives 5,000 users, 8 h in ms, power-law buddies and defaults', () => {
    const s = loadScenario('office');
    expect(s.name).toBe('office');
    expect(s.duration).toBe(8 * 3_600_000);
    expect(s.domains).toHaveLength(1);
    expect(s.domains[0]).toMatchObject({ name: 'office.example', users: 5000, presence: true, im: true, servers: { count: 2, cores: 4, queueLimit: 0 } });
    expect(s.domains[0]!.serviceTimes.publish).toEqual({ dist: 'exponential', mean: 1 });
    expect(s.domains[0]!.serviceTimes.notify).toEqual({ dist: 'exponential', mean: 0.2 });
    expect(s.population.buddies).toEqual({ dist: 'powerlaw', min: 3, max: 200, alpha: 2.1 });
    expect(s.population.federatedFraction).toBe(0);
    expect(s.population.access).toEqual({ allow: 0.9, deny: 0.03, politeBlock: 0.03, pending: 0.04 });
    expect(s.population.celebrity).toBeNull();
    expect(s.behaviour).toMatchObject({
      presenceChangeRate: 6,
      imRate: 4,
      pollInterval: 300_000,
      fetchRate: 1,
      subscriptionDuration: 3_600_000,
      refreshBefore: 60_000,
      pendingDecisionDelay: { dist: 'exponential', mean: 120_000 },
      imBodyBytes: 120,
    });
    expect(s.defaultLinkLatency).toEqual({ dist: 'lognormal', median: 30, sigma: 0.25 });
    expect(s.links).toEqual([]);
    expect(s.trace).toEqual({ enabled: false, limit: 2000, maxBytes: 16 * 1024 * 1024 });
    expect(s.seed).toBe(1);
  });

  it('loadScenario("teach-basic") has 3 users, every watcher kind and access rule, and the trace on', () => {
    const s = loadScenario('teach-basic');
    expect(s.domains.map((d) => [d.name, d.users])).toEqual([['example.com', 3]]);
    expect(s.duration).toBe(600_000);
    expect(s.population.buddies).toEqual({ dist: 'fixed', value: 2 });
    expect(s.population.watchers).toEqual({ subscriber: 0.34, poller: 0.33, fetcher: 0.33 });
    for (const v of Object.values(s.population.access)) expect(v).toBeGreaterThan(0);
    expect(s.population.online).toBe(1);
    expect(s.behaviour).toMatchObject({
      presenceChangeRate: 20,
      imRate: 20,
      pollInterval: 60_000,
      fetchRate: 12,
      subscriptionDuration: 180_000,
      maxSubscriptionDuration: 120_000,
      refreshBefore: 20_000,
      sessionLength: 300_000,
      offlineLength: 60_000,
    });
    expect(s.trace.enabled).toBe(true);
  });

  it('loadScenario("federation") expands symmetric pairs into both directions', () => {
    const s = loadScenario('federation');
    expect(s.domains.map((d) => d.users)).toEqual([4000, 2000, 1000, 500]);
    expect(s.population.federatedFraction).toBe(0.3);
    expect(s.links).toHaveLength(12);
    const plain = { bandwidthMbps: 0, loss: 0 };
    expect(s.links).toContainEqual({ from: 'alpha.example', to: 'beta.example', latency: { dist: 'fixed', value: 20 }, ...plain });
    expect(s.links).toContainEqual({ from: 'beta.example', to: 'alpha.example', latency: { dist: 'fixed', value: 20 }, ...plain });
    expect(s.links).toContainEqual({ from: 'delta.example', to: 'beta.example', latency: { dist: 'fixed', value: 90 }, ...plain });
    expect(s.links).toContainEqual({ from: 'gamma.example', to: 'beta.example', latency: { dist: 'uniform', min: 30, max: 50 }, ...plain });
    const fixed = s.links.flatMap((l) => (l.latency.dist === 'fixed' ? [l.latency.value] : []));
    expect(Math.min(...fixed)).toBe(20);
    expect(Math.max(...fixed)).toBe(120);
    expect(s.duration).toBe(3_600_000);
  });

  it('loadScenario("celebrity") puts 100,000 subscribers on a presentity of the second domain', () => {
    const s = loadScenario('celebrity');
    expect(s.domains.map((d) => [d.name, d.users])).toEqual([['fans.example', 1000], ['star.example', 100]]);
    expect(s.population.celebrity).toEqual({ domain: 'star.example', subscribers: 100_000 });
    expect(s.population.buddies).toEqual({ dist: 'fixed', value: 5 });
    expect(s.population.federatedFraction).toBe(0.2); // the default with several domains
    expect(s.duration).toBe(1_800_000);
  });

  it('loadScenario("flash-crowd") starts 5% online and logs the rest in from 1 min over 5 min', () => {
    const s = loadScenario('flash-crowd');
    expect(s.domains[0]!.users).toBe(20_000);
    expect(s.population.online).toBe(0.05);
    expect(s.behaviour.loginStart).toBe(60_000);
    expect(s.behaviour.loginWindow).toBe(300_000);
    expect(s.duration).toBe(1_800_000);
  });

  it('every built-in scenario file has the same top-level key order as the format', () => {
    for (const s of listScenarios()) {
      const raw = parse(readFileSync(s.file, 'utf8')) as Record<string, unknown>;
      const order = ['name', 'description', 'seed', 'duration', 'domains', 'links', 'federation', 'faults', 'population', 'behaviour', 'trace'];
      const keys = Object.keys(raw);
      expect(keys).toEqual(order.filter((k) => keys.includes(k)));
    }
  });
});

describe('loadScenario(path) and its errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'impp-scenario-'));

  it('loadScenario(path) reads .yaml, .yml and .json files', () => {
    const yamlFile = join(dir, 'mine.yml');
    writeFileSync(yamlFile, 'name: mine\nduration: 1min\ndomains: [{name: a.example, users: 10}]\npopulation: {buddies: 3}\n');
    const jsonFile = join(dir, 'mine.json');
    writeFileSync(jsonFile, JSON.stringify({ name: 'mine-json', duration: '2s', domains: [{ name: 'b.example', users: 4 }], population: { buddies: 3 } }));
    expect(loadScenario(yamlFile).duration).toBe(60_000);
    const j = loadScenario(jsonFile);
    expect(j.name).toBe('mine-json');
    expect(j.duration).toBe(2000);
  });

  it('loadScenario(path) names the file in validation messages', () => {
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, 'name: bad\nduration: 0\ndomains: [{name: a.example, users: 10}]\n');
    expect(() => loadScenario(f)).toThrow(`SIM_ERR_SCENARIO_INVALID: ${f}: 1 problem: duration: the duration must be greater than 0, got 0`);
  });

  it('loadScenario accepts a UTF-8 byte order mark', () => {
    const f = join(dir, 'bom.yaml');
    writeFileSync(f, '\uFEFFname: bom\nduration: 1s\ndomains: [{name: a.example, users: 10}]\npopulation: {buddies: 1}\n');
    expect(loadScenario(f).name).toBe('bom');
  });

  it('loadScenario(unknown name) fails with SIM_ERR_SCENARIO_NOT_FOUND listing the built-ins and a suggestion', () => {
    expect(() => loadScenario('ofice')).toThrow(
      "SIM_ERR_SCENARIO_NOT_FOUND: no scenario file or built-in scenario named 'ofice' (did you mean 'office'?). Built-in scenarios: celebrity, federation, flash-crowd, loop, mixed-federation, office, outage, sip-office, teach-basic, teach-federation, xmpp-office; or give the path of a .yaml, .yml or .json file",
    );
    expect(code(() => loadScenario(join(dir, 'missing.yaml')))).toBe('SIM_ERR_SCENARIO_NOT_FOUND');
    expect(code(() => loadScenario(dir + '/'))).toBe('SIM_ERR_SCENARIO_NOT_FOUND');
    expect(code(() => loadScenario(''))).toBe('SIM_ERR_SCENARIO_NOT_FOUND');
  });

  it('loadScenario and parseScenario refuse texts larger than 1 MiB', () => {
    const f = join(dir, 'huge.yaml');
    const text = 'name: huge\nduration: 1s\ndomains: [{name: a.example, users: 10}]\n' + `# ${'x'.repeat(MAX_SCENARIO_BYTES)}\n`;
    writeFileSync(f, text);
    expect(() => loadScenario(f)).toThrow(/SIM_ERR_SCENARIO_INVALID: .*huge.yaml: 1 problem: the scenario is \d+ bytes; at most 1048576 \(1 MiB\) are accepted/);
    expect(code(() => parseScenario(text))).toBe('SIM_ERR_SCENARIO_INVALID');
  });

  it('a minimal scenario needs only name, duration and domains', () => {
    const s: Scenario = parseScenario('name: tiny\nduration: 1h\ndomains:\n  - name: a.example\n    users: 1000\n');
    expect(s.description).toBe('');
    expect(s.population.buddies).toEqual({ dist: 'powerlaw', min: 3, max: 200, alpha: 2.2 });
    expect(s.population.tuples).toBe(2);
    expect(s.behaviour.crashFraction).toBe(0.05);
  });
});
