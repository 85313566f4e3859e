/**
 * `npm run sim` / `bench` / `start` build only when a source changed (bin/build-if-stale.mjs).
 * Guard: right after a build (npm test builds first) the script leaves dist/ alone: it does not
 * run tsc, so the stamp of the last build is not rewritten.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('build if stale', () => {
  it('does nothing when no source is newer than the last build', () => {
    const stamp = `${root}dist/.build-stamp`;
    const before = statSync(stamp).mtimeMs;
    const r = spawnSync(process.execPath, [`${root}bin/build-if-stale.mjs`], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).toBe('');
    expect(statSync(stamp).mtimeMs).toBe(before);
  });
});
