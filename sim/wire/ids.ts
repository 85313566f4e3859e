/**
 * Fixed-width identifiers for generated protocol messages: SIP Via branches,
 * From/To tags, Call-IDs, entity tags (RFC 3903), watcher ids (RFC 3858).
 * Each is a counter in base 36, zero-padded to ID_WIDTH characters, so every
 * message of one shape has the same length whatever counter produced it and
 * sizes can be computed once per shape (sip-size.ts, watcherinfo-size.ts).
 * Deterministic: callers pass counters (e.g. an LP's message sequence), no
 * randomness or clock is involved.
 */

/** Base-36 digits per identifier: 36^10 (about 3.7e15) distinct values. */
export const ID_WIDTH = 10;
const ID_LIMIT = 36 ** ID_WIDTH;

/** RFC 3261 s.8.1.1.7: a branch starts with this magic cookie. */
export const BRANCH_COOKIE = 'z9hG4bK';

export function fixedId(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || n >= ID_LIMIT) {
    throw new RangeError(`identifier counter must be an integer in [0, 36^${ID_WIDTH}), got ${n}`);
  }
  return n.toString(36).padStart(ID_WIDTH, '0');
}

/** Via branch: the RFC 3261 cookie plus ID_WIDTH characters (17 in all). */
export function sipBranch(n: number): string {
  return BRANCH_COOKIE + fixedId(n);
}

/** From/To tag (RFC 3261 s.19.3). */
export function sipTag(n: number): string {
  return fixedId(n);
}

/** Call-ID `id@host` (RFC 3261 s.8.1.1.4). */
export function sipCallId(n: number, host: string): string {
  return `${fixedId(n)}@${host}`;
}

/** SIP-ETag entity tag (RFC 3903 s.11.3). */
export function sipEtag(n: number): string {
  return `e${fixedId(n)}`;
}

/** Watcher id in watcherinfo (RFC 3858: identifies the subscription). */
export function watcherId(n: number): string {
  return `w${fixedId(n)}`;
}

/** Instance id of a back-end subscription in RLMI (RFC 4662 s.5.2: unique within the list). */
export function rlmiInstanceId(n: number): string {
  return `i${fixedId(n)}`;
}
