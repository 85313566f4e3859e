/**
 * Where a benchmark ran, written into every bench JSON (`environment`): the machine (CPU model,
 * cores, memory, OS), the Node version and the commit, so that figures from two machines or two
 * versions are never compared blind.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

export interface BenchEnvironment {
  machine: { cpu: string; cores: number; memoryGiB: number; os: string; arch: string };
  node: string;
  /** the git commit of the working tree (with `+dirty` when it has changes), or null outside git */
  commit: string | null;
}

function commit(): string | null {
  try {
    const run = (args: string[]) => execFileSync('git', args, { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = run(['rev-parse', 'HEAD']);
    const dirty = run(['status', '--porcelain', '--untracked-files=no']) !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return null;
  }
}

export function benchEnvironment(): BenchEnvironment {
  return {
    machine: { cpu: cpus()[0]?.model.trim() ?? 'unknown', cores: availableParallelism(), memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10, os: `${platform()} ${release()}`, arch: arch() },
    node: process.version,
    commit: commit(),
  };
}

/** Writes a benchmark's JSON with its environment. */
export function writeBenchJson(file: string, doc: object): void {
  writeFileSync(file, JSON.stringify({ ...doc, environment: benchEnvironment() }, null, 2) + '\n');
}
