/**
 * message/cpim (RFC 3862): strict decoder, canonical encoder, and a builder.
 *
 * Layout (RFC 3862 s.2): [MIME headers of the whole object, blank line]
 * message headers, blank line, encapsulated MIME entity (headers, blank line,
 * content). Two forms are accepted, matching the two derived fixtures:
 * - the *body form* (`cpim-rfc3862-example1.cpim`): what a transport such as
 *   SIP MESSAGE or MSRP SEND carries after its own `Content-Type:
 *   message/cpim`; it starts with the message headers;
 * - the *entity form* (`cpim-rfc3862-example1.mime`): the complete MIME entity
 *   of RFC 3862 s.5.1, starting with `Content-type: Message/CPIM`.
 * The entity form is recognised when the first header block contains a MIME
 * `Content-Type` header (MIME names are case-insensitive); message headers
 * never carry one (RFC 3862 s.2.4 puts the content type in the encapsulated
 * entity). Its outer headers are kept in `mime`.
 *
 * Message headers follow the s.3.6 grammar strictly: one header per line, no
 * folding, `Name:` + optional `;param=value` + exactly one space + value, no
 * trailing whitespace, no raw control characters, case-sensitive names,
 * namespace prefixes declared by an earlier `NS` header. Lines must end with
 * CRLF; a bare LF is accepted (fixtures extracted from RFC text use it) and
 * reported in `warnings`. The body is opaque octets and kept byte-for-byte.
 *
 * RFC 3862 s.6 leaves it to each profile to say which headers are required.
 * This profile (the CPIM message operation of RFC 3860 needs an originator
 * and a destination) requires exactly one From, at least one To, at most one
 * DateTime and at most one Subject per language.
 */
import { WireError } from './errors.js';
import { isAbsoluteUri, isLanguageTag, isRfc3339DateTime } from './syntax.js';

/** Default namespace of every RFC 3862 header (s.3.4). */
export const CPIM_HEADERS_NS = 'urn:ietf:params:cpim-headers:';

export interface MimeHeader {
  /** As written (MIME header names are case-insensitive; the case is kept). */
  name: string;
  /** Unfolded value without the leading and trailing whitespace. */
  value: string;
}

export interface CpimAddress {
  /** Formal-name: the real-world name; absent when the header has only `<URI>`. */
  name?: string;
  uri: string;
}

/** An extension parameter `;name=value`; `value` is raw (a Token, or a quoted String with its quotes and escapes). */
export interface CpimParam {
  name: string;
  value: string;
}

/**
 * One message header, in message order. `prefix` is the namespace prefix of
 * the header's own name (`MyFeatures` in `MyFeatures.VitalMessageOption`);
 * core headers normally have none.
 */
export type CpimHeader =
  | { kind: 'from'; prefix?: string; address: CpimAddress }
  | { kind: 'to'; prefix?: string; address: CpimAddress }
  | { kind: 'cc'; prefix?: string; address: CpimAddress }
  | { kind: 'dateTime'; prefix?: string; value: string }
  | { kind: 'subject'; prefix?: string; text: string; lang?: string }
  /** `NS: [declaredPrefix] <uri>`; without declaredPrefix it resets the default namespace. */
  | { kind: 'ns'; prefix?: string; declaredPrefix?: string; uri: string }
  /** Header names as written, e.g. `MyFeatures.VitalMessageOption`. */
  | { kind: 'require'; prefix?: string; names: string[] }
  /** Any other header; `value` is kept exactly as on the wire (escapes not decoded). */
  | { kind: 'extension'; prefix?: string; name: string; params: CpimParam[]; value: string };

export interface CpimContent {
  /** Headers of the encapsulated MIME entity; one of them is Content-Type (RFC 3862 s.2.4). */
  headers: MimeHeader[];
  /** Content, byte-for-byte (line ends untouched). */
  body: string;
}

export interface CpimMessage {
  /** Outer MIME headers, present only for the complete-entity form. */
  mime?: MimeHeader[];
  headers: CpimHeader[];
  content: CpimContent;
  /** Non-fatal findings of the decoder; absent when there are none. Ignored by the encoder. */
  warnings?: string[];
}

