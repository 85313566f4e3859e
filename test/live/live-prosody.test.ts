/**
 * Live mode against an embedded Prosody (started as the prosody user on an ephemeral loopback
 * port): exact counts of a 20-user run, the clean-up after it, after a failed start and after
 * Ctrl-C. Skipped, with the reason, where Prosody is not installed (CI installs it: .ci/run).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/scenario/index.js';
import { runLive } from '../../sim/live/live-command.js';
import { portOpen, prosodyInstalled, scratchRoot, startProsody } from '../../sim/live/prosody-server.js';
import { holdLiveServerLock } from './server-lock.js';
import { expectEveryChangeAndReceipt } from './live-expect.js';

const FIXTURE = 'test/fixtures/live/live-20.yaml';
const installed = prosodyInstalled();
if (!installed) console.warn('test/live: Prosody is not installed (apt-get install prosody); the live-mode tests are skipped');

// taken once this file holds the server lock: what is there then is not this file's
let otherDirs = new Set<string>();
const serverDirs = () => readdirSync(scratchRoot()).filter((n) => n.startsWith('impp-sim-prosody-') && !otherDirs.has(n));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const allPids = () => spawnSync('pgrep', ['-f', 'impp-sim-prosody-'], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number);
// embedded servers of other runs on this machine (another live run, a calibration) are not the tests'
let others = new Set<number>();
const prosodyPids = () => allPids().filter((p) => !others.has(p));

// these files start embedded servers: one at a time (test/live/server-lock.ts)
holdLiveServerLock();
beforeAll(() => {
  otherDirs = new Set(readdirSync(scratchRoot()));
  others = new Set(allPids());
});

describe.skipIf(!installed)('live mode against an embedded Prosody', () => {
  it('delivers every presence change to every online contact and gets a receipt for every IM; then leaves nothing behind', async () => {
    const before = serverDirs();
    const report = await runLive(loadScenario(FIXTURE, []), { target: { kind: 'embedded-prosody' }, duration: 3000, rateScale: 1 });
    expect(report.measured).toBe(true);
    expect(report.tls).toBe(false);
    // everyone watches everyone and stays online: a change reaches exactly the 19 others
    expectEveryChangeAndReceipt(report);
    expect(report.driver.cpuShare).toBeGreaterThan(0);
    // clean-up: process gone, port closed, directory removed
    expect(alive(report.server.pids[0]!)).toBe(false);
    expect(await portOpen(report.target.port)).toBe(false);
    expect(serverDirs()).toEqual(before);
  });

  it('with users logging in and out, a change is expected only at contacts online when it is sent, and never counted delivered beyond that', async () => {
    const churn = ['behaviour.sessionLength=2s', 'behaviour.offlineLength=1s', 'population.online=0.5', 'behaviour.crashFraction=0.3'];
    const report = await runLive(loadScenario(FIXTURE, churn), { target: { kind: 'embedded-prosody' }, duration: 4000, rateScale: 2 });
    expect(report.sessions.logins).toBeGreaterThan(0);
    expect(report.sessions.logouts + report.sessions.crashes).toBeGreaterThan(0);
    const n = report.presence.notifications;
    expect(report.presence.publishes).toBeGreaterThan(0);
    // about half the contacts are offline at any time: fewer than 19 expected per change
    expect(n.sent).toBeLessThan(19 * report.presence.publishes);
    expect(n.delivered).toBeGreaterThan(0);
    expect(n.delivered).toBeLessThanOrEqual(n.sent);
    // every IM has one outcome or none yet: delivered, bounced (recipient offline) or without outcome
    expect(report.im.delivered + report.im.failed + report.im.indeterminate).toBe(report.im.sent);
    expect(report.im.reports).toBeLessThanOrEqual(report.im.delivered);
  });

  it('federation: two servers with s2s on loopback deliver every change and IM across the boundary; both are stopped', async () => {
    const before = serverDirs();
    const report = await runLive(loadScenario('test/fixtures/live/live-fed.yaml', []), { target: { kind: 'embedded-prosody' }, duration: 3000, rateScale: 1 });
    expect(report.servers.map((v) => v.domain)).toEqual(['alpha.example', 'beta.example']);
    expect(report.setup.logins).toBe(20);
    expect(report.presence.publishes).toBeGreaterThan(0);
    expect(report.presence.notifications.delivered).toBe(report.presence.notifications.sent);
    expect(report.im.sent).toBeGreaterThan(0);
    expect(report.im.reports).toBe(report.im.sent);
    const across = (from: string, to: string) => report.pairs.find((p) => p.from === from && p.to === to)?.total ?? 0;
    expect(across('alpha.example', 'beta.example')).toBeGreaterThan(0);
    expect(across('beta.example', 'alpha.example')).toBeGreaterThan(0);
    for (const pid of report.server.pids) expect(alive(pid!)).toBe(false);
    for (const v of report.servers) expect(await portOpen(v.port)).toBe(false);
    expect(serverDirs()).toEqual(before);
  });

  it('a server that fails to start gives an error with its output, and leaves nothing behind', async () => {
    const before = serverDirs();
    const err = await startProsody({ hosts: ['broken.example'], configExtra: 'error("configuration broken on purpose")' }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/SIM_ERR_LIVE_SERVER: the embedded Prosody exited/);
    expect(err?.message).toContain('configuration broken on purpose');
    expect(serverDirs()).toEqual(before);
    expect(prosodyPids()).toEqual([]);
  });

  it('the command writes the JSON and HTML reports it is asked for', () => {
    const dir = mkdtempSync(join(tmpdir(), 'impp-live-out-'));
    try {
      const r = spawnSync(process.execPath, ['dist/sim/cli.js', 'live', FIXTURE, '--duration', '1s', '--json', join(dir, 'r.json'), '--html', join(dir, 'r.html'), '--quiet'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
      expect(report.measured).toBe(true);
      expect(report.setup.logins).toBe(20);
      expect(readFileSync(join(dir, 'r.html'), 'utf8')).toContain('live-20: live run (measured)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Ctrl-C during a live run stops the server and removes its directory', async () => {
    const before = serverDirs();
    const child = spawn(process.execPath, ['dist/sim/cli.js', 'live', FIXTURE, '--duration', '60s', '--quiet'], { stdio: 'ignore' });
    // wait for the embedded server to be up
    const deadline = Date.now() + 20_000;
    while (prosodyPids().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const pids = prosodyPids();
    expect(pids.length).toBe(1);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(alive(pids[0])).toBe(false);
    expect(prosodyPids()).toEqual([]);
    expect(serverDirs()).toEqual(before);
  });
});
