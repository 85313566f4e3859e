/**
 * Where the server finds the repository's files, from the TypeScript source (web/server/*.ts,
 * under vitest) and from the compiled twin (dist/web/server/*.js) alike: walk up to the folder
 * that holds package.json.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function repoRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      root = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the repository root (package.json) above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** The dashboard's static files (the only folder the server serves files from). */
export function publicDir(): string {
  return join(repoRoot(), 'web', 'public');
}
