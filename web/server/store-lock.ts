/**
 * One server per data folder: `impp-sim.lock` holds the process id of the server that owns the
 * store. A second server (on any port) that finds a live owner refuses to start before it touches
 * the store, so it cannot mark the owner's live runs interrupted. A lock left by a process that
 * died (kill -9) is taken over. Locks taken in this process are tracked too (tests open several
 * apps in one process).
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from './store-errors.js';

const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class StoreLock {
  readonly file: string;
  private held = false;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'impp-sim.lock');
  }

  acquire(): void {
    if (heldHere.has(this.file)) throw this.busy(process.pid);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.file, 'wx');
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        this.held = true;
        heldHere.add(this.file);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      let pid = NaN;
      try {
        pid = Number.parseInt(readFileSync(this.file, 'utf8'), 10);
      } catch {
        // unreadable: treat as stale
      }
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw this.busy(pid);
      rmSync(this.file, { force: true });
    }
    throw new StoreError('open', `cannot take the lock ${this.file}; remove it if no impp-sim server uses this folder`);
  }

  private busy(pid: number): StoreError {
    return new StoreError(
      'open',
      `another impp-sim server (process ${pid}) uses the data folder of ${this.file}; stop it, or give this one another --data folder`,
    );
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    heldHere.delete(this.file);
    try {
      rmSync(this.file, { force: true });
    } catch {
      // the folder went away (or became a file) under the server: nothing is left to release
    }
  }
}