export interface CpimDecodeOptions {
  /**
   * Full names (namespace URI + name, RFC 3862 s.3.4; see `cpimHeaderUrn`) of
   * headers and features this receiver understands besides the core headers,
   * for the `Require` check.
   */
  understood?: Iterable<string>;
  /**
   * What to do when `Require` lists something not understood (RFC 3862 s.3.5:
   * the message cannot be processed correctly). 'error' (default) rejects the
   * message; 'warn' records it in warnings (used by inspect, which displays
   * rather than processes); 'ignore' says nothing (used by the encoder's
   * self-check: the sender defines its own features).
   */
  unknownRequire?: 'error' | 'warn' | 'ignore';
}

const CORE_NAMES: ReadonlyMap<string, CpimHeader['kind']> = new Map([
  ['From', 'from'],
  ['To', 'to'],
  ['cc', 'cc'],
  ['DateTime', 'dateTime'],
  ['Subject', 'subject'],
  ['NS', 'ns'],
  ['Require', 'require'],
] as const);
const CORE_BY_KIND: Record<Exclude<CpimHeader['kind'], 'extension'>, string> = {
  from: 'From',
  to: 'To',
  cc: 'cc',
  dateTime: 'DateTime',
  subject: 'Subject',
  ns: 'NS',
  require: 'Require',
};

// RFC 3862 s.3.6: NAMECHAR is US-ASCII without ".", CTLs and SEPARATORS; TOKENCHAR adds ".".
const NAMECHARS = "!#$%&'*+\\-^_`|~A-Za-z0-9";
const NAME = `[${NAMECHARS}]+`;
const TOKEN = `[${NAMECHARS}.]+`;
const HEADER_NAME = new RegExp(`^(?:(${NAME})\\.)?(${NAME})$`);
const TOKEN_FORMAL_NAME = new RegExp(`^${TOKEN}(?: ${TOKEN})*$`);
const TOKEN_AT_START = new RegExp(`^${TOKEN}`);
const TOKEN_NAME_PREFIX = new RegExp(`^(?:${TOKEN} )+`);
const PARAM_START = new RegExp(`^;(${NAME})=`);
const NS_VALUE = new RegExp(`^(?:(${NAME}) ?)?<([^<>]*)>$`);
const MIME_TOKEN = "[!#$%&'*+\\-.^_`{|}~0-9A-Za-z]+";
const CONTENT_TYPE = new RegExp(`^(${MIME_TOKEN})/(${MIME_TOKEN})[ \\t]*(;.*)?$`);

/** Full name of a header in a namespace (RFC 3862 s.3.4): namespace URI followed by the %-escaped name. */
export function cpimHeaderUrn(namespace: string, name: string): string {
  return namespace + name.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

// ---------------------------------------------------------------------------
// Escapes (RFC 3862 s.2.3)
// ---------------------------------------------------------------------------

/** Decode Java-style escapes. Unknown `\x` reads as `x` and a final lone backslash is dropped (s.2.3 SHOULDs). */
export function unescapeCpim(value: string): string {
  if (!value.includes('\\')) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? '';
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = value[i + 1];
    if (next === undefined) break;
    i++;
    switch (next) {
      case 'b':
        out += '\b';
        break;
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 'u': {
        const hex = value.slice(i + 1, i + 5);
        if (/^[0-9A-Fa-f]{4}$/.test(hex)) {
          out += String.fromCharCode(Number.parseInt(hex, 16));
          i += 4;
        } else out += 'u';
        break;
      }
      default:
        out += next; // covers \\ \" \' and unknown escapes
    }
  }
  return out;
}

/**
 * Escape for a header value (RFC 3862 s.2.3.1): the short forms for
 * backslash, BS, TAB, LF and CR, `\uXXXX` for the other controls, a double
 * quote only inside a quoted String, nothing else.
 */
