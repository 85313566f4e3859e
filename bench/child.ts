/**
 * Runs one measurement of a benchmark in a child process, so that its peak resident set size is
 * its own: the child (this same bench entry point, with `--child`) prints one line
 * `RESULT <json>` with its figures and process.resourceUsage().maxRSS.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./index.js', import.meta.url));
const MARK = 'RESULT ';

/** In the child: prints the figures with the process's peak RSS in bytes. */
export function reportToParent(figures: Record<string, unknown>): void {
  process.stdout.write(`${MARK}${JSON.stringify({ ...figures, peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
}

/** In the parent: runs `bench <args> --child` with extra environment and returns its figures. */
export function runChild<T>(args: string[], env: Record<string, string> = {}): Promise<T & { peakRssBytes: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY, ...args, '--child'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => (out += s));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(MARK));
      if (code !== 0 || line === undefined) {
        reject(new Error(`bench ${args.join(' ')} exited with status ${code}${line === undefined ? ' without a result' : ''}`));
        return;
      }
      resolve(JSON.parse(line.slice(MARK.length)) as T & { peakRssBytes: number });
    });
  });
}
