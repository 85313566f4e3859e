/**
 * Bytes of watcherinfo bodies (RFC 3858) per shape, measured on the real
 * encoding of a representative document, memoised per shape.
 */
import { watcherId } from './ids.js';
import { ShapeSizes, numberOfDigits, shapeCount, uriOfLength } from './shape-cache.js';
import { encodeWatcherinfo, type Watcher, type WatcherEvent, type WatcherStatus, type WatcherinfoDocument } from './watcherinfo.js';

export interface WatcherinfoShape {
  /** Characters of the watched resource URI (sip:); values below 7 (`sip:u@d`) count as 7. */
  resourceLength: number;
  /** Watchers listed (one watcher-list; 0 gives an empty list). */
  watchers: number;
  /** Characters of each watcher URI (sip:); values below 7 count as 7. */
  watcherLength: number;
  status: WatcherStatus;
  event: WatcherEvent;
  /** Digits of the version counter; default 1. */
  versionDigits?: number;
  /** Characters of a display-name on each watcher; 0 or absent: none. */
  displayNameLength?: number;
  /** Digits of an expiration attribute on each watcher; 0 or absent: none. */
  expirationDigits?: number;
  /** Digits of a duration-subscribed attribute on each watcher; 0 or absent: none. */
  durationDigits?: number;
  /** state="partial" instead of "full". */
  partial?: boolean;
}

/** The document whose encoding `watcherinfoSize` measures; watcher ids come from ids.ts (fixed width). */
export function representativeWatcherinfo(shape: WatcherinfoShape): WatcherinfoDocument {
  const n = shapeCount('watchers', shape.watchers);
  const nameLength = shapeCount('displayNameLength', shape.displayNameLength ?? 0);
  const expDigits = shapeCount('expirationDigits', shape.expirationDigits ?? 0);
  const durDigits = shapeCount('durationDigits', shape.durationDigits ?? 0);
  const watchers: Watcher[] = [];
  for (let i = 0; i < n; i++) {
    const w: Watcher = { id: watcherId(i), status: shape.status, event: shape.event, uri: uriOfLength('sip', shapeCount('watcherLength', shape.watcherLength)) };
    if (nameLength > 0) w.displayName = 'n'.repeat(nameLength);
    if (expDigits > 0) w.expiration = numberOfDigits(expDigits);
    if (durDigits > 0) w.durationSubscribed = numberOfDigits(durDigits);
    watchers.push(w);
  }
  return {
    version: numberOfDigits(shapeCount('versionDigits', shape.versionDigits ?? 1)),
    state: shape.partial === true ? 'partial' : 'full',
    lists: [{ resource: uriOfLength('sip', shapeCount('resourceLength', shape.resourceLength)), package: 'presence', watchers }],
  };
}

const sizes = new ShapeSizes<WatcherinfoShape>(
  (s) =>
    [s.resourceLength, s.watchers, s.watcherLength, s.status, s.event, s.versionDigits ?? 1, s.displayNameLength ?? 0, s.expirationDigits ?? 0, s.durationDigits ?? 0, s.partial === true ? 1 : 0].join('|'),
  (s) => Buffer.byteLength(encodeWatcherinfo(representativeWatcherinfo(s)), 'utf8'),
);

/** Bytes (UTF-8) of an application/watcherinfo+xml body of this shape. */
export function watcherinfoSize(shape: WatcherinfoShape): number {
  return sizes.size(shape);
}

export function clearWatcherinfoSizeCache(): void {
  sizes.clear();
}
