/**
 * Every scenario field with a documented maximum (docs/scenarios.md, from the schema table), set
 * at that maximum on a tiny scenario, is either refused cleanly (a SimError with its code; a 4xx
 * from the server) or runs to the end, through the path of the CLI and through the server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { isSimError } from '../../sim/errors.js';
import { checkRunFits } from '../../sim/estimate.js';
import { runScenario } from '../../sim/run.js';
import { parseScenario, scenarioFieldDocs, type FieldDoc } from '../../sim/scenario/index.js';
import { buildApp } from '../../web/server/app.js';

const BASE = `name: maxima
duration: 2s
domains:
  - name: a.example
    users: 2
    gateway: { routes: [{ destination: c.example, via: b.example }] }
    srv: { records: [{ service: pres, target: gw1.a.example }, { service: im, target: gw1.a.example }] }
  - { name: b.example, users: 2 }
  - { name: c.example, users: 2 }
links: { pairs: [{ from: a.example, to: b.example, latency: 20ms }] }
faults: [{ kind: linkDown, from: a.example, to: b.example, at: 1s, duration: 500ms }]
population: { celebrity: { domain: a.example, subscribers: 2 } }
trace: { enabled: true, limit: 100 }
`;

/** For the run of a year (the longest duration): one domain, so the run is a second, not several. */
const BASE_ONE = 'name: maxima\nduration: 2s\ndomains: [{ name: a.example, users: 4 }]\n';

interface Case {
  path: string;
  /** a --set override, or a whole document (lists at their maximum length) */
  override?: string;
  text?: string;
}

/** The value at a row's documented maximum, as YAML text; undefined when the row documents none. */
function maxValue(row: FieldDoc): string | undefined {
  if (row.unit === 'mapping' || row.unit === 'list' || row.unit === 'mapping or null' || row.unit === 'true/false') return undefined;
  const chars = /^up to (\d+) characters$/.exec(row.range);
  if (chars) return JSON.stringify('a'.repeat(Number(chars[1])));
  const m = /^(?:values )?(?:> )?\S+ to (\S+)$/.exec(row.range);
  if (!m) return undefined;
  const top = m[1] === '2^53-1' ? String(Number.MAX_SAFE_INTEGER) : m[1].replace(/,/g, '');
  if (row.unit === 'duration distribution') return `{dist: fixed, value: ${top}}`;
  if (row.unit === 'count distribution') return `{dist: fixed, value: ${top}}`;
  return top;
}

function cases(): Case[] {
  const out: Case[] = [];
  const doc = parseYaml(BASE) as Record<string, unknown>;
  for (const row of scenarioFieldDocs()) {
    const path = row.path.replace(/\[\]/g, '[0]');
    const items = /^(\d[\d,]*) to (\d[\d,]*) items$/.exec(row.range);
    if (items) {
      // a list at its maximum length: copies of the tiny scenario's first item (or a new domain each)
      const max = Number(items[2].replace(/,/g, ''));
      const copy = structuredClone(doc) as Record<string, any>;
      const keys = path.split('.').map((k) => k.replace(/\[0\]$/, ''));
      let holder: any = copy;
      for (let i = 0; i < keys.length - 1; i++) holder = Array.isArray(holder[keys[i]]) ? holder[keys[i]][0] : (holder[keys[i]] ??= {});
      const last = keys[keys.length - 1];
      const first = Array.isArray(holder[last]) ? holder[last][0] : undefined;
      if (first === undefined) continue;
      holder[last] = Array.from({ length: max }, (_, i) => (path === 'domains' ? { name: `d${i}.example`, users: 1 } : structuredClone(first)));
      if (path === 'domains') {
        delete copy.links;
        delete copy.faults;
        copy.population = {};
      }
      out.push({ path: row.path, text: JSON.stringify(copy) });
      continue;
    }
    const v = maxValue(row);
    if (v !== undefined) out.push({ path: row.path, override: `${path}=${v}`, ...(row.path === 'duration' ? { text: BASE_ONE } : {}) });
  }
  return out;
}

let app: FastifyInstance;
let dir: string;
const saved = process.env.IMPP_SIM_MEMORY_LIMIT;
beforeAll(async () => {
  // a small, fixed limit: what would be big is refused by the estimate, whatever the machine
  process.env.IMPP_SIM_MEMORY_LIMIT = '300MB';
  dir = mkdtempSync(join(tmpdir(), 'impp-maxima-'));
  // the CLI test above runs them; here only the server's acceptance is checked (a run fails at once)
  app = await buildApp({ dataDir: dir, runner: async () => { throw new Error('not run in this test'); } });
});
afterAll(async () => {
  if (saved === undefined) delete process.env.IMPP_SIM_MEMORY_LIMIT;
  else process.env.IMPP_SIM_MEMORY_LIMIT = saved;
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('documented maxima', () => {
  const all = cases();

  it('covers the fields with a documented maximum', () => {
    const paths = all.map((c) => c.path);
    for (const p of ['domains', 'domains[].users', 'population.buddies', 'duration', 'links.pairs', 'trace.limit', 'domains[].servers.count', 'behaviour.imRate', 'population.celebrity.subscribers']) {
      expect(paths, p).toContain(p);
    }
    expect(all.length).toBeGreaterThan(60);
  });

  it('the CLI path refuses each with a SimError code or runs it to the end', async () => {
    const outcome: Record<string, string> = {};
    for (const c of all) {
      let sc;
      try {
        sc = parseScenario(c.text ?? BASE, 'maxima', c.override ? [c.override] : []);
        checkRunFits(sc, { workers: 1 });
      } catch (e) {
        expect(isSimError(e), `${c.path}: ${String(e)}`).toBe(true);
        outcome[c.path] = `refused ${(e as { code: string }).code}`;
        continue;
      }
      const r = await runScenario(sc, { workers: 1 });
      expect(r.parameters.duration, c.path).toBeGreaterThan(0);
      outcome[c.path] = 'ran';
    }
    // the big ones are refused, by the schema or the estimate
    expect(outcome['domains[].users']).toMatch(/^refused SIM_ERR_/);
    expect(outcome['domains']).toBe('refused SIM_ERR_RUN_TOO_LARGE');
    expect(outcome['links.pairs']).toBe('refused SIM_ERR_SCENARIO_INVALID');
    expect(outcome['duration']).toBe('ran');
    expect(Object.values(outcome).filter((o) => o === 'ran').length).toBeGreaterThan(20);
  });

  it('the server answers each with 201 or a 4xx naming the problem', async () => {
    let accepted = 0;
    for (const c of all) {
      const res = await app.inject({ method: 'POST', url: '/api/runs', payload: { yaml: c.text ?? BASE, overrides: c.override ? [c.override] : [] } });
      const body = res.json() as { id?: string; error?: { code: string; message: string } };
      if (res.statusCode === 201) {
        accepted++;
        continue;
      }
      expect(res.statusCode, `${c.path}: ${res.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, c.path).toBeLessThan(500);
      expect(body.error?.message.length, c.path).toBeGreaterThan(0);
      expect(body.error?.code, c.path).not.toBe('TOO_MANY_RUNS');
    }
    expect(accepted).toBeGreaterThan(20);
  });
});
