/**
 * multipart/related bodies (RFC 2387 over RFC 2046 s.5.1) as RFC 4662 resource list servers send
 * them: the root part (named by the `start` parameter, of media type `type`) is the RLMI
 * document, each other part the state of one resource, named by its Content-ID.
 *
 * Canonical form: every part has Content-Transfer-Encoding binary, Content-ID and Content-Type
 * headers (CRLF line ends), a blank line and the body; a delimiter line `--boundary` before each
 * part and `--boundary--` after the last. Boundaries and Content-IDs come from ids.ts (fixed
 * width), so the bytes of a body are a fixed framing per part plus the bodies' bytes
 * (multipartPartBytes, multipartCloseBytes, measured once per shape on a real encoding).
 */
import { WireError } from './errors.js';
import { fixedId } from './ids.js';
import { ShapeSizes } from './shape-cache.js';

export interface MimePart {
  /** without angle brackets */
  contentId: string;
  contentType: string;
  body: string;
}
export interface MultipartRelated {
  boundary: string;
  /** media type of the root part (RFC 2387 s.3.1) */
  type: string;
  parts: MimePart[];
}

/** a fixed-width boundary (RFC 2046 s.5.1.1: 1 to 70 characters) */
export const mimeBoundary = (n: number): string => `b${fixedId(n)}`;
/** a fixed-width Content-ID `id@host` */
export const mimeContentId = (n: number, host: string): string => `${fixedId(n)}@${host}`;

const bad = (message: string, line?: number): never => {
  throw new WireError('WIRE_ERR_MULTIPART', message, line === undefined ? {} : { line });
};

const partHead = (p: MimePart) => `Content-Transfer-Encoding: binary\r\nContent-ID: <${p.contentId}>\r\nContent-Type: ${p.contentType}\r\n\r\n`;

/** The SIP Content-Type and the body of a multipart/related entity. */
export function encodeMultipartRelated(m: MultipartRelated): { contentType: string; body: string } {
  if (!/^[0-9A-Za-z'()+_,./:=?-]{1,70}$/.test(m.boundary)) bad(`boundary ${JSON.stringify(m.boundary)} is not 1 to 70 boundary characters (RFC 2046 s.5.1.1)`);
  if (m.parts.length === 0) bad('a multipart/related body has at least one part (its root)');
  if (m.parts[0].contentType.split(';')[0] !== m.type) bad(`the root part is ${m.parts[0].contentType}, not the type parameter ${m.type} (RFC 2387 s.3.1)`);
  const delimiter = `--${m.boundary}`;
  let body = '';
  for (const [i, p] of m.parts.entries()) {
    if (!/^[\x21-\x3B\x3D\x3F-\x7E]+@[\x21-\x3B\x3D\x3F-\x7E]+$/.test(p.contentId)) bad(`part ${i + 1}: Content-ID ${JSON.stringify(p.contentId)} is not id@host`);
    if (p.body.includes(delimiter)) bad(`part ${i + 1}: the body holds the boundary ${m.boundary}`);
    body += `${delimiter}\r\n${partHead(p)}${p.body}\r\n`;
  }
  body += `${delimiter}--\r\n`;
  return { contentType: `multipart/related;type="${m.type}";start="<${m.parts[0].contentId}>";boundary="${m.boundary}"`, body };
}

const len = (s: string) => Buffer.byteLength(s, 'utf8');
const framing = new ShapeSizes<{ boundary: number; cid: number; type: string }>(
  (s) => `${s.boundary}|${s.cid}|${s.type}`,
  (s) => {
    const p = { contentId: `${'c'.repeat(Math.max(1, s.cid - 2))}@h`, contentType: s.type, body: '' };
    const m = { boundary: 'b'.repeat(s.boundary), type: s.type.split(';')[0], parts: [p] };
    return len(encodeMultipartRelated({ ...m, parts: [p, p] }).body) - len(encodeMultipartRelated(m).body);
  },
);
/** Bytes a part adds besides its body: delimiter of `boundaryLength`, headers with a Content-ID of `cidLength` and `contentType`. */
export function multipartPartBytes(boundaryLength: number, cidLength: number, contentType: string): number {
  return framing.size({ boundary: boundaryLength, cid: cidLength, type: contentType });
}
/** Bytes of the close delimiter `--boundary--` and its CRLF. */
export const multipartCloseBytes = (boundaryLength: number): number => boundaryLength + 6;

/** The parameters of a Content-Type value (names lower-cased, quotes removed). */
export function contentTypeParams(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of value.matchAll(/;\s*([A-Za-z0-9_.-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]+)/g)) out[m[1].toLowerCase()] = m[2].startsWith('"') ? m[2].slice(1, -1).replace(/\\(.)/g, '$1') : m[2];
  return out;
}

/** Reads a multipart/related body given its Content-Type (boundary, type, start). */
export function decodeMultipartRelated(contentType: string, body: string): MultipartRelated {
  if (!/^\s*multipart\/related\s*(;|$)/i.test(contentType)) bad(`Content-Type ${JSON.stringify(contentType)} is not multipart/related`);
  const params = contentTypeParams(contentType);
  const boundary = params.boundary ?? bad('the Content-Type has no boundary parameter (RFC 2046 s.5.1.1)');
  const type = params.type ?? bad('the Content-Type has no type parameter (RFC 2387 s.3.1)');
  const delimiter = `--${boundary}`;
  const start = body.indexOf(delimiter);
  if (start < 0) bad(`the body holds no delimiter ${delimiter}`);
  const end = body.indexOf(`\r\n${delimiter}--`, start);
  if (end < 0) bad(`the body has no close delimiter ${delimiter}--`);
  const lineOf = (offset: number) => body.slice(0, offset).split('\n').length;
  const parts: MimePart[] = [];
  let at = start;
  for (const chunk of body.slice(start + delimiter.length, end).split(`\r\n${delimiter}`)) {
    const headEnd = chunk.indexOf('\r\n\r\n');
    if (!chunk.startsWith('\r\n') || headEnd < 0) bad('a part lacks its header block or the blank line after it', lineOf(at));
    const headers: Record<string, string> = {};
    for (const l of chunk.slice(2, headEnd).split('\r\n')) {
      const m = /^([\x21-\x39\x3B-\x7E]+):[ \t]*(.*)$/.exec(l);
      if (m === null) bad(`${JSON.stringify(l.slice(0, 60))} is not a "Name: value" part header`, lineOf(at));
      else headers[m[1].toLowerCase()] = m[2];
    }
    const cid = /^<(.*)>$/.exec(headers['content-id'] ?? '')?.[1] ?? bad('a part has no Content-ID <id> (RFC 2387 s.3.2)', lineOf(at));
    parts.push({ contentId: cid, contentType: headers['content-type'] ?? 'text/plain', body: chunk.slice(headEnd + 4) });
    at += delimiter.length + 2 + chunk.length;
  }
  const root = params.start === undefined ? parts[0] : parts.find((p) => `<${p.contentId}>` === params.start);
  if (root === undefined) bad(`no part has the start Content-ID ${params.start}`);
  else if (root.contentType.split(';')[0].trim().toLowerCase() !== type.toLowerCase()) bad(`the root part is ${root.contentType}, not the type parameter ${type} (RFC 2387 s.3.1)`);
  return { boundary, type, parts };
}
