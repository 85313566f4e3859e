/**
 * A dashboard sweep's progress as the scalability view shows it (pure, tested without a browser):
 * runs done of all, the time so far and the time left, the executor and the workers seen.
 *
 * A queued sweep (`executor: 'queue'`) carries its own `progress` (GET /api/sweeps/:id: runs done,
 * workers seen, the server's time so far and time left at the pace so far) and each point's
 * `workers` (the worker of each of its runs): both are shown as the API gives them. A local sweep
 * has no `progress`: its runs done are counted from the points (each point lists the runs made so
 * far; a running point's last one is still going) and its times come from the page's own clock,
 * from the moment the page asked for the sweep, so only a sweep this page follows has them.
 */

/**
 * Runs that have ended in a local sweep: every run listed, but the one each running point is on.
 * @param {{ status: string, points: Array<{ status: string, runs?: string[] }> }} sw
 */
export function localRunsDone(sw) {
  let n = 0;
  for (const p of sw.points) {
    const listed = p.runs?.length ?? 0;
    n += sw.status === 'running' && p.status === 'running' ? Math.max(0, listed - 1) : listed;
  }
  return n;
}

/**
 * The workers seen and how many of the sweep's runs each did, by name (from the points' `workers`;
 * a worker the progress names without a finished run of a point shows 0).
 * @param {{ points: Array<{ workers?: string[] }>, progress?: { workers?: string[] } }} sw
 * @returns {Array<{ name: string, runs: number }>}
 */
export function workersSeen(sw) {
  /** @type {Map<string, number>} */
  const runs = new Map();
  for (const name of sw.progress?.workers ?? []) runs.set(name, 0);
  for (const p of sw.points) for (const name of p.workers ?? []) runs.set(name, (runs.get(name) ?? 0) + 1);
  return [...runs].map(([name, n]) => ({ name, runs: n })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Time left at the pace so far: null before the first run ends, 0 once all have. */
export function paceEta(elapsedMs, done, total) {
  if (done <= 0 || elapsedMs === null) return null;
  if (done >= total) return 0;
  return Math.round((elapsedMs / done) * (total - done));
}

/**
 * @typedef {{ done: number, total: number, executor: 'queue' | 'local', where: string | null,
 *   elapsedMs: number | null, etaMs: number | null, clock: 'server' | 'page' | null,
 *   workers: Array<{ name: string, runs: number }> }} SweepProgressView
 */

/**
 * @param {any} sw a sweep as GET /api/sweeps/:id gives it
 * @param {{ since: number, endedAt: number | null } | null} followed when this page started
 *   following the sweep (and saw it end), on its clock; null for a sweep it did not start
 * @param {number} now the page's clock
 * @returns {SweepProgressView}
 */
export function sweepProgress(sw, followed, now) {
  const total = sw.points.length * (sw.replications ?? 1);
  if (sw.executor === 'queue' && sw.progress) {
    const p = sw.progress;
    return { done: p.done, total: p.total, executor: 'queue', where: sw.where ?? null, elapsedMs: p.elapsedMs, etaMs: p.etaMs, clock: 'server', workers: workersSeen(sw) };
  }
  const done = localRunsDone(sw);
  const elapsedMs = followed === null ? null : Math.max(0, (followed.endedAt ?? now) - followed.since);
  return { done, total, executor: 'local', where: null, elapsedMs, etaMs: sw.status === 'running' ? paceEta(elapsedMs, done, total) : null, clock: followed === null ? null : 'page', workers: [] };
}
