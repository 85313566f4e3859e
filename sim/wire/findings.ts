/**
 * Decode modes and what a decoder found besides the document.
 *
 * - `strict`: every violation of the format's RFC is a WireError (the
 *   gatekeeper reading; the simulator's own encodings always pass it).
 * - `lenient`: what deployed servers and clients accept is decoded anyway;
 *   each violation becomes a `WireViolation` (the code strict mode would
 *   raise, the RFC section, the place) and a warning line. Input that is not
 *   well-formed XML, or that lacks what the document is about (a PIDF entity,
 *   a SIP start line), is refused in both modes.
 */
import { WireError, type WireErrorCode, type WireErrorLocation } from './errors.js';

export type DecodeMode = 'strict' | 'lenient';

export interface DecodeOptions {
  /** Default `strict`. */
  mode?: DecodeMode;
}

/** One rule a lenient decode let pass. */
export interface WireViolation {
  /** The error strict mode raises for it. */
  code: WireErrorCode;
  /** The rule's source, e.g. `RFC 3863 s.4.4`. */
  rfc: string;
  message: string;
  path?: string;
  line?: number;
  column?: number;
}

export interface DecodeFindings {
  /** Every finding as a line of text: advisories and, in lenient mode, each violation with its RFC section. */
  warnings: string[];
  /** The violations a lenient decode let pass (always empty in strict mode). */
  violations: WireViolation[];
}

function where(loc: WireErrorLocation): string {
  const parts: string[] = [];
  if (loc.header !== undefined) parts.push(`header ${loc.header}`);
  if (loc.path !== undefined) parts.push(loc.path);
  if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  return parts.length === 0 ? '' : ` (at ${parts.join(', ')})`;
}

export function decodeMode(options: DecodeOptions | undefined): DecodeMode {
  const mode = options?.mode ?? 'strict';
  if (mode !== 'strict' && mode !== 'lenient') throw new RangeError(`decode mode must be 'strict' or 'lenient', got ${JSON.stringify(mode)}`);
  return mode;
}

/** Collects warnings; `violate` throws in strict mode and records in lenient mode. */
export class Findings implements DecodeFindings {
  readonly warnings: string[] = [];
  readonly violations: WireViolation[] = [];

  constructor(readonly mode: DecodeMode) {}

  warn(message: string): void {
    this.warnings.push(message);
  }

  /** A rule broken: throws `WireError(code, message)` in strict mode; otherwise records it and returns. */
  violate(code: WireErrorCode, rfc: string, message: string, loc: WireErrorLocation = {}): void {
    if (this.mode === 'strict') throw new WireError(code, message, loc);
    const v: WireViolation = { code, rfc, message };
    if (loc.path !== undefined) v.path = loc.path;
    if (loc.line !== undefined) v.line = loc.line;
    if (loc.column !== undefined) v.column = loc.column;
    this.violations.push(v);
    this.warnings.push(`violates ${rfc}: ${message}${where(loc)}; accepted in lenient mode`);
  }

  result(): DecodeFindings {
    return { warnings: this.warnings, violations: this.violations };
  }
}
