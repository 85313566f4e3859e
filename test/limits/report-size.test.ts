/**
 * The report stays small: pairs and links list only the pairs that exchanged messages, the
 * analytic cross-check keeps a bounded number of pair rows and no longer spreads big arrays, and
 * a JSON report is written piece by piece with the bytes of JSON.stringify(report, null, 2).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/run.js';
import { loadScenario, parseScenario } from '../../sim/scenario/index.js';
import { analyticModel, crossCheck, formatCrossCheck, MAX_PAIR_ROWS, simulatedChecks } from '../../sim/toolkit/analytic.js';
import { writeJsonFile } from '../../sim/toolkit/json-file.js';

const dir = mkdtempSync(join(tmpdir(), 'impp-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** n domains of `users` each; buddies only inside a domain unless federated. */
function wide(n: number, users: number, extra = ''): string {
  const domains = Array.from({ length: n }, (_, i) => `  - {name: d${i}.example, users: ${users}}`).join('\n');
  return `name: wide\nduration: 2min\ndomains:\n${domains}\n${extra}`;
}

describe('sparse pairs and links', () => {
  it('lists no pair and no link when nothing crosses a boundary', async () => {
    const sc = parseScenario(wide(4, 20, 'population: {federatedFraction: 0}\nbehaviour: {unknownRecipientFraction: 0}\n'));
    const r = await runScenario(sc, { workers: 1 });
    expect(r.presence.notifications.sent).toBeGreaterThan(0);
    expect(r.pairs).toEqual([]);
    expect(r.links).toEqual([]);
  });

  it('lists exactly the pairs that exchanged messages, the same for 1 and 2 workers', async () => {
    // a celebrity of d0 watched from the other domains: traffic only between d0 and the others
    const text = wide(4, 20, 'population: {federatedFraction: 0, celebrity: {domain: d0.example, subscribers: 30}}\nbehaviour: {imRate: 0, unknownRecipientFraction: 0}\n');
    const sc = parseScenario(text);
    const one = await runScenario(sc, { workers: 1 });
    const two = await runScenario(sc, { workers: 2 });
    expect(two.pairs).toEqual(one.pairs);
    expect(two.links).toEqual(one.links);
    expect(one.pairs.length).toBeGreaterThan(0);
    expect(one.pairs.length).toBeLessThan(4 * 3);
    for (const p of one.pairs) {
      expect(p.total + p.bytes, `${p.from}->${p.to}`).toBeGreaterThan(0);
      expect([p.from, p.to]).toContain('d0.example');
    }
    for (const l of one.links) expect(l.messages + l.bytes + l.retransmissions + l.failed, `${l.from}->${l.to}`).toBeGreaterThan(0);
  });

  it('a 60-domain run keeps its cross-check to the busiest pairs plus the totals, and formats it', async () => {
    const sc = parseScenario(wide(60, 2, 'behaviour: {imRate: 60/h}\n'));
    const r = await runScenario(sc, { workers: 1 });
    const rows = crossCheck(analyticModel(sc, { seed: r.seed }), [simulatedChecks(r)]);
    const pairRows = rows.filter((x) => x.figure.startsWith('pairs[') && x.figure.endsWith('.message/s'));
    expect(pairRows.length).toBe(MAX_PAIR_ROWS);
    const total = rows.find((x) => x.figure === 'crossDomain.messages.message/s')!;
    expect(total.simulated).toBeCloseTo(r.pairs.reduce((a, p) => a + (p.messages.message ?? 0), 0) / (r.parameters.duration / 1000), 9);
    expect(formatCrossCheck(rows).split('\n').length).toBe(rows.length + 2);
  });

  it('formats a cross-check of 200,000 rows without spreading them onto the stack', () => {
    const row = { figure: 'x', analytic: 1, simulated: 1, relDiff: 0, exact: true, note: '' };
    const rows = Array.from({ length: 200_000 }, (_, i) => ({ ...row, figure: `pairs[d${i}]` }));
    expect(formatCrossCheck(rows).length).toBeGreaterThan(200_000);
  });
});

describe('writeJsonFile', () => {
  it('writes the bytes of JSON.stringify(value, null, 2) for a report and for awkward values', async () => {
    const r = await runScenario(loadScenario('federation', ['duration=1min']), { workers: 1 });
    const awkward = {
      a: undefined,
      f: () => 1,
      big: Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? { i, s: 'line\nbreak "q"', n: null, u: undefined } : i % 3 === 1 ? [i, [], {}] : undefined)),
      nested: { empty: [], obj: {}, deep: { list: Array.from({ length: 70 }, (_, i) => ({ k: i })) } },
      date: new Date(0),
      str: 'ü\u2028',
    };
    for (const [name, v] of [['report', r], ['awkward', awkward], ['list', [1, 2]], ['empty', {}], ['num', 3]] as const) {
      const file = join(dir, `${name}.json`);
      writeJsonFile(file, v);
      expect(readFileSync(file, 'utf8'), name).toBe(JSON.stringify(v, null, 2) + '\n');
    }
  });
});
