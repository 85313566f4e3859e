/**
 * Distributed sweeps on BullMQ over a throw-away redis-server: two worker processes with one killed
 * mid-run, Redis restarting without persistence, a coordinator killed and resumed, a run from
 * another version or with an invalid scenario refused, Ctrl-C letting the run finish, size on the
 * queue. Each queued result must equal the local sweep's field by field apart from
 * SWEEP_VARYING_FIELDS.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/scenario/index.js';
import { SweepHistory } from '../../sim/toolkit/history.js';
import { jobId, QueueExecutor, QUEUE_NAME } from '../../sim/toolkit/queue/executor.js';
import { toRunJob } from '../../sim/toolkit/queue/job.js';
import { parseQueueAddress } from '../../sim/toolkit/queue/url.js';
import { buildVersion } from '../../sim/toolkit/queue/version.js';
import { runSize } from '../../sim/toolkit/size.js';
import { runSweep, type SweepResult } from '../../sim/toolkit/sweep.js';
import { comparable, freePort, HAVE_REDIS, Proc, Redis, waitFor, worker } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'impp-queue-'));
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
  rmSync(tmp, { recursive: true, force: true });
});

async function redis(extra: string[] = []): Promise<Redis> {
  const r = new Redis(await freePort(), extra);
  await r.start();
  cleanup.push(() => r.kill());
  return r;
}
function track<T extends Proc>(p: T): T {
  cleanup.push(() => p.stop());
  return p;
}
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as SweepResult;
const SWEEP = ['sweep', 'office', '--param', 'users=2000,3000', '--replications', '2', '--duration', '1h'];

// processes and a lease of 2 s each: allow for a machine shared with other work
describe.skipIf(!HAVE_REDIS)('queued sweeps', { timeout: 120_000 }, () => {
  it('two workers, one killed mid-run: its run is retried on the other, the report equals the local one, and the password shows nowhere', async () => {
    const secret = 'pw-Zq81x-secret';
    const r = await redis(['--requirepass', secret]);
    const url = `redis://:${secret}@127.0.0.1:${r.port}`;
    const a = track(worker(url, 'wa'));
    const b = track(worker(url, 'wb'));
    const data = join(tmp, 'kill-data');
    const coord = track(new Proc([...SWEEP, '--queue', url, '--json', join(tmp, 'queued.json'), '--data', data]));
    await waitFor('worker wa to start a run', () => a.started().length > 0);
    const killed = a.started()[0];
    await a.stop('SIGKILL');
    expect(a.ran()).not.toContain(killed); // it was mid-run
    expect(await coord.exited).toBe(0);
    expect(b.ran()).toContain(killed);
    const local = new Proc([...SWEEP, '--json', join(tmp, 'local.json'), '--no-history']);
    expect(await local.exited).toBe(0);
    const q = json(join(tmp, 'queued.json'));
    const l = json(join(tmp, 'local.json'));
    expect(comparable(q)).toEqual(comparable(l));
    expect(q.executor).toBe('queue');
    expect(q.where).toBe(`redis://:***@127.0.0.1:${r.port}`);
    const index = Number(killed.split('.').at(-1));
    expect(q.points[Math.floor(index / 2)].runs[index % 2].worker).toBe('wb');
    expect(q.varies).toContain('points[].runs[].worker');
    // the password: not in any log, the report or the history's files
    for (const text of [coord.out, a.out, b.out, readFileSync(join(tmp, 'queued.json'), 'utf8')]) expect(text).not.toContain(secret);
    for (const f of readdirSync(data)) expect(readFileSync(join(data, f)).includes(secret), f).toBe(false);
    const h = new SweepHistory(data);
    expect(h.get(q.id).status).toBe('finished');
    expect(h.get(q.id).runs).toBe(4);
    h.close();
  });

  it('Redis restarting without persistence loses no finished result: the coordinator adds the lost runs again', async () => {
    const r = await redis();
    const url = `redis://127.0.0.1:${r.port}`;
    const w = track(worker(url, 'w1'));
    const sc = loadScenario('office', ['duration=20min']);
    const opts = { params: [{ path: 'users', values: [500, 1000, 1500] }], replications: 2 };
    const history = new SweepHistory(join(tmp, 'restart-data'));
    const base = history.journal('restart');
    const recorded: number[] = [];
    const journal = { recorded: base.recorded, record: (o: Parameters<typeof base.record>[0]) => (recorded.push(o.index), base.record(o)) };
    const lines: string[] = [];
    const executor = new QueueExecutor(parseQueueAddress(url), (l) => lines.push(l));
    const progress: [number, number, number][] = [];
    const sweep = runSweep(sc, { ...opts, executor, journal, id: 'restart', onProgress: (d, t, n) => progress.push([d, t, n]) });
    await waitFor('two recorded results', () => recorded.length >= 2);
    await r.kill();
    const before = recorded.slice();
    await r.start();
    const q = await sweep;
    await executor.close();
    history.close();
    expect(lines.join('\n')).toMatch(/no longer in the queue .*adding them again/);
    expect(progress[0]).toEqual([0, 6, 0]);
    expect(progress.at(-1)).toEqual([6, 6, 1]); // runs done of total, and the workers seen
    const l = await runSweep(sc, { ...opts, parallel: 2 });
    expect(comparable(q)).toEqual(comparable(l));
    // a result recorded before the restart was never run again
    for (const i of before) expect(w.ran().filter((id) => id === jobId('restart', i)), `run ${i}`).toHaveLength(1);
  });

  it('a killed coordinator is resumed with sweep --resume ID without redoing finished runs', async () => {
    const r = await redis();
    const url = `redis://127.0.0.1:${r.port}`;
    const w = track(worker(url, 'w1'));
    const data = join(tmp, 'resume-data');
    const args = ['sweep', 'office', '--param', 'users=500,1000,1500', '--replications', '2', '--duration', '20min'];
    const first = track(new Proc([...args, '--queue', url, '--data', data]));
    await waitFor('the coordinator to record a result', () => w.ran().length >= 2);
    await first.stop('SIGKILL');
    const id = /sweep (sw-[\w-]+) \(history/.exec(first.out)![1];
    const resumed = new Proc(['sweep', '--resume', id, '--queue', url, '--data', data, '--json', join(tmp, 'resumed.json')]);
    expect(await resumed.exited).toBe(0);
    expect(resumed.out).toMatch(new RegExp(`resuming sweep ${id}: [1-6] run\\(s\\) already recorded`));
    const local = new Proc([...args, '--json', join(tmp, 'resume-local.json'), '--no-history']);
    expect(await local.exited).toBe(0);
    expect(comparable(json(join(tmp, 'resumed.json')))).toEqual(comparable(json(join(tmp, 'resume-local.json'))));
    expect(w.ran().sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => jobId(id, i)).sort()); // each run once
  });

  it('a worker refuses a run from another version, and one whose scenario is invalid; Ctrl-C lets its run finish, twice hands it back', async () => {
    const r = await redis();
    const url = `redis://127.0.0.1:${r.port}`;
    const w = track(worker(url, 'w1'));
    const sc = loadScenario('office', ['duration=1h', 'domains[0].users=3000']);
    const task = { scenario: sc, seed: 1, thresholds: [], keepReport: false };
    const queue = new Queue(QUEUE_NAME, { connection: { ...parseQueueAddress(url).connection } });
    try {
      const other = { ...buildVersion(), code: '000000000000', project: 'abc123' };
      await queue.add('run', toRunJob('other', 0, task, other), { jobId: 'other.0' });
      await waitFor('the job to fail', async () => (await queue.getJob('other.0'))?.finishedOn !== undefined);
      const job = await queue.getJob('other.0');
      expect(job!.returnvalue ?? null).toBeNull();
      expect(job!.failedReason).toMatch(/impp-sim abc123, code 000000000000 \(this worker: .*, code [0-9a-f]{12}\)/);
      expect(w.out).toMatch(/refused run other\.0/);
    } finally {
      await queue.close();
    }
    const executor = new QueueExecutor(parseQueueAddress(url));
    const bad = { ...sc, domains: [{ ...sc.domains[0], users: -5 }] };
    await expect(executor.execute('bad', [{ index: 0, task: { ...task, scenario: bad } }], () => {})).rejects.toThrow(/run bad\.0 failed on a worker: .*domains\[0\]\.users/s);
    expect(w.ran()).toEqual([]);
    // Ctrl-C while a run is in progress: it finishes, its result reaches the coordinator, the worker exits 0
    const results: number[] = [];
    const done = executor.execute('ctrlc', [{ index: 0, task }], (o) => results.push(o.index));
    await waitFor('the run to start', () => w.started().length > 0);
    w.child.kill('SIGINT');
    await done;
    expect(results).toEqual([0]);
    expect(await w.exited).toBe(0);
    expect(w.out).toMatch(/stopping after the 1 run\(s\) in progress/);
    expect(w.ran()).toEqual(['ctrlc.0']);
    // Ctrl-C twice: the run is handed back at once and another worker runs it
    const w2 = track(worker(url, 'w2'));
    const handed: string[] = [];
    const back = executor.execute('back', [{ index: 0, task }], (o) => handed.push(o.worker));
    await waitFor('w2 to start the run', () => w2.started().length > 0);
    w2.child.kill('SIGINT');
    await waitFor('w2 to say it is stopping', () => /stopping after/.test(w2.out));
    w2.child.kill('SIGINT');
    expect(await w2.exited).toBe(0);
    expect(w2.out).toMatch(/handed back\.0 back to the queue/);
    expect(w2.ran()).toEqual([]);
    track(worker(url, 'w3'));
    await back;
    await executor.close();
    expect(handed).toEqual(['w3']);
  });

  it('size runs its probes on the queue and finds the answer the local search finds', async () => {
    const r = await redis();
    const url = `redis://127.0.0.1:${r.port}`;
    const w = track(worker(url, 'w1'));
    const sc = loadScenario('office', ['duration=10min', 'domains[0].users=2000', 'domains[0].servers.count=1', 'behaviour.presenceChangeRate=600/h']);
    const opts = { vary: 'servers.cores', targets: ['maxUtilisation < 0.3'], replications: 1, max: 16 };
    const executor = new QueueExecutor(parseQueueAddress(url));
    const q = await runSize(sc, { ...opts, executor });
    await executor.close();
    const l = await runSize(sc, { ...opts, parallel: 2 });
    expect(q.found).toBe(true);
    expect({ value: q.value, setting: q.setting, probes: q.probes.map((p) => [p.setting, p.passed]) }).toEqual({ value: l.value, setting: l.setting, probes: l.probes.map((p) => [p.setting, p.passed]) });
    expect(q.probes.length).toBeGreaterThan(1);
    expect(w.ran().length).toBe(q.probes.length);
  });
});
