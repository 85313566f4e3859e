#!/usr/bin/env node
// Package binary: runs the compiled command-line tool (build with `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/sim/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('impp-sim: the tool is not built yet; run `npm run build` in the package folder first\n');
  process.exit(2);
}
await import(cli);
