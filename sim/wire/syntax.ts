/**
 * Small lexical checks shared by the PIDF and message/cpim codecs: absolute
 * URIs, RFC 3066 language tags, RFC 3339 date-times, and the simulator's
 * clock-to-RFC-3339 conversion.
 */

/**
 * Absolute URI (RFC 3986 s.3 `scheme ":" hier-part`, which also covers the
 * RFC 2396 absoluteURI that RFC 3862 cites): a scheme, a colon and at least one
 * more character, drawn only from the characters a URI may contain; every `%`
 * must start a two-digit hex escape. Addresses in presence and IM (`pres:`,
 * `im:`, `sip:`, `tel:`, `mailto:`) are always absolute, and both RFC 3863
 * (entity, contact) and RFC 3862 (From/To/cc, NS) use them as identifiers, so a
 * relative reference is rejected.
 */
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;

export function isAbsoluteUri(value: string): boolean {
  return ABSOLUTE_URI.test(value) && !BAD_PERCENT.test(value);
}

/**
 * RFC 3066 s.2.1: `Primary-subtag *( "-" Subtag )`, primary 1*8ALPHA, subtags
 * 1*8(ALPHA / DIGIT). Both PIDF (`xml:lang`, RFC 3863 s.4.1) and message/cpim
 * (`;lang=`, RFC 3862 s.3.3) use this syntax.
 */
const LANGUAGE_TAG = /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/;

export function isLanguageTag(value: string): boolean {
  return LANGUAGE_TAG.test(value);
}

/**
 * RFC 3339 s.5.6 `date-time`: full-date "T" full-time, with a mandatory offset.
 * RFC 3339 allows lower-case `t`/`z`; PIDF (RFC 3863 s.4.1, timestamp) demands
 * upper case, so callers choose with `upperCaseOnly`.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})([Tt])(\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function isRfc3339DateTime(value: string, upperCaseOnly: boolean): boolean {
  const m = RFC3339.exec(value);
  if (m === null) return false;
  const [, y, mo, d, t, h, mi, s, , zone, oh, om] = m;
  if (upperCaseOnly && (t !== 'T' || zone === 'z')) return false;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12) return false;
  if (day < 1 || day > daysInMonth(year, month)) return false;
  if (hour > 23 || minute > 59) return false;
  // RFC 3339 s.5.7: a leap second (60) can only be the last second of a minute.
  if (second > 60 || (second === 60 && minute !== 59)) return false;
  if (oh !== undefined && om !== undefined && (Number(oh) > 23 || Number(om) > 59)) return false;
  return true;
}

/** Start of every simulation run: simulated time 0 is 2026-01-01T00:00:00Z. */
export const SIM_EPOCH_MS = Date.UTC(2026, 0, 1, 0, 0, 0, 0);

/**
 * Simulated milliseconds since the run epoch -> RFC 3339 string in UTC with
 * millisecond precision and upper-case `T`/`Z` (valid for PIDF timestamps and
 * CPIM DateTime). Millisecond precision keeps successive documents of one
 * presentity from sharing a timestamp (RFC 3863 s.4.1 forbids that) even when
 * they are a few ms apart. Deterministic: no wall clock involved.
 */
export function simTimeToRfc3339(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`simTimeToRfc3339: simulated time must be finite, got ${ms}`);
  const date = new Date(SIM_EPOCH_MS + Math.floor(ms));
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) {
    throw new RangeError(`simTimeToRfc3339: ${ms} ms from the epoch falls outside years 0000-9999`);
  }
  // toISOString is always UTC, `YYYY-MM-DDTHH:mm:ss.sssZ` for years 0-9999.
  return date.toISOString();
}
