/**
 * Decoding a whole message/cpim object (RFC 3862 s.2): the optional outer
 * MIME headers, the message headers, the encapsulated entity's headers and
 * its content, kept byte for byte.
 */
import { WireError } from './errors.js';
import { analyzeHeaders } from './cpim-headers.js';
import { parseHeaderLine } from './cpim-header-line.js';
import { LineReader, bareLfWarning } from './cpim-lines.js';
import type { CpimDecodeOptions, CpimMessage, MimeHeader } from './cpim-model.js';
import { checkContentType, parseMimeBlock, type LocatedMime } from './mime-headers.js';

/**
 * Decode a message/cpim object (body form or complete MIME entity, see the
 * module comment). Throws WireError naming the line and header on any
 * violation of RFC 3862 or of this profile.
 */
export function decodeCpimMessage(text: string, options: CpimDecodeOptions = {}): CpimMessage {
  const reader = new LineReader(text);
  const warnings: string[] = [];
  let first = reader.block();
  let mime: LocatedMime[] | undefined;
  const contentTypeLine = first.lines.find((l) => /^content-type:/i.test(l.text));
  const fromLine = first.lines.find((l) => l.text.startsWith('From:'));
  if (contentTypeLine !== undefined && fromLine !== undefined) {
    // Both kinds of header in one block: one of the separating blank lines is missing.
    const cpimFirst = fromLine.number < contentTypeLine.number;
    throw new WireError(
      'WIRE_ERR_CPIM_MISSING_SEPARATOR',
      cpimFirst
        ? `a Content-Type header appears among the message headers (From is on line ${fromLine.number}); the blank line before the encapsulated content is missing`
        : `the outer MIME headers run into the message headers (From is on line ${fromLine.number}); the blank line after the MIME headers is missing`,
      { line: cpimFirst ? contentTypeLine.number : fromLine.number, header: cpimFirst ? 'Content-Type' : 'From' },
    );
  }
  if (contentTypeLine !== undefined) {
    mime = parseMimeBlock(first.lines, 'outer MIME headers');
    const ct = checkContentType(mime, 'outer MIME headers', 1);
    if (ct.type !== 'message' || ct.subtype !== 'cpim') {
      throw new WireError('WIRE_ERR_CPIM_NOT_CPIM_ENVELOPE', `the outer Content-Type is ${ct.type}/${ct.subtype}, not message/cpim`, {
        line: mime.find((h) => h.name.toLowerCase() === 'content-type')?.line ?? 1,
      });
    }
    if (ct.params.trim() !== '') warnings.push('the outer Content-Type has parameters; message/cpim is registered without any (RFC 3862 s.7.1)');
    if (!first.ended) {
      throw new WireError('WIRE_ERR_CPIM_MISSING_SEPARATOR', 'the input ends after the outer MIME headers; message headers and content are missing', {
        line: reader.nextLineNumber,
      });
    }
    first = reader.block();
  }
  const headerBlock = first;
  const headerStart = headerBlock.lines[0]?.number ?? reader.nextLineNumber;
  const raws = headerBlock.lines.map(parseHeaderLine);
  if (!headerBlock.ended) {
    throw new WireError(
      'WIRE_ERR_CPIM_MISSING_SEPARATOR',
      'the message headers are not followed by a blank line and the encapsulated MIME entity (RFC 3862 s.2)',
      { line: reader.nextLineNumber },
    );
  }
  const analyzed = analyzeHeaders(raws, headerStart, options);

  const contentStart = reader.nextLineNumber;
  const contentBlock = reader.block();
  const contentHeaders = parseMimeBlock(contentBlock.lines, 'encapsulated content headers');
  checkContentType(contentHeaders, 'encapsulated content headers', contentStart);
  let body = '';
  if (contentBlock.ended) body = text.slice(reader.offset);
  else warnings.push('the encapsulated entity has headers but no blank line and no content; read as an empty body');

  warnings.unshift(...bareLfWarning(reader.bareLf));
  warnings.push(...analyzed.warnings);
  const strip = (hs: LocatedMime[]): MimeHeader[] => hs.map(({ name, value }) => ({ name, value }));
  const message: CpimMessage = { headers: analyzed.headers, content: { headers: strip(contentHeaders), body } };
  if (mime !== undefined) message.mime = strip(mime);
  if (warnings.length > 0) message.warnings = warnings;
  return message;
}
