/**
 * `npm run bench -- server [--readers N] [--stalled M] [--scenario S] [--largest] [--seconds T] [--json FILE]`
 *
 * Starts the dashboard server (dist/web/server/main.js) as a child process on an ephemeral
 * loopback port with a fresh data folder, starts a batch run (by default the largest run of the
 * office scenario that the memory estimate admits on this machine, largest-run.ts; `--scenario S`
 * runs S as it is, and with `--largest` scaled the same way), connects N event-stream readers that read everything and M that never read,
 * and for T seconds polls GET /api/runs (every 50 ms) while sampling the server's resident memory
 * (/proc/PID/status). Prints latency percentiles of the listing, the server's peak and final RSS,
 * and what the server says it holds for its stream clients (GET /api/health).
 */
import { fmtBytes, fmtCount } from '../sim/estimate.js';
import { loadBuiltin } from '../web/server/run-input.js';
import { writeBenchJson } from './environment.js';
import { largestAdmitted, type LargestRun } from './largest-run.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function int(name: string, v: string | undefined, d: number, min: number): number {
  if (v === undefined) return d;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got '${v}'`);
  return n;
}

export async function benchServer(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { readers: { type: 'string' }, stalled: { type: 'string' }, scenario: { type: 'string' }, largest: { type: 'boolean' }, seconds: { type: 'string' }, json: { type: 'string' } },
  });
  const readers = int('readers', values.readers, 50, 0);
  const stalledCount = int('stalled', values.stalled, 5, 0);
  const seconds = int('seconds', values.seconds, 20, 1);
  const scenario = values.scenario ?? 'office';
  const largest: LargestRun | null = values.scenario === undefined || values.largest === true ? largestAdmitted(loadBuiltin(scenario)) : null;
  const overrides = largest?.overrides ?? [];
  if (largest !== null) {
    console.log(
      `server: the largest ${scenario} run the estimate admits: ${fmtCount(largest.users)} users, ${fmtCount(largest.estimate.edges)} expected edges, ` +
        `estimate ${fmtBytes(largest.estimate.bytes)} of the limit ${fmtBytes(largest.limit.bytes)} (${largest.limit.source})`,
    );
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'impp-bench-server-'));
  const main = new URL('../web/server/main.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [main, '--port', '0', '--data', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const sockets: Socket[] = [];
  const aborts: AbortController[] = [];
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /dashboard: (http:\/\/[^/\s]+)\//.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`the server exited (${code}) before it listened`)));
    });
    const port = Number(new URL(base).port);
    const rssStart = rssMb(child.pid!);
    const created = await fetch(`${base}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario, overrides }) });
    const run = (await created.json()) as { id?: string; error?: { message: string } };
    if (run.id === undefined) throw new Error(`cannot start the run: ${run.error?.message ?? created.status}`);
    let streamed = 0;
    for (let i = 0; i < readers; i++) {
      const ac = new AbortController();
      aborts.push(ac);
      void fetch(`${base}/api/runs/${run.id}/events`, { signal: ac.signal })
        .then(async (res) => {
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) streamed += chunk.length;
        })
        .catch((e: Error) => {
          if (e.name !== 'AbortError') console.error(`reader: ${e.message}`);
        });
    }
    for (let i = 0; i < stalledCount; i++) {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.write(`GET /api/runs/${run.id}/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
        s.pause();
      });
      s.on('error', () => {});
      sockets.push(s);
    }
    const latencies: number[] = [];
    let rssPeak = rssStart;
    let peakClientBytes = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) {
      const q0 = performance.now();
      const res = await fetch(`${base}/api/runs`);
      await res.arrayBuffer();
      latencies.push(performance.now() - q0);
      rssPeak = Math.max(rssPeak, rssMb(child.pid!));
      if (latencies.length % 20 === 0) {
        const h = (await (await fetch(`${base}/api/health`)).json()) as { streams: { peakClientBytes: number } };
        peakClientBytes = Math.max(peakClientBytes, h.streams.peakClientBytes);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const health = (await (await fetch(`${base}/api/health`)).json()) as { streams: { clients: number; bufferedBytes: number; maxClientBytes: number; peakClientBytes: number; dropped: number } };
    const state = (await (await fetch(`${base}/api/runs/${run.id}`)).json()) as { status: string; clock: number; events: number };
    const rssEnd = rssMb(child.pid!);
    latencies.sort((a, b) => a - b);
    const result = {
      benchmark: 'server',
      scenario,
      overrides,
      estimateBytes: largest?.estimate.bytes ?? null,
      memoryLimit: largest?.limit ?? null,
      readers,
      stalled: stalledCount,
      seconds,
      polls: latencies.length,
      listP50Ms: Math.round(percentile(latencies, 50) * 10) / 10,
      listP99Ms: Math.round(percentile(latencies, 99) * 10) / 10,
      listMaxMs: Math.round(latencies[latencies.length - 1] * 10) / 10,
      rssStartMb: Math.round(rssStart),
      rssPeakMb: Math.round(rssPeak),
      rssEndMb: Math.round(rssEnd),
      streamedKbPerReader: readers > 0 ? Math.round(streamed / readers / 1e3) : 0,
      streams: { ...health.streams, peakClientBytes: Math.max(peakClientBytes, health.streams.peakClientBytes) },
      run: { status: state.status, clockMs: state.clock, events: state.events },
    };
    console.log(
      `server ${scenario}${largest !== null ? ` at ${fmtCount(largest.users)} users` : ''}: ${readers} readers + ${stalledCount} stalled, ${seconds} s: GET /api/runs p50 ${result.listP50Ms} ms, p99 ${result.listP99Ms} ms, max ${result.listMaxMs} ms (${result.polls} polls); ` +
        `server RSS ${result.rssStartMb} MB at start, peak ${result.rssPeakMb} MB, end ${result.rssEndMb} MB; ` +
        `streams: ${result.streams.clients} clients hold ${(result.streams.bufferedBytes / 1e3).toFixed(1)} kB (peak per client ${(result.streams.peakClientBytes / 1e3).toFixed(1)} kB), ${result.streams.dropped} frames replaced; ` +
        `${result.streamedKbPerReader} kB streamed per reader; run ${state.status} at ${(state.clock / 1000).toFixed(0)} s simulated, ${fmtCount(state.events)} events`,
    );
    if (values.json) writeBenchJson(values.json, result);
    await fetch(`${base}/api/runs/${run.id}/control`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'stop' }) }).catch(() => {});
    return 0;
  } finally {
    for (const ac of aborts) ac.abort();
    for (const s of sockets) s.destroy();
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}
