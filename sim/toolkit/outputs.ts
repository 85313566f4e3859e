/**
 * Output files of the CLI (--json, --csv, --html, --md) are checked before anything runs: a path
 * that is a directory, lies in a folder that does not exist or cannot be written fails in a
 * second with SIM_ERR_OUTPUT (exit 2), not after an hour of simulation.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SimError } from '../errors.js';

function fail(option: string, path: string, why: string): SimError {
  return new SimError('SIM_ERR_OUTPUT', `${option} ${path}: ${why}`, { option, path });
}

function errno(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

/** Throws SIM_ERR_OUTPUT unless `path` can be created or overwritten as a file. */
export function checkWritable(option: string, path: string): void {
  if (path.trim() === '') throw fail(option, JSON.stringify(path), 'needs a file name');
  const abs = resolve(path);
  let exists = true;
  try {
    if (statSync(abs).isDirectory()) throw fail(option, path, 'is a directory; give a file name inside it');
  } catch (e) {
    if (e instanceof SimError) throw e;
    if (errno(e) !== 'ENOENT') throw fail(option, path, `cannot be written (${errno(e)})`);
    exists = false;
  }
  const target = exists ? abs : dirname(abs);
  if (!exists) {
    try {
      if (!statSync(target).isDirectory()) throw fail(option, path, `${target} is not a folder`);
    } catch (e) {
      if (e instanceof SimError) throw e;
      throw fail(option, path, `the folder ${target} does not exist`);
    }
  }
  try {
    accessSync(target, constants.W_OK);
  } catch (e) {
    throw fail(option, path, `cannot be written (${errno(e)})`);
  }
}

/** Checks every given output option, e.g. `{ '--json': values.json, '--html': values.html }`. */
export function checkOutputs(outputs: Record<string, string | undefined>): void {
  for (const [option, path] of Object.entries(outputs)) if (path !== undefined) checkWritable(option, path);
}
