/**
 * docs/report.md names every field of a real report: each key of a run's report (with the trace,
 * a warm-up and several domains, so that every optional part is there) must appear in the
 * document as a word. Domain names, the only keys that come from the scenario, are left out.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/run.js';
import { parseScenario } from '../../sim/scenario/index.js';
import { WIRE_KINDS } from '../../sim/model/bindings/kinds.js';

const DOC = readFileSync(new URL('../../docs/report.md', import.meta.url), 'utf8');

/** Every key of a JSON value, with the path where it was first seen. */
function keys(v: unknown, path: string, out: Map<string, string>, skip: (path: string) => boolean): void {
  if (Array.isArray(v)) {
    // arrays of objects (pairs, links, trace): their items' keys; arrays of numbers hold no names
    for (const x of v) keys(x, `${path}[]`, out, skip);
    return;
  }
  if (v === null || typeof v !== 'object') return;
  for (const [k, x] of Object.entries(v)) {
    const p = `${path}.${k}`;
    if (!skip(path)) {
      if (!out.has(k)) out.set(k, p);
    }
    keys(x, skip(path) ? `${path}.<name>` : p, out, skip);
  }
}

describe('docs/report.md', () => {
  it('names every key of a report', async () => {
    const sc = parseScenario(`
name: report-keys
duration: 4min
warmup: 1min
domains:
  - { name: a.example, users: 30 }
  - { name: b.example, users: 20 }
population: { buddies: 4, federatedFraction: 0.5 }
behaviour: { imRate: 30/h, presenceChangeRate: 30/h }
federation: { listSubscriptions: true }
trace: { enabled: true, limit: 5000 }
`);
    const r = await runScenario(sc, { workers: 1 });
    // the optional parts of trace records are there to be checked
    expect(r.trace!.some((t) => t.textBytes !== undefined)).toBe(true);
    expect(r.trace!.some((t) => t.state !== undefined && t.state.tuples.length > 0)).toBe(true);
    const found = new Map<string, string>();
    // the keys of `domains` are the scenario's domain names
    keys(r, '', found, (p) => p === '.domains');
    const missing = [...found].filter(([k]) => !new RegExp(`(^|[^A-Za-z0-9])${k}([^A-Za-z0-9]|$)`).test(DOC)).map(([k, p]) => `${k} (at ${p})`);
    expect(missing).toEqual([]);
    // the kinds of message between domains, one by one
    for (const kind of Object.keys(r.pairs[0].messages)) expect(DOC, kind).toContain(kind);
  });

  it('names every key of the bindings section and every wire kind', async () => {
    const sc = parseScenario(`
name: report-bindings
duration: 70min
domains:
  - { name: s1.example, users: 30, protocol: sip }
  - { name: s2.example, users: 20, protocol: sip }
  - { name: x.example, users: 20, protocol: xmpp }
  - { name: c.example, users: 10 }
population: { buddies: 4, federatedFraction: 0.5, watchers: { subscriber: 1 }, visibility: { full: 1 } }
behaviour: { imRate: 30/h, presenceChangeRate: 30/h, sessionLength: 20min, offlineLength: 10min, publicationLease: 10min }
trace: { enabled: true, limit: 20000 }
`);
    const r = await runScenario(sc, { workers: 1 });
    const found = new Map<string, string>();
    // perDomain and protocols are keyed by domain name
    keys(r.bindings, '.bindings', found, (p) => p.endsWith('.perDomain') || p.endsWith('.protocols'));
    for (const t of r.trace!.filter((x) => x.wire !== undefined)) keys(t, '.trace[]', found, () => false);
    const missing = [...found].filter(([k]) => !new RegExp(`(^|[^A-Za-z0-9])${k.replace(/\./g, '\\.')}([^A-Za-z0-9]|$)`).test(DOC)).map(([k, p]) => `${k} (at ${p})`);
    expect(missing).toEqual([]);
    expect(r.bindings!.sip!.boundaries.length).toBeGreaterThan(0);
    for (const name of WIRE_KINDS.map((k) => k[0])) expect(DOC, name).toContain(`\`${name}\``);
  });
});