export function escapeCpim(value: string, inString: boolean): string {
  return value.replace(/[\\\x00-\x1F\x7F"]/g, (c) => {
    switch (c) {
      case '\\':
        return '\\\\';
      case '\b':
        return '\\b';
      case '\t':
        return '\\t';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '"':
        return inString ? '\\"' : '"';
      default:
        return `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    }
  });
}

// ---------------------------------------------------------------------------
// Line reading
// ---------------------------------------------------------------------------

interface Line {
  text: string;
  number: number;
}

class LineReader {
  private pos = 0;
  private line = 1;
  readonly bareLf: number[] = [];

  constructor(private readonly text: string) {}

  get offset(): number {
    return this.pos;
  }

  get nextLineNumber(): number {
    return this.line;
  }

  /** Next line without its terminator, or undefined at end of input. */
  next(): (Line & { terminated: boolean }) | undefined {
    if (this.pos >= this.text.length) return undefined;
    const nl = this.text.indexOf('\n', this.pos);
    const number = this.line++;
    if (nl === -1) {
      const text = this.text.slice(this.pos);
      this.pos = this.text.length;
      return { text, number, terminated: false };
    }
    const crlf = nl > this.pos && this.text.charCodeAt(nl - 1) === 13;
    if (!crlf) this.bareLf.push(number);
    const text = this.text.slice(this.pos, crlf ? nl - 1 : nl);
    this.pos = nl + 1;
    return { text, number, terminated: true };
  }

  /** Lines up to (not including) the next empty line; `ended` is false when the input ran out first. */
  block(): { lines: Line[]; ended: boolean } {
    const lines: Line[] = [];
    for (;;) {
      const l = this.next();
      if (l === undefined) return { lines, ended: false };
      if (l.text === '' && l.terminated) return { lines, ended: true };
      lines.push({ text: l.text, number: l.number });
    }
  }
}

function controlCharColumn(text: string, allowTab: boolean): number {
  const m = (allowTab ? /[\x00-\x08\x0A-\x1F\x7F]/ : /[\x00-\x1F\x7F]/).exec(text);
  return m === null ? -1 : m.index + 1;
}

function describeControl(text: string, column: number): string {
  return `U+${(text.charCodeAt(column - 1) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

// ---------------------------------------------------------------------------
// MIME header blocks (outer entity and encapsulated content)
// ---------------------------------------------------------------------------

interface LocatedMime extends MimeHeader {
  line: number;
}

/** RFC 5322 s.2.2 field syntax with s.2.2.3 unfolding, as used by MIME (RFC 2045). */
function parseMimeBlock(lines: Line[], section: string): LocatedMime[] {
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

function checkContentType(headers: LocatedMime[], section: string, firstLine: number): { type: string; subtype: string; params: string } {
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

// ---------------------------------------------------------------------------
// Message headers
// ---------------------------------------------------------------------------

interface RawHeader {
  line: number;
  /** Name as written, with its prefix. */
  fullName: string;
  prefix?: string;
  name: string;
  params: CpimParam[];
  value: string;
}

/** Parse one quoted String starting at `start` (a `"`); returns the raw text including quotes. */
function scanQuoted(s: string, start: number): number | undefined {
  for (let i = start + 1; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '"') return i + 1;
  }
  return undefined;
}

function parseHeaderLine(l: Line): RawHeader {
  const loc = { line: l.number };
  const ctl = controlCharColumn(l.text, false);
  if (ctl !== -1) {
    throw new WireError(
      'WIRE_ERR_CPIM_BAD_HEADER',
      `raw control character ${describeControl(l.text, ctl)} at column ${ctl}; RFC 3862 s.2.2 requires escaping it (\\t, \\uXXXX ...)`,
      { line: l.number, column: ctl },
    );
  }
  if (l.text.startsWith(' ')) {
    throw new WireError('WIRE_ERR_CPIM_BAD_HEADER', 'a message header line starts with whitespace; RFC 3862 s.3 allows neither folding nor leading whitespace', loc);
  }
  const colon = l.text.indexOf(':');
  if (colon === -1) {
    throw new WireError('WIRE_ERR_CPIM_BAD_HEADER', `${JSON.stringify(l.text.slice(0, 60))} is not a header: no ':' after the name`, loc);
  }
  const fullName = l.text.slice(0, colon);
  const nm = HEADER_NAME.exec(fullName);
  if (nm === null || nm[2] === undefined) {
    throw new WireError(
      'WIRE_ERR_CPIM_BAD_HEADER_NAME',
      `header name ${JSON.stringify(fullName)} is not [Name-prefix "."] Name (letters, digits and !#$%&'*+-^_\`|~ only)`,
      { ...loc, header: fullName },
    );
  }
  const where = { ...loc, header: fullName };
  let rest = l.text.slice(colon + 1);
  const params: CpimParam[] = [];
  while (rest.startsWith(';')) {
    const pm = PARAM_START.exec(rest);
    if (pm === null || pm[1] === undefined) {
      throw new WireError('WIRE_ERR_CPIM_BAD_HEADER', `malformed parameter after the header name (expected ;name=value): ${JSON.stringify(rest.slice(0, 40))}`, where);
    }
    let i = pm[0].length;
    let value: string;
    if (rest[i] === '"') {
      const end = scanQuoted(rest, i);
      if (end === undefined) throw new WireError('WIRE_ERR_CPIM_BAD_HEADER', `unterminated quoted parameter value for ;${pm[1]}=`, where);
      value = rest.slice(i, end);
      i = end;
    } else {
      const tm = TOKEN_AT_START.exec(rest.slice(i));
      if (tm === null) throw new WireError('WIRE_ERR_CPIM_BAD_HEADER', `parameter ;${pm[1]}= has no value (Token, Number or quoted String)`, where);
      value = tm[0];
      i += value.length;
    }
    params.push({ name: pm[1], value });
    rest = rest.slice(i);
  }
  if (!rest.startsWith(' ')) {
    throw new WireError('WIRE_ERR_CPIM_BAD_HEADER', `expected exactly one space after "${fullName}:"${params.length > 0 ? ' and its parameters' : ''} (RFC 3862 s.3.6)`, where);
  }
  const value = rest.slice(1);
  if (value.startsWith(' ')) {
    throw new WireError('WIRE_ERR_CPIM_BAD_HEADER', `more than one space after "${fullName}:" (RFC 3862 s.2.2: exactly one)`, where);
  }
  if (value.endsWith(' ')) {
    throw new WireError('WIRE_ERR_CPIM_BAD_HEADER', 'trailing whitespace at the end of the header value (RFC 3862 s.2.2)', where);
  }
  const raw: RawHeader = { line: l.number, fullName, name: nm[2], params, value };
  if (nm[1] !== undefined) raw.prefix = nm[1];
  return raw;
}

/** `[Formal-name] "<" URI ">"` (RFC 3862 s.4.1-4.3); Formal-name = 1*( Token SP ) / String. */
function parseAddress(h: RawHeader): CpimAddress {
  const where = { line: h.line, header: h.fullName };
  const v = h.value;
  let i = 0;
  let name: string | undefined;
  if (v.startsWith('"')) {
    const end = scanQuoted(v, 0);
    if (end === undefined) throw new WireError('WIRE_ERR_CPIM_BAD_ADDRESS', 'unterminated quoted Formal-name', where);
    name = unescapeCpim(v.slice(1, end - 1));
    i = end;
    // The grammar puts "<" right after the String; one space there is common and harmless, so it is accepted.
    if (v[i] === ' ') i++;
  } else {
    const tm = TOKEN_NAME_PREFIX.exec(v);
    if (tm !== null) {
      name = tm[0].slice(0, -1);
      i = tm[0].length;
    }
  }
  if (v[i] !== '<' || !v.endsWith('>') || v.length - i < 2) {
    throw new WireError(
      'WIRE_ERR_CPIM_BAD_ADDRESS',
      `${h.fullName} value ${JSON.stringify(v)} is not [Formal-name] <URI> (a name of tokens each followed by one space, or a "quoted string")`,
      where,
    );
  }
  const uri = v.slice(i + 1, -1);
  if (!isAbsoluteUri(uri)) {
    throw new WireError('WIRE_ERR_CPIM_BAD_ADDRESS', `${h.fullName} address ${JSON.stringify(uri)} is not an absolute URI`, where);
  }
  const address: CpimAddress = { uri };
  if (name !== undefined) address.name = name;
  return address;
}

function noParams(h: RawHeader): void {
  if (h.params.length > 0) {
    throw new WireError('WIRE_ERR_CPIM_BAD_HEADER', `${h.fullName} takes no parameters (RFC 3862 s.4), found ;${h.params[0]?.name ?? ''}=`, {
      line: h.line,
      header: h.fullName,
    });
  }
}

interface AnalyzedHeaders {
  headers: CpimHeader[];
  warnings: string[];
}

/**
 * Second pass over parsed header lines: resolve namespaces in order (an NS
 * header affects only later lines, s.3.4), decode core headers, enforce the
 * profile's occurrence rules and the Require check.
 */
function analyzeHeaders(raws: RawHeader[], firstLine: number, options: CpimDecodeOptions): AnalyzedHeaders {
  const warnings: string[] = [];
  const understood = new Set(options.understood ?? []);
  const mode = options.unknownRequire ?? 'error';
  let defaultNs = CPIM_HEADERS_NS;
  const prefixes = new Map<string, string>();
  const headers: CpimHeader[] = [];
  let fromLine: number | undefined;
  let toSeen = false;
  let dateTimeLine: number | undefined;
  const subjectLangs = new Map<string, number>();

  const resolve = (prefix: string | undefined, line: number, header: string): string => {
    if (prefix === undefined) return defaultNs;
    const ns = prefixes.get(prefix);
    if (ns === undefined) {
      throw new WireError('WIRE_ERR_CPIM_UNDECLARED_PREFIX', `prefix "${prefix}" was not declared by an earlier NS header (RFC 3862 s.3.4)`, {
        line,
        header,
      });
    }
    return ns;
  };

  for (const h of raws) {
    const where = { line: h.line, header: h.fullName };
    const ns = resolve(h.prefix, h.line, h.fullName);
    const kind = ns === CPIM_HEADERS_NS ? CORE_NAMES.get(h.name) : undefined;
    const base = h.prefix === undefined ? {} : { prefix: h.prefix };
    if (kind === undefined) {
      if (ns === CPIM_HEADERS_NS) {
        const lookalike = [...CORE_NAMES.keys()].find((n) => n.toLowerCase() === h.name.toLowerCase());
        if (lookalike !== undefined) {
          warnings.push(`line ${h.line}: "${h.name}" is not "${lookalike}" (header names are case-sensitive, RFC 3862 s.3.1); treated as an unknown header`);
        }
      }
      headers.push({ kind: 'extension', ...base, name: h.name, params: h.params, value: h.value });
      continue;
    }
    switch (kind) {
      case 'from':
      case 'to':
      case 'cc': {
        noParams(h);
        const address = parseAddress(h);
        if (kind === 'from') {
          if (fromLine !== undefined) {
            throw new WireError('WIRE_ERR_CPIM_DUPLICATE_HEADER', `second From header (the first is on line ${fromLine}); a message has one originator`, where);
          }
          fromLine = h.line;
        }
        if (kind === 'to') toSeen = true;
        headers.push({ kind, ...base, address });
        break;
      }
      case 'dateTime': {
        noParams(h);
        if (dateTimeLine !== undefined) {
          throw new WireError('WIRE_ERR_CPIM_DUPLICATE_HEADER', `second DateTime header (the first is on line ${dateTimeLine})`, where);
        }
        dateTimeLine = h.line;
        if (!isRfc3339DateTime(h.value, false)) {
          throw new WireError('WIRE_ERR_CPIM_BAD_DATETIME', `DateTime ${JSON.stringify(h.value)} is not an RFC 3339 date-time (e.g. 2000-12-13T13:40:00-08:00)`, where);
        }
        headers.push({ kind, ...base, value: h.value });
        break;
      }
      case 'subject': {
        // Subject-header = "Subject" ":" [ ";" Lang-param ] SP *HEADERCHAR (RFC 3862 s.4.5)
        const [param, extra] = h.params;
        if (extra !== undefined || (param !== undefined && param.name !== 'lang')) {
          throw new WireError('WIRE_ERR_CPIM_BAD_HEADER', 'Subject takes only one ;lang= parameter (RFC 3862 s.4.5)', where);
        }
        if (param !== undefined && !isLanguageTag(param.value)) {
          throw new WireError('WIRE_ERR_CPIM_BAD_LANG', `;lang=${param.value} is not an RFC 3066 language tag`, where);
        }
        const langKey = param === undefined ? '' : param.value.toLowerCase();
        const prev = subjectLangs.get(langKey);
        if (prev !== undefined) {
          throw new WireError(
            'WIRE_ERR_CPIM_DUPLICATE_HEADER',
            `second Subject ${param === undefined ? 'without a language' : `for language ${param.value}`} (the first is on line ${prev}); repeats must differ in language`,
            where,
          );
        }
        subjectLangs.set(langKey, h.line);
        const subject: CpimHeader = { kind, ...base, text: unescapeCpim(h.value) };
        if (param !== undefined) subject.lang = param.value;
        headers.push(subject);
        break;
      }
      case 'ns': {
        noParams(h);
        const m = NS_VALUE.exec(h.value);
        if (m === null || m[2] === undefined) {
          throw new WireError('WIRE_ERR_CPIM_BAD_NAMESPACE', `NS value ${JSON.stringify(h.value)} is not [Name-prefix] <URI>`, where);
        }
        const uri = m[2];
        if (!isAbsoluteUri(uri) || uri.includes('#')) {
          throw new WireError('WIRE_ERR_CPIM_BAD_NAMESPACE', `namespace ${JSON.stringify(uri)} must be an absolute URI without a fragment (RFC 3862 s.3.4)`, where);
        }
        const declared = m[1];
        if (declared === undefined) defaultNs = uri;
        else {
          const old = prefixes.get(declared);
          if (old !== undefined && old !== uri) warnings.push(`line ${h.line}: prefix "${declared}" is rebound from ${old} to ${uri}`);
          prefixes.set(declared, uri);
        }
        const nsHeader: CpimHeader = { kind, ...base, uri };
        if (declared !== undefined) nsHeader.declaredPrefix = declared;
        headers.push(nsHeader);
        break;
      }
      case 'require': {
        noParams(h);
        const parts = h.value.split(',');
        const names: string[] = [];
        let spaced = false;
        for (const part of parts) {
          const trimmed = part.replace(/^ +| +$/g, '');
          if (trimmed !== part) spaced = true;
          const nm = HEADER_NAME.exec(trimmed);
          if (nm === null || nm[2] === undefined) {
            throw new WireError('WIRE_ERR_CPIM_BAD_REQUIRE', `Require entry ${JSON.stringify(part)} is not a header name`, where);
          }
          const target = resolve(nm[1], h.line, h.fullName);
          const urn = cpimHeaderUrn(target, nm[2]);
          const known = (target === CPIM_HEADERS_NS && CORE_NAMES.has(nm[2])) || understood.has(urn);
          if (!known && mode === 'error') {
            throw new WireError(
              'WIRE_ERR_CPIM_REQUIRE_UNSUPPORTED',
              `Require lists ${trimmed} (${urn}), which this receiver does not understand; the message cannot be processed correctly (RFC 3862 s.3.5)`,
              where,
            );
          }
          if (!known && mode === 'warn') {
            warnings.push(`line ${h.line}: Require lists ${trimmed} (${urn}), which this receiver does not understand (RFC 3862 s.3.5)`);
          }
          names.push(trimmed);
        }
        if (spaced) warnings.push(`line ${h.line}: spaces around commas in Require are outside the RFC 3862 s.4.7 grammar`);
        headers.push({ kind, ...base, names });
        break;
      }
    }
  }
  if (fromLine === undefined) {
    throw new WireError('WIRE_ERR_CPIM_MISSING_FROM', 'the message headers have no From header (this profile requires exactly one originator)', {
      line: firstLine,
    });
  }
  if (!toSeen) {
    throw new WireError('WIRE_ERR_CPIM_MISSING_TO', 'the message headers have no To header (this profile requires at least one recipient)', {
      line: firstLine,
    });
  }
  return { headers, warnings };
}

function bareLfWarning(lines: number[]): string[] {
  const first = lines[0];
  if (first === undefined) return [];
  const more = lines.length > 1 ? ` and ${lines.length - 1} other line(s)` : '';
  return [`line ${first}${more} end with a bare LF; RFC 3862 requires CRLF line ends`];
}

/**
 * Decode only a block of message headers (no MIME parts, no content), e.g. the
 * RFC 3862 s.2.2 example. The block may end with one line terminator; the
 * same syntax, namespace, profile and Require rules as for a whole message apply.
 */
export function decodeCpimHeaders(text: string, options: CpimDecodeOptions = {}): { headers: CpimHeader[]; warnings?: string[] } {
  const reader = new LineReader(text);
  const block = reader.block();
  const after = reader.next();
  if (after !== undefined) {
    throw new WireError('WIRE_ERR_CPIM_BAD_HEADER', 'text after the blank line that ends the header block', { line: after.number });
  }
  const analyzed = analyzeHeaders(block.lines.map(parseHeaderLine), 1, options);
  const warnings = [...bareLfWarning(reader.bareLf), ...analyzed.warnings];
  return warnings.length > 0 ? { headers: analyzed.headers, warnings } : { headers: analyzed.headers };
}

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

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Convenience view
// ---------------------------------------------------------------------------

export interface CpimMessageView {
  from?: CpimAddress;
  to: CpimAddress[];
  cc: CpimAddress[];
  dateTime?: string;
  subjects: { text: string; lang?: string }[];
  namespaces: { prefix?: string; uri: string }[];
  /** Required headers/features with their full names (RFC 3862 s.3.4). */
  require: { name: string; urn: string }[];
  /** Non-core headers with the namespace they resolve to. */
  extensions: { name: string; namespace: string; urn: string; params: CpimParam[]; value: string }[];
  contentType?: string;
  bodyBytes: number;
}

/**
 * Flatten a message into per-header lists with namespaces resolved, for
 * display (inspect) and for callers that want `from`/`to` directly. A prefix
 * without an NS declaration (only possible in hand-built values) resolves to ''.
 */
export function viewCpimMessage(msg: CpimMessage): CpimMessageView {
  const view: CpimMessageView = { to: [], cc: [], subjects: [], namespaces: [], require: [], extensions: [], bodyBytes: Buffer.byteLength(msg.content.body, 'utf8') };
  let defaultNs = CPIM_HEADERS_NS;
  const prefixes = new Map<string, string>();
  const resolve = (prefix: string | undefined): string => (prefix === undefined ? defaultNs : (prefixes.get(prefix) ?? ''));
  for (const h of msg.headers) {
    switch (h.kind) {
      case 'from':
        view.from ??= h.address;
        break;
      case 'to':
        view.to.push(h.address);
        break;
      case 'cc':
        view.cc.push(h.address);
        break;
      case 'dateTime':
        view.dateTime ??= h.value;
        break;
      case 'subject':
        view.subjects.push(h.lang === undefined ? { text: h.text } : { text: h.text, lang: h.lang });
        break;
      case 'ns':
        if (h.declaredPrefix === undefined) {
          defaultNs = h.uri;
          view.namespaces.push({ uri: h.uri });
        } else {
          prefixes.set(h.declaredPrefix, h.uri);
          view.namespaces.push({ prefix: h.declaredPrefix, uri: h.uri });
        }
        break;
      case 'require':
        for (const name of h.names) {
          const dot = name.indexOf('.');
          const ns = dot === -1 ? defaultNs : (prefixes.get(name.slice(0, dot)) ?? '');
          view.require.push({ name, urn: cpimHeaderUrn(ns, dot === -1 ? name : name.slice(dot + 1)) });
        }
        break;
      case 'extension': {
        const namespace = resolve(h.prefix);
        view.extensions.push({
          name: h.prefix === undefined ? h.name : `${h.prefix}.${h.name}`,
          namespace,
          urn: cpimHeaderUrn(namespace, h.name),
          params: h.params,
          value: h.value,
        });
        break;
      }
    }
  }
  const ct = msg.content.headers.find((h) => h.name.toLowerCase() === 'content-type');
  if (ct !== undefined) view.contentType = ct.value;
  return view;
}
