/**
 * What the progress line says while a batch run builds its population (its clock still at 0):
 * what is being built, the time so far and, once this server has timed a build, about how long is
 * left (the server's `build` of the run summary, web/server/build-eta.ts). Nothing is guessed here:
 * without the server's rate the line says the time left is unknown, and why.
 */
import { fmtCount } from './shape.js';

const secs = (ms) => (ms >= 120_000 ? `${(ms / 60_000).toFixed(1)} min` : `${Math.round(ms / 1000)} s`);

/** The progress line of `run` (a summary with `build`) at wall time `now` (ms since the epoch). */
export function buildText(run, now) {
  const b = run.build;
  const elapsed = Math.max(0, now - Date.parse(run.createdAt));
  const what = b ? `the population of ${fmtCount(b.users)} users and ${fmtCount(b.edges)} expected subscription edges` : 'the population and its subscriptions';
  let eta;
  if (!b || b.expectedMs === null || b.expectedMs === undefined) eta = `time left unknown: ${b ? b.basis : 'the server has not timed a build'}`;
  else if (elapsed <= b.expectedMs) eta = `about ${secs(b.expectedMs - elapsed)} left (${b.basis})`;
  else eta = `${secs(elapsed - b.expectedMs)} longer than expected (${b.basis})`;
  return `preparing: building ${what}: ${secs(elapsed)} so far, ${eta}; the simulated clock starts when it is built`;
}
