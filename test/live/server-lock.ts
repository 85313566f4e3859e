/**
 * One test file at a time starts embedded XMPP servers: their clean-up checks look for servers'
 * processes and directories that appeared during a test, and another file's server starting in the
 * meantime would be taken for a leftover. Files that start servers hold this lock (a directory,
 * created atomically, with the holder's pid in it) from beforeAll to afterAll; a lock whose holder
 * has died is taken over.
 */
import { afterAll, beforeAll } from 'vitest';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOCK = join(tmpdir(), 'impp-sim-test-live-servers.lock');
const WAIT_MS = 15 * 60_000;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function acquire(): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
    } catch {
      // the holder is between mkdir and writing its pid, or just released
    }
    if (Number.isInteger(holder) && holder > 0 && !alive(holder)) rmSync(LOCK, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`test/live/server-lock: ${LOCK} held by pid ${holder} for ${WAIT_MS / 60000} min`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function release(): void {
  try {
    if (Number(readFileSync(join(LOCK, 'pid'), 'utf8')) === process.pid) rmSync(LOCK, { recursive: true, force: true });
  } catch {
    // not held
  }
}

/** Holds the lock for the whole test file that calls it (at its top level). */
export function holdLiveServerLock(): void {
  beforeAll(acquire, WAIT_MS + 10_000);
  afterAll(release);
}
