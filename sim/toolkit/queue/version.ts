/**
 * The version a queued or exported run is stamped with. "Same seed, same report" holds only for
 * the same code on the same Node, so a worker refuses a run stamped with another version (job.ts).
 *
 * `code` is a hash of the compiled simulator under dist/sim (what every worker runs): it decides.
 * `project` says which version that is, for people: the git commit of the checkout (`+dirty` with
 * uncommitted changes to tracked files), or outside git (an installed package, a container image
 * built without .git) `impp-sim@<package version>`. A checkout and an image built from the same
 * commit therefore match, and two checkouts with different uncommitted edits do not.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BuildVersion {
  /** git commit (`+dirty` with changes), or `impp-sim@<package version>` without git */
  project: string;
  /** sha256 of dist/sim's compiled code, 12 hex digits (decides whether two versions match) */
  code: string;
  /** process.version of the Node that runs it */
  node: string;
}

function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'tsconfig.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no project root (package.json + tsconfig.json) above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile() && p.endsWith('.js')) out.push(p);
  }
  return out;
}

/** sha256 of the compiled simulator (names and contents of dist/sim/**.js), 12 hex digits. */
export function distHash(root = projectRoot()): string {
  const base = join(root, 'dist', 'sim');
  const h = createHash('sha256');
  for (const f of filesUnder(base).sort()) {
    h.update(relative(base, f));
    h.update('\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 12);
}

function gitVersion(root: string): string | null {
  try {
    const git = (args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git(['rev-parse', 'HEAD']);
    const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return null;
  }
}

let cached: BuildVersion | null = null;

/** This process's version (computed once). */
export function buildVersion(): BuildVersion {
  if (cached !== null) return cached;
  const root = projectRoot();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  cached = { project: gitVersion(root) ?? `impp-sim@${pkg.version}`, code: distHash(root), node: process.version };
  return cached;
}

/** Why a run stamped `theirs` must not run here (null when it may). */
export function versionMismatch(theirs: BuildVersion, mine: BuildVersion = buildVersion()): string | null {
  const diff: string[] = [];
  if (theirs.code !== mine.code) diff.push(`impp-sim ${theirs.project}, code ${theirs.code} (this worker: ${mine.project}, code ${mine.code})`);
  if (theirs.node !== mine.node) diff.push(`Node ${theirs.node} (this worker: ${mine.node})`);
  return diff.length === 0 ? null : `the run comes from ${diff.join(' and ')}; same seed, same report holds only for the same code: run workers from the coordinator's commit and Node`;
}
