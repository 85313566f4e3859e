/**
 * Robustness: whatever text, mutation or override comes in, parseScenario throws nothing but
 * SimError and validateScenarioText throws nothing at all; and whatever it accepts satisfies the
 * invariants the model relies on.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { listScenarios, parseScenario, validateScenarioText, type Scenario } from '../../sim/scenario/index.js';
import { SimError } from '../../sim/errors.js';

const BUILTINS = listScenarios().map((s) => ({ name: s.name, text: readFileSync(s.file, 'utf8') }));
const RUNS = Number(process.env.SCENARIO_FUZZ_RUNS ?? 300);

function onlySimError(f: () => unknown): Scenario | undefined {
  try {
    return f() as Scenario;
  } catch (e) {
    if (!(e instanceof SimError)) throw e;
    return undefined;
  }
}

/** What the model may assume of any scenario that validates. */
function checkInvariants(s: Scenario): void {
  expect(s.duration).toBeGreaterThan(0);
  expect(s.domains.length).toBeGreaterThanOrEqual(1);
  const names = new Set(s.domains.map((d) => d.name));
  expect(names.size).toBe(s.domains.length);
  for (const d of s.domains) {
    expect(d.users).toBeGreaterThanOrEqual(1);
    expect(d.servers.count).toBeGreaterThanOrEqual(1);
    expect(d.servers.cores).toBeGreaterThanOrEqual(1);
  }
  for (const l of [...s.links, { from: '', to: '', latency: s.defaultLinkLatency }]) {
    if (l.from !== '') expect(names.has(l.from) && names.has(l.to) && l.from !== l.to).toBe(true);
    const lat = l.latency;
    const least = lat.dist === 'fixed' ? lat.value : lat.dist === 'uniform' ? lat.min : lat.dist === 'exponential' ? lat.mean : lat.median;
    expect(least).toBeGreaterThan(0);
  }
  const p = s.population;
  for (const mix of [p.principals, p.watchers, p.access, p.visibility]) {
    expect(Math.abs(Object.values(mix).reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(1e-6);
  }
  expect(p.tuples >= 1 && p.tuples <= 8).toBe(true);
  if (p.celebrity) expect(names.has(p.celebrity.domain)).toBe(true);
  const b = s.behaviour;
  expect(b.refreshBefore).toBeLessThan(Math.min(b.subscriptionDuration, b.maxSubscriptionDuration));
  for (const v of Object.values(b)) if (typeof v === 'number') expect(Number.isFinite(v) && v >= 0).toBe(true);
}

const yamlToken = fc.constantFrom(
  'name', 'duration', 'domains', 'users', 'population', 'behaviour', 'links', 'pairs', 'dist', 'powerlaw',
  ':', ': ', ' ', '\n', '  ', '- ', '[', ']', '{', '}', ',', '"', "'", '&a ', '*a', '!!binary ', '!!set ', '!!omap ',
  '!foo ', '#', '---', '...', '? ', '|', '>', '\t', '%YAML 1.2\n', '<<: ', '1h', '20ms', '5%', '4/h', 'null', '~', 'true',
  '0', '-1', '1e999', '.nan', 'a.example', '__proto__', 'constructor', '\u0000', '\uFEFF', '\r\n',
);
const yamlish = fc.array(yamlToken, { maxLength: 60 }).map((a) => a.join(''));

describe('property: parseScenario never throws anything but SimError', () => {
  it('random text and random YAML-ish token strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), yamlish), (text) => {
        onlySimError(() => parseScenario(text));
        const r = validateScenarioText(text);
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) expect(r.errors.length).toBeGreaterThan(0);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it.each(BUILTINS.map((b) => [b.name, b.text]))('random character edits of %s', (_name, text) => {
    const edit = fc.record({
      at: fc.nat(),
      del: fc.nat({ max: 8 }),
      insert: fc.oneof(fc.string({ maxLength: 4 }), yamlToken),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let t = text;
        for (const e of edits) {
          const at = e.at % (t.length + 1);
          t = t.slice(0, at) + e.insert + t.slice(at + e.del);
        }
        const s = onlySimError(() => parseScenario(t));
        if (s) checkInvariants(s);
        const r = validateScenarioText(t);
        expect(r.ok).toBe(s !== undefined);
      }),
      { numRuns: RUNS },
    );
  });

  it.each(BUILTINS.map((b) => [b.name, b.text]))('random JSON values in random places of %s', (_name, text) => {
    const raw = parse(text) as unknown;
    // every place in the document: [parent path, key]
    const places: (string | number)[][] = [];
    const walk = (v: unknown, path: (string | number)[]): void => {
      places.push(path);
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
      else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    };
    walk(raw, []);
    const mutation = fc.record({
      place: fc.nat({ max: places.length - 1 }),
      newKey: fc.option(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'dist', 'name', 'users')), { nil: undefined }),
      value: fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.constantFrom<unknown>('1h', '0ms', '-5ms', '20/h', '5%', '2KiB', 0, -1, 1e12, 0.5, null, true, { dist: 'fixed', value: 0 }, { dist: 'powerlaw' }),
      ),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), (muts, asJson) => {
        let doc = structuredClone(raw);
        for (const m of muts) {
          const path = places[m.place]!;
          // a fresh copy each time: a shared value written into itself would make a cycle
          const value = structuredClone(m.value);
          if (path.length === 0) {
            doc = value;
            continue;
          }
          let parent = doc as Record<string | number, unknown>;
          let ok = true;
          for (const k of path.slice(0, -1)) {
            const next = parent?.[k];
            if (next === null || typeof next !== 'object') {
              ok = false;
              break;
            }
            parent = next as Record<string | number, unknown>;
          }
          if (!ok || parent === null || typeof parent !== 'object') continue;
          // a new key only on objects: an array's own keys (length, indices) are not document places
          const target = m.newKey !== undefined && !Array.isArray(parent) ? m.newKey : path.at(-1)!;
          Object.defineProperty(parent, target, { value, enumerable: true, writable: true, configurable: true });
        }
        const t = asJson ? JSON.stringify(doc) : stringify(doc);
        if (t === undefined) return;
        const s = onlySimError(() => parseScenario(t));
        if (s) checkInvariants(s);
        expect(validateScenarioText(t).ok).toBe(s !== undefined);
      }),
      { numRuns: RUNS },
    );
  });

  it('random --set overrides on a built-in scenario', () => {
    const text = BUILTINS.find((b) => b.name === 'federation')!.text;
    const pathPart = fc.constantFrom(
      'name', 'duration', 'domains', '[0]', '[1]', '[9]', '[alpha.example]', '[nope]', 'users', 'servers', 'cores', 'serviceTimes', 'publish', 'mean',
      'links', 'default', 'pairs', 'latency', 'population', 'access', 'allow', 'buddies', 'celebrity', 'behaviour', 'imRate', 'trace', '.', '..', '[', ']', '=', '__proto__',
    );
    const override = fc.tuple(fc.array(pathPart, { minLength: 1, maxLength: 6 }), fc.oneof(yamlish, fc.string({ maxLength: 10 }))).map(
      ([parts, value]) => `${parts.reduce((a, p) => (a === '' || p.startsWith('[') || p === '.' || p === '..' ? a + p : `${a}.${p}`), '')}=${value}`,
    );
    fc.assert(
      fc.property(fc.array(override, { maxLength: 3 }), (overrides) => {
        const s = onlySimError(() => parseScenario(text, 'federation.yaml', overrides));
        if (s) checkInvariants(s);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('validateScenarioText never throws, even on non-text input', () => {
    for (const bad of [undefined, null, 42, {}, [], Symbol('x')] as unknown[]) {
      const r = validateScenarioText(bad as string);
      expect(r.ok).toBe(false);
    }
  });
});
