/**
 * Worker threads need JavaScript files. When code runs from TypeScript sources (vitest), a module
 * URL ends in .ts: map it to the compiled twin under dist/ (built by `npm run build`, which
 * `npm test` runs first).
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

function projectRoot(from: string): string {
  let dir = dirname(from);
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'tsconfig.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no project root (package.json + tsconfig.json) above ${from}`);
    dir = up;
  }
}

/** Returns a file URL of a JavaScript module runnable in a worker for the given module URL/path. */
export function runnableModule(moduleUrlOrPath: string): string {
  const file = moduleUrlOrPath.startsWith('file:') ? fileURLToPath(moduleUrlOrPath) : resolve(moduleUrlOrPath);
  if (!file.endsWith('.ts')) return pathToFileURL(file).href;
  const root = projectRoot(file);
  const compiled = join(root, 'dist', relative(root, file)).replace(/\.ts$/, '.js');
  if (!existsSync(compiled)) {
    throw new Error(`worker module ${compiled} is missing: run \`npm run build\` first (it compiles ${relative(root, file)})`);
  }
  return pathToFileURL(compiled).href;
}
