/**
 * docs/scenarios.md carries a copy of the field table generated from the schema, so the reference
 * cannot drift from the checks. To refresh it after changing sim/scenario/schema.ts:
 *   UPDATE_SCENARIO_DOCS=1 npx vitest run test/scenario/docs.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listScenarios, scenarioFieldDocs, scenarioFieldDocsMarkdown } from '../../sim/scenario/index.js';
import { SIM_ERRORS } from '../../sim/errors.js';

const DOC = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'docs', 'scenarios.md');
const START = '<!-- fields:start (generated from sim/scenario/schema.ts; see test/scenario/docs.test.ts) -->';
const END = '<!-- fields:end -->';

describe('docs/scenarios.md', () => {
  it('scenarioFieldDocs() has one row per field, each with a unit and a description', () => {
    const rows = scenarioFieldDocs();
    expect(new Set(rows.map((r) => r.path)).size).toBe(rows.length);
    for (const r of rows) {
      expect(r.unit, r.path).not.toBe('');
      expect(r.description, r.path).not.toBe('');
    }
    expect(rows.find((r) => r.path === 'behaviour.imRate')).toEqual({
      path: 'behaviour.imRate',
      unit: 'rate per user',
      default: '2/h',
      range: '0 to 100/s',
      description: 'instant messages sent per online user',
    });
    expect(rows.find((r) => r.path === 'domains[].servers.cores')?.default).toBe('4');
  });

  it('holds the field table generated from the schema', () => {
    const text = readFileSync(DOC, 'utf8');
    const a = text.indexOf(START);
    const b = text.indexOf(END);
    expect(a, `missing marker ${START}`).toBeGreaterThanOrEqual(0);
    expect(b).toBeGreaterThan(a);
    const table = `\n${scenarioFieldDocsMarkdown()}`;
    if (process.env.UPDATE_SCENARIO_DOCS) {
      writeFileSync(DOC, text.slice(0, a + START.length) + table + text.slice(b));
      return;
    }
    expect(text.slice(a + START.length, b)).toBe(table);
  });

  it('describes every built-in scenario and every scenario error code', () => {
    const text = readFileSync(DOC, 'utf8');
    for (const s of listScenarios()) expect(text, s.name).toContain(`\`${s.name}\``);
    for (const code of Object.keys(SIM_ERRORS).filter((c) => /SCENARIO|OVERRIDE/.test(c))) expect(text, code).toContain(code);
  });
});
