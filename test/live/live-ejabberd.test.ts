/**
 * Live mode against an embedded ejabberd 23.01 (one node as the ejabberd user, on an ephemeral
 * loopback port, provisioned from one XEP-0227 file): exact counts of a 20-user run, and the
 * clean-up after it, after a failed start and after Ctrl-C (no beam.smp or epmd of ours left, the
 * port closed, the directory removed). Skipped only where ejabberd is not installed and CI is not
 * set: CI installs it (.ci/run), and with CI=true these tests run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runLive } from '../../sim/live/live-command.js';
import { ejabberdConfig, ejabberdInstalled, startEjabberd } from '../../sim/live/ejabberd-server.js';
import { piefxisDocument } from '../../sim/live/ejabberd-provision.js';
import { EJABBERD_DOMAINS_MAPPED, EJABBERD_FEDERATION_NOT_MAPPED, ejabberdMapping } from '../../sim/live/ejabberd-target.js';
import { livePlan } from '../../sim/live/live-plan.js';
import { portOpen, scratchRoot } from '../../sim/live/prosody-server.js';
import { loadScenario } from '../../sim/scenario/index.js';
import { holdLiveServerLock } from './server-lock.js';
import { expectEveryChangeAndReceipt } from './live-expect.js';

const FIXTURE = 'test/fixtures/live/live-20.yaml';
const installed = ejabberdInstalled();
const runThem = installed || process.env.CI === 'true' || process.env.CI === '1';
if (!runThem) console.warn('test/live: ejabberd is not installed (apt-get install ejabberd); the embedded-ejabberd tests are skipped');

// taken once this file holds the server lock: what is there then is not this file's
let otherDirs = new Set<string>();
const nodeDirs = () => readdirSync(scratchRoot()).filter((n) => n.startsWith('impp-sim-ejabberd-') && !otherDirs.has(n));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const pgrep = (pattern: string, how = '-f') => spawnSync('pgrep', [how, pattern], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number);
// nodes and epmd daemons of other runs on this machine are not the tests'
let otherNodes = new Set<number>();
let otherEpmd = new Set<number>();
const ourNodes = () => pgrep('impp-sim-ejabberd-').filter((p) => !otherNodes.has(p));
const ourEpmd = () => pgrep('epmd', '-x').filter((p) => !otherEpmd.has(p));


// these files start embedded servers: one at a time (test/live/server-lock.ts)
holdLiveServerLock();
beforeAll(() => {
  otherDirs = new Set(readdirSync(scratchRoot()));
  otherNodes = new Set(pgrep('impp-sim-ejabberd-'));
  otherEpmd = new Set(pgrep('epmd', '-x'));
});


/** a 60 s live run of the command line on ejabberd, once its node is up (its one node's pid) */
async function driverWithNode(): Promise<{ child: ReturnType<typeof spawn>; pids: number[] }> {
  const child = spawn(process.execPath, ['dist/sim/cli.js', 'live', FIXTURE, '--target', 'ejabberd', '--duration', '60s', '--quiet'], { stdio: 'ignore' });
  const deadline = Date.now() + 30_000;
  while (ourNodes().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const pids = ourNodes();
  expect(pids.length).toBe(1);
  return { child, pids };
}
/** loopback ports a process listens on (from /proc/net/tcp and its descriptors) */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && inodes.has(f[9])) ports.push(parseInt(f[1].split(':')[1], 16));
    }
  }
  return ports;
}

