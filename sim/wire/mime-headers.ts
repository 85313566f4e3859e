/**
 * MIME header blocks in a message/cpim object: the outer entity's headers
 * (RFC 3862 s.5.1 form) and the encapsulated content's (s.2.4), read with
 * RFC 5322 s.2.2 field syntax and unfolding as MIME (RFC 2045) uses it, and
 * the Content-Type check.
 */
import { WireError } from './errors.js';
import { CONTENT_TYPE, type MimeHeader } from './cpim-model.js';
import { controlCharColumn, describeControl, type Line } from './cpim-lines.js';

export interface LocatedMime extends MimeHeader {
  line: number;
}

/** RFC 5322 s.2.2 field syntax with s.2.2.3 unfolding, as used by MIME (RFC 2045). */
export function parseMimeBlock(lines: Line[], section: string): LocatedMime[] {
  const out: LocatedMime[] = [];
  for (const l of lines) {
    const ctl = controlCharColumn(l.text, true);
    if (ctl !== -1) {
      throw new WireError('WIRE_ERR_MIME_BAD_HEADER', `control character ${describeControl(l.text, ctl)} in the ${section}`, {
        line: l.number,
        column: ctl,
      });
    }
    if (/^[ \t]/.test(l.text)) {
      const prev = out[out.length - 1];
      if (prev === undefined) {
        throw new WireError('WIRE_ERR_MIME_BAD_HEADER', `the ${section} start with a continuation line (leading whitespace)`, { line: l.number });
      }
      prev.value = (prev.value + l.text).replace(/[ \t]+$/, '');
      continue;
    }
    const m = /^([\x21-\x39\x3B-\x7E]+):(.*)$/.exec(l.text);
    if (m === null || m[1] === undefined || m[2] === undefined) {
      throw new WireError('WIRE_ERR_MIME_BAD_HEADER', `${JSON.stringify(l.text.slice(0, 60))} in the ${section} is not a "Name: value" header`, {
        line: l.number,
      });
    }
    out.push({ name: m[1], value: m[2].replace(/^[ \t]+|[ \t]+$/g, ''), line: l.number });
  }
  return out;
}

export function checkContentType(headers: LocatedMime[], section: string, firstLine: number): { type: string; subtype: string; params: string } {
  const found = headers.filter((h) => h.name.toLowerCase() === 'content-type');
  const first = found[0];
  if (first === undefined) {
    throw new WireError('WIRE_ERR_CPIM_MISSING_CONTENT_TYPE', `the ${section} have no Content-Type header (RFC 3862 s.2.4 requires one)`, {
      line: firstLine,
    });
  }
  const second = found[1];
  if (second !== undefined) {
    throw new WireError('WIRE_ERR_CPIM_DUPLICATE_HEADER', `second Content-Type in the ${section}`, { line: second.line, header: second.name });
  }
  const m = CONTENT_TYPE.exec(first.value);
  if (m === null) {
    throw new WireError('WIRE_ERR_CPIM_BAD_CONTENT_TYPE', `Content-Type ${JSON.stringify(first.value)} is not type/subtype[; parameters]`, {
      line: first.line,
      header: first.name,
    });
  }
  return { type: (m[1] ?? '').toLowerCase(), subtype: (m[2] ?? '').toLowerCase(), params: m[3] ?? '' };
}
