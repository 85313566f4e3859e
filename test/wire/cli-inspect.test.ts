/**
 * `impp-sim inspect` as documented in README.md (the built CLI in dist/, as
 * `npm test` builds it first): lenient by default with exit 0, `--strict`
 * refuses with exit 2 and the place on stderr, usage errors exit 2.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = fileURLToPath(new URL('../../dist/sim/cli.js', import.meta.url));

function inspect(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'inspect', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('impp-sim inspect', () => {
  test('inspect FILE reads leniently: exit 0, JSON with the violations', () => {
    const r = inspect('test/fixtures/wire/pidf-note-before-tuple.xml');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { kind: string; mode: string; violations: { code: string }[] };
    expect([out.kind, out.mode, out.violations.map((v) => v.code)]).toEqual(['pidf', 'lenient', ['WIRE_ERR_PIDF_ELEMENT_ORDER', 'WIRE_ERR_PIDF_BAD_TUPLE_ID']]);
  });

  test('inspect --strict FILE refuses with exit 2 and names the place on stderr', () => {
    const r = inspect('--strict', 'test/fixtures/wire/pidf-note-before-tuple.xml');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/pidf-note-before-tuple\.xml: <tuple> comes after <note>.*at \/presence\/tuple, line 4/);
  });

  test('inspect decodes a SIP message and its body; a bad option or no file is a usage error (exit 2)', () => {
    const sip = inspect('test/fixtures/wire/sip-notify-winfo.sip');
    expect(sip.status).toBe(0);
    expect((JSON.parse(sip.stdout) as { body: { kind: string } }).body.kind).toBe('watcherinfo');
    expect(inspect('--lenient', 'x').status).toBe(2);
    expect(inspect().status).toBe(2);
  });

  test('every inspect command in README.md runs', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const commands = [...readme.matchAll(/^npm run sim -- inspect ([^#\n]+?)\s+#/gm)].map((m) => (m[1] ?? '').trim().split(/\s+/));
    expect(commands.length).toBeGreaterThanOrEqual(2);
    for (const args of commands) {
      const r = inspect(...args);
      expect(r.status, args.join(' ')).toBe(args.includes('--strict') ? 2 : 0);
    }
  });
});
