/**
 * What can go wrong with the run store, as one error type with a kind:
 *
 * - `open`: the store cannot be opened at start-up (not a database, damaged, a directory in its
 *   place, a newer schema, a folder that cannot be created or written); the message names the path
 *   and what to do, and the server prints it instead of a stack trace.
 * - `corrupt`: one stored record does not parse; only that record's routes fail (RECORD_CORRUPT).
 * - `unavailable`: the store cannot be written now (disk full, file deleted under the server);
 *   the API answers 503 STORE_UNAVAILABLE.
 */

export type StoreErrorKind = 'open' | 'corrupt' | 'unavailable';

export class StoreError extends Error {
  readonly kind: StoreErrorKind;
  constructor(kind: StoreErrorKind, message: string) {
    super(message);
    this.name = 'StoreError';
    this.kind = kind;
  }
}

export function isStoreError(e: unknown): e is StoreError {
  return e instanceof StoreError;
}

const MOVE_ASIDE = 'move it aside (it is kept for inspection) and start again for a new store, or give another --data folder';

/** Explains an error met while opening the store file (a SqliteError or a file system error). */
export function openProblem(file: string, e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  const code = (e as { code?: string }).code ?? '';
  const msg = (e as Error).message ?? String(e);
  switch (code) {
    case 'SQLITE_NOTADB':
      return new StoreError('open', `${file} is not an SQLite database (${msg}); ${MOVE_ASIDE}`);
    case 'SQLITE_CORRUPT':
      return new StoreError('open', `${file} is damaged or truncated (${msg}); ${MOVE_ASIDE}`);
    case 'SQLITE_READONLY':
      return new StoreError('open', `${file} cannot be written (${msg}); make it and its folder writable, or give another --data folder`);
    case 'SQLITE_FULL':
      return new StoreError('open', `${file} cannot grow: the disk is full (${msg}); free some space or give another --data folder`);
    case 'SQLITE_CANTOPEN':
      return new StoreError('open', `cannot open ${file} (${msg}): it is a directory, or its folder cannot be written; ${MOVE_ASIDE}`);
    case 'ENOTDIR':
    case 'EEXIST':
      return new StoreError('open', `cannot create the data folder for ${file}: part of the path is a file, not a folder (${msg}); give another --data folder`);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new StoreError('open', `cannot create or write the data folder for ${file} (${msg}); make it writable or give another --data folder`);
    default:
      return new StoreError('open', `cannot open the run store ${file}: ${msg}${code ? ` (${code})` : ''}; ${MOVE_ASIDE}`);
  }
}

/** Explains an error met while writing (SQLITE_FULL, SQLITE_IOERR, SQLITE_READONLY, ...). */
export function writeProblem(file: string, e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  const code = (e as { code?: string }).code ?? '';
  const msg = (e as Error).message ?? String(e);
  const hint = code === 'SQLITE_FULL' ? 'free some disk space (or raise the store size limit) and the next write succeeds' : 'see the server log';
  return new StoreError('unavailable', `the run store ${file} cannot be written: ${msg}${code ? ` (${code})` : ''}; ${hint}`);
}
