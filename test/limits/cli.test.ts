/**
 * The command line refuses what it cannot do before it runs anything (exit 2 with a message
 * naming the value and the field), and never cuts its own output short.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectFile } from '../../sim/wire/inspect.js';

const cli = fileURLToPath(new URL('../../dist/sim/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'impp-cli-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sim(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('CLI limits', () => {
  it('refuses --duration beyond the scenario limit, through the same check as --set duration', () => {
    const r = sim(['run', 'office', '--duration', '1e9h', '--quiet']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/duration: the duration must be at most 366d, got "1e9h"/);
  });

  it('refuses a --seed a double cannot hold exactly instead of rounding it', () => {
    const r = sim(['run', 'office', '--seed', '9007199254740993', '--quiet']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--seed must be a whole number .* got '9007199254740993' \(too large to hold exactly\)/);
    expect(sim(['sweep', 'office', '--param', 'users=10', '--seed', '1e3']).stderr).toMatch(/--seed must be a whole number/);
  });

  it('refuses an unwritable --json or --html before running', () => {
    const a = sim(['run', 'office', '--json', dir]);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/SIM_ERR_OUTPUT: --json .*: is a directory/);
    expect(a.stdout).toBe('');
    const b = sim(['run', 'office', '--html', join(dir, 'missing', 'r.html')]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/--html .*: the folder .*missing does not exist/);
    expect(b.stdout).toBe('');
    expect(sim(['sweep', 'office', '--param', 'users=10', '--csv', dir]).stderr).toMatch(/--csv .*: is a directory/);
  });

  it('refuses a run over the memory limit with the estimate, the limit and the field', () => {
    const r = sim(['run', 'office', '--set', 'domains[0].users=900000'], { IMPP_SIM_MEMORY_LIMIT: '200MB' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/SIM_ERR_RUN_TOO_LARGE: scenario 'office' would need about .* of memory .* more than the limit of 200 MB \(IMPP_SIM_MEMORY_LIMIT=200MB\); lower domains\[\]\.users/);
    const big = sim(['run', 'office', '--set', 'domains[0].users=50000000', '--set', 'population.buddies=100']);
    expect(big.status).toBe(2);
    expect(big.stderr).toMatch(/5,000,000,000 subscription edges/);
  });

  it('checks every sweep point against the limits before running any', () => {
    const r = sim(['sweep', 'office', '--param', 'users=1e3..1e9:log:5', '--duration', '1s']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/the point users=1000000000: 1 problem: domains\[0\]\.users: expected a whole number from 1 to 50,000,000/);
    expect(r.stderr).not.toMatch(/Unexpected message|piscina/);
    const m = sim(['sweep', 'office', '--param', 'users=1e3,900000', '--duration', '1s'], { IMPP_SIM_MEMORY_LIMIT: '200MB' });
    expect(m.status).toBe(2);
    expect(m.stderr).toMatch(/the point users=900000 would need about .* more than the limit of 200 MB/);
  });

  it('refuses a FIFO for inspect instead of waiting for a writer', () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = sim(['inspect', fifo]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is not a regular file/);
  });

  it('quotes at most a short excerpt of a 900 KB unclosed tag', () => {
    const file = join(dir, 'unclosed.xml');
    writeFileSync(file, `<?xml version="1.0"?>\n<presence><${'a'.repeat(900_000)}`);
    const r = sim(['inspect', file]);
    expect(r.status).toBe(2);
    expect(r.stderr.length).toBeLessThan(1000);
    expect(r.stderr).toMatch(/characters left out/);
  });

  it('delivers all of a large output to a slow pipe before exiting', async () => {
    const tuples = Array.from({ length: 3000 }, (_, i) => `<tuple id="t${i}"><status><basic>open</basic></status><contact>im:u${i}@a.example</contact></tuple>`).join('');
    const file = join(dir, 'many.xml');
    writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:u@a.example">${tuples}</presence>\n`);
    const expected = JSON.stringify(await inspectFile(file), null, 2) + '\n';
    expect(expected.length).toBeGreaterThan(256 * 1024);
    const child = spawn(process.execPath, [cli, 'inspect', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pause(); // a slow reader: the pipe fills while the CLI is finishing
    await new Promise((r) => setTimeout(r, 700));
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stdout.resume();
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(0);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(expected);
  });
});
