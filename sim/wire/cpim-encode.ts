/**
 * Encoding message/cpim canonically (RFC 3862), and assembling a message from
 * its parts in the canonical header order.
 */
import { WireError } from './errors.js';
import { decodeCpimMessage } from './cpim-decode.js';
import { escapeCpim } from './cpim-escape.js';
import { CORE_BY_KIND, TOKEN_FORMAL_NAME, type CpimAddress, type CpimHeader, type CpimMessage, type CpimParam, type MimeHeader } from './cpim-model.js';

function formalName(address: CpimAddress): string {
  if (address.name === undefined) return '';
  if (TOKEN_FORMAL_NAME.test(address.name)) return `${address.name} `;
  return `"${escapeCpim(address.name, true)}"`;
}

function headerLine(h: CpimHeader): string {
  const name = (h.prefix === undefined ? '' : `${h.prefix}.`) + (h.kind === 'extension' ? h.name : CORE_BY_KIND[h.kind]);
  switch (h.kind) {
    case 'from':
    case 'to':
    case 'cc':
      return `${name}: ${formalName(h.address)}<${h.address.uri}>`;
    case 'dateTime':
      return `${name}: ${h.value}`;
    case 'subject':
      return `${name}:${h.lang === undefined ? '' : `;lang=${h.lang}`} ${escapeCpim(h.text, false)}`;
    case 'ns':
      return `${name}: ${h.declaredPrefix === undefined ? '' : `${h.declaredPrefix} `}<${h.uri}>`;
    case 'require':
      return `${name}: ${h.names.join(',')}`;
    case 'extension':
      return `${name}:${h.params.map((p) => `;${p.name}=${p.value}`).join('')} ${h.value}`;
  }
}

/**
 * Encode canonically: CRLF line ends, headers in the given order, exactly one
 * space after each colon, escapes per RFC 3862 s.2.3.1, a quoted Formal-name
 * only when the name is not a sequence of tokens. The result is checked by
 * decoding it (Require is not enforced: the sender defines its own features),
 * so the encoder never emits a message the decoder rejects; a WireError from
 * that check is rethrown with the line of the offending header.
 */
export function encodeCpimMessage(msg: CpimMessage): string {
  const lines: string[] = [];
  if (msg.mime !== undefined) {
    for (const h of msg.mime) lines.push(`${h.name}: ${h.value}`);
    lines.push('');
  }
  for (const h of msg.headers) lines.push(headerLine(h));
  lines.push('');
  for (const h of msg.content.headers) lines.push(`${h.name}: ${h.value}`);
  const text = `${lines.join('\r\n')}\r\n\r\n${msg.content.body}`;
  try {
    decodeCpimMessage(text, { unknownRequire: 'ignore' });
  } catch (e) {
    if (e instanceof WireError) {
      const loc: { line?: number; header?: string } = {};
      if (e.line !== undefined) loc.line = e.line;
      if (e.header !== undefined) loc.header = e.header;
      throw new WireError(e.code, `cannot encode: ${e.detail}`, loc);
    }
    throw e;
  }
  return text;
}

export interface CpimMessageInput {
  from: CpimAddress;
  to: CpimAddress[];
  cc?: CpimAddress[];
  dateTime?: string;
  subjects?: { text: string; lang?: string }[];
  /** NS declarations, emitted after the core headers and before Require and the extensions that use them. */
  namespaces?: { prefix?: string; uri: string }[];
  require?: string[];
  extensions?: { prefix?: string; name: string; params?: CpimParam[]; value: string }[];
  contentType: string;
  /** Further content headers (Content-ID ...), after Content-Type. */
  contentHeaders?: MimeHeader[];
  body: string;
  /** Wrap in the outer `Content-Type: message/cpim` header (complete MIME entity form). */
  envelope?: boolean;
}

/**
 * Assemble a message in the canonical header order From, To, cc, DateTime,
 * Subject, NS, Require, extensions (the order of the RFC 3862 s.5.1 example),
 * so that every prefix is declared before use.
 */
export function buildCpimMessage(input: CpimMessageInput): CpimMessage {
  const headers: CpimHeader[] = [{ kind: 'from', address: input.from }];
  for (const address of input.to) headers.push({ kind: 'to', address });
  for (const address of input.cc ?? []) headers.push({ kind: 'cc', address });
  if (input.dateTime !== undefined) headers.push({ kind: 'dateTime', value: input.dateTime });
  for (const s of input.subjects ?? []) {
    const subject: CpimHeader = { kind: 'subject', text: s.text };
    if (s.lang !== undefined) subject.lang = s.lang;
    headers.push(subject);
  }
  for (const n of input.namespaces ?? []) {
    const ns: CpimHeader = { kind: 'ns', uri: n.uri };
    if (n.prefix !== undefined) ns.declaredPrefix = n.prefix;
    headers.push(ns);
  }
  if (input.require !== undefined && input.require.length > 0) headers.push({ kind: 'require', names: [...input.require] });
  for (const x of input.extensions ?? []) {
    const ext: CpimHeader = { kind: 'extension', name: x.name, params: x.params ?? [], value: x.value };
    if (x.prefix !== undefined) ext.prefix = x.prefix;
    headers.push(ext);
  }
  const message: CpimMessage = {
    headers,
    content: { headers: [{ name: 'Content-Type', value: input.contentType }, ...(input.contentHeaders ?? [])], body: input.body },
  };
  if (input.envelope === true) message.mime = [{ name: 'Content-Type', value: 'message/cpim' }];
  return message;
}