describe('the embedded ejabberd configuration and provisioning file', () => {
  it('listens on loopback only, without shaper or TLS, and with a raised backlog', () => {
    const cfg = ejabberdConfig({ port: 5999, hosts: ['a.example', 'b.example'], logLevel: 'warning', offlineStorage: false });
    expect(cfg).toContain('    ip: "127.0.0.1"');
    expect(cfg).toContain('    port: 5999');
    expect(cfg).toContain('    shaper: none');
    expect(cfg).toContain('    starttls: false');
    expect(cfg).toMatch(/backlog: \d{4}/);
    expect(cfg).toContain('  - "a.example"\n  - "b.example"');
    expect(cfg.match(/module: /g)).toHaveLength(1);
    expect(cfg).not.toContain('mod_offline');
    expect(ejabberdConfig({ port: 1, hosts: ['a'], logLevel: 'warning', offlineStorage: true })).toContain('mod_offline');
  });

  it('writes every account, roster item and pending request of the plan into one XEP-0227 document', () => {
    const sc = loadScenario(FIXTURE, ['population.access={allow: 0.5, deny: 0.2, politeBlock: 0, pending: 0.3}']);
    const plan = livePlan(sc, 7, (u) => `pw-${u}`);
    const doc = piefxisDocument(plan.domains, plan.accounts);
    expect(doc).toContain('<server-data xmlns="urn:xmpp:pie:0">');
    expect(doc.match(/<user name=/g)).toHaveLength(20);
    expect(doc.match(/<item jid=/g)).toHaveLength(plan.rosterItems);
    const pending = plan.accounts.reduce((n, a) => n + (a.pendingIn?.length ?? 0), 0);
    expect(pending).toBeGreaterThan(0);
    expect(doc.match(/<presence xmlns="jabber:client" type="subscribe" from=/g)).toHaveLength(pending);
    expect(doc).toContain('<user name="u0" password="pw-0">');
  });

  it('a multi-domain scenario on one node says that its boundary traffic is internal, not s2s', () => {
    const plan = livePlan(loadScenario('test/fixtures/live/live-fed.yaml', []), 7, (u) => `pw-${u}`);
    ejabberdMapping(plan);
    expect(plan.mapped).toContain(EJABBERD_DOMAINS_MAPPED);
    expect(plan.notMapped).toContain(EJABBERD_FEDERATION_NOT_MAPPED);
    expect([...plan.mapped, ...plan.notMapped].join(' ')).not.toMatch(/Prosody|talk s2s/);
    const doc = piefxisDocument(plan.domains, plan.accounts);
    expect(doc.match(/<host jid=/g)).toHaveLength(2);
  });
});

describe.skipIf(!runThem)('live mode against an embedded ejabberd', () => {
  it('delivers every presence change to every online contact and gets a receipt for every IM; then leaves nothing behind', async () => {
    const before = nodeDirs();
    // while it runs: the node listens on its client port and nowhere else, and no epmd was started
    const seen: { ports: number[]; epmd: number[] }[] = [];
    const onCounts = () => {
      const nodes = ourNodes();
      if (nodes.length === 1 && seen.length === 0) seen.push({ ports: listeningPorts(nodes[0]), epmd: ourEpmd() });
    };
    const report = await runLive(loadScenario(FIXTURE, []), { target: { kind: 'embedded-ejabberd' }, duration: 3000, rateScale: 1, onCounts });
    expect(seen).toEqual([{ ports: [report.target.port], epmd: [] }]);
    expect(report.target.server).toBe('ejabberd 23.01 (embedded)');
    // everyone watches everyone and stays online: a change reaches exactly the 19 others
    expectEveryChangeAndReceipt(report);
    // clean-up: the node gone, no epmd started, the port closed, the directory removed
    expect(alive(report.server.pids[0]!)).toBe(false);
    expect(ourNodes()).toEqual([]);
    expect(ourEpmd()).toEqual([]);
    expect(await portOpen(report.target.port)).toBe(false);
    expect(nodeDirs()).toEqual(before);
  });

  it('a node that fails to start gives an error with its log, and leaves nothing behind', async () => {
    const before = nodeDirs();
    const err = await startEjabberd({ hosts: ['broken.example'], configExtra: 'impp_sim_broken_on_purpose: 1' }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/SIM_ERR_LIVE_SERVER: the embedded ejabberd exited/);
    expect(err?.message).toContain('impp_sim_broken_on_purpose');
    expect(nodeDirs()).toEqual(before);
    expect(ourNodes()).toEqual([]);
    expect(ourEpmd()).toEqual([]);
  });

  it('Ctrl-C during a live run stops the node and removes its directory', async () => {
    const before = nodeDirs();
    const { child, pids } = await driverWithNode();
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(alive(pids[0])).toBe(false);
    expect(ourNodes()).toEqual([]);
    expect(nodeDirs()).toEqual(before);
  });

  it('a driver killed outright (SIGKILL, no clean-up of its own) leaves no node running: the node stops at the end of its input', async () => {
    const before = nodeDirs();
    const { child, pids } = await driverWithNode();
    const exited = new Promise<unknown>((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const gone = Date.now() + 15_000;
    while (alive(pids[0]) && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pids[0])).toBe(false);
    expect(ourEpmd()).toEqual([]);
    // the directory is what a killed process cannot remove; the test does
    for (const d of nodeDirs().filter((n) => !before.includes(n))) rmSync(join(scratchRoot(), d), { recursive: true, force: true });
  });
});
