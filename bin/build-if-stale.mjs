#!/usr/bin/env node
// Builds dist/ with tsc only when a source changed since the last successful build, so that
// `npm run sim`, `npm run bench` and `npm start` answer at once (a no-op tsc still takes seconds).
// A source is any .ts file under the folders tsconfig.json includes, tsconfig.json or
// package.json; the last good build leaves dist/.build-stamp. `--force` always builds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'dist', '.build-stamp');
const SOURCES = ['sim', 'bench', 'web/server', 'test/models'];

/** The newest modification time (ms) of the sources. */
function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of SOURCES) if (existsSync(join(root, d))) walk(join(root, d));
  for (const f of ['tsconfig.json', 'package.json']) newest = Math.max(newest, statSync(join(root, f)).mtimeMs);
  return newest;
}

const force = process.argv.includes('--force');
if (!force && existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource()) process.exit(0);
const started = Date.now();
const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
// the stamp is as old as the build's start: a source saved during the build is seen next time
writeFileSync(stamp, `${new Date(started).toISOString()}\n`);
utimesSync(stamp, started / 1000, started / 1000);
