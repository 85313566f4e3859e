/**
 * A truly read-only data folder. The tests run as root, and root writes through chmod, so the
 * server (dist/web/server/main.js) is started as an unprivileged user: the test's own user when it
 * is not root, else `nobody` through setpriv (util-linux) or runuser. Only when none of these can
 * run node does the test skip, and it says why.
 *
 * Guards: the server exits 2 with one line that names the path and what to do (no stack trace),
 * and an existing history in a read-only folder is left exactly as it was.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = new URL('../../dist/web/server/main.js', import.meta.url).pathname;
const NOBODY = 65534;

/** How to run a command as a user that file permissions apply to, or why there is none. */
function unprivileged(): { prefix: string[]; why: null } | { prefix: null; why: string } {
  if (process.getuid?.() !== 0) return { prefix: [], why: null };
  const tries: [string, string[]][] = [
    ['setpriv', ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups']],
    ['runuser', ['runuser', '-u', 'nobody', '--']],
  ];
  const failures: string[] = [];
  for (const [name, prefix] of tries) {
    // the probe reads the server's entry point as that user, as the real run will
    const r = spawnSync(prefix[0], [...prefix.slice(1), process.execPath, '-e', `require('fs').readFileSync(${JSON.stringify(MAIN)})`], { encoding: 'utf8' });
    if (r.status === 0) return { prefix, why: null };
    failures.push(`${name}: ${r.error?.message ?? r.stderr.trim().split('\n')[0] ?? `exit ${r.status}`}`);
  }
  return { prefix: null, why: `running as root and no way to run node as an unprivileged user (${failures.join('; ')}), so chmod cannot make a folder read-only` };
}

const how = unprivileged();
const made: string[] = [];
afterAll(() => {
  for (const d of made) {
    chmodSync(d, 0o755);
    rmSync(d, { recursive: true, force: true });
  }
});

/** A folder under the system temp folder that the unprivileged user can enter. */
function folder(): string {
  const d = mkdtempSync(join(tmpdir(), 'impp-ro-'));
  made.push(d);
  chmodSync(d, 0o777);
  return d;
}

function serve(dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const argv = [...how.prefix!, process.execPath, MAIN, '--port', '0', '--data', dataDir];
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

describe.skipIf(how.why !== null)(`a read-only data folder (${how.why ?? 'as an unprivileged user'})`, () => {
  it('an empty read-only folder: exit 2 with one line naming the path and what to do', async () => {
    const dataDir = join(folder(), 'data');
    // created by root, so the unprivileged server can read it but not write in it
    spawnSync('mkdir', [dataDir]);
    chmodSync(dataDir, 0o555);
    const r = await serve(dataDir);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).not.toContain('dashboard:');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(dataDir);
    expect(lines[0]).toMatch(/cannot create or write the data folder .*permission denied.*make it writable or give another --data folder/);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('a history in a read-only folder is refused the same way and left as it was', async () => {
    const dataDir = join(folder(), 'data');
    spawnSync('mkdir', [dataDir]);
    const file = join(dataDir, 'impp-sim.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE t (x)');
    db.close();
    chmodSync(file, 0o444);
    chmodSync(dataDir, 0o555);
    const r = await serve(dataDir);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/make it writable or give another --data folder/);
    expect(readdirSync(dataDir)).toEqual(['impp-sim.sqlite']);
  });

  it('a read-only store file in a writable folder: exit 2 saying the file cannot be written', async () => {
    const dataDir = folder();
    const file = join(dataDir, 'impp-sim.sqlite');
    const db = new Database(file);
    db.pragma('journal_mode = DELETE');
    db.exec('CREATE TABLE t (x)');
    db.close();
    chmodSync(file, 0o444);
    const r = await serve(dataDir);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(/cannot be written .*make it and its folder writable/);
    // the lock it took was released on the way out
    expect(existsSync(join(dataDir, 'impp-sim.lock'))).toBe(false);
  });
});
