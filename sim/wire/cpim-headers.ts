/**
 * The message headers of a message/cpim object as a whole (RFC 3862 s.3-4):
 * namespaces resolved in order (an NS header affects only later lines,
 * s.3.4), core headers decoded, this profile's occurrence rules (one From,
 * at least one To, at most one DateTime, one Subject per language) and the
 * Require check (s.3.5).
 */
import { WireError } from './errors.js';
import { unescapeCpim } from './cpim-escape.js';
import { noParams, parseAddress, parseHeaderLine, type RawHeader } from './cpim-header-line.js';
import { LineReader, bareLfWarning } from './cpim-lines.js';
import { CORE_NAMES, CPIM_HEADERS_NS, HEADER_NAME, NS_VALUE, cpimHeaderUrn, type CpimDecodeOptions, type CpimHeader } from './cpim-model.js';
import { isAbsoluteUri, isLanguageTag, isRfc3339DateTime } from './syntax.js';

export interface AnalyzedHeaders {
  headers: CpimHeader[];
  warnings: string[];
}

type Where = { line: number; header: string };
type Base = { prefix?: string };

class HeaderAnalyzer {
  readonly warnings: string[] = [];
  readonly headers: CpimHeader[] = [];
  private readonly understood: Set<string>;
  private readonly mode: NonNullable<CpimDecodeOptions['unknownRequire']>;
  private defaultNs = CPIM_HEADERS_NS;
  private readonly prefixes = new Map<string, string>();
  private fromLine: number | undefined;
  private toSeen = false;
  private dateTimeLine: number | undefined;
  private readonly subjectLangs = new Map<string, number>();

  constructor(options: CpimDecodeOptions) {
    this.understood = new Set(options.understood ?? []);
    this.mode = options.unknownRequire ?? 'error';
  }

  private resolve(prefix: string | undefined, line: number, header: string): string {
    if (prefix === undefined) return this.defaultNs;
    const ns = this.prefixes.get(prefix);
    if (ns === undefined) {
      throw new WireError('WIRE_ERR_CPIM_UNDECLARED_PREFIX', `prefix "${prefix}" was not declared by an earlier NS header (RFC 3862 s.3.4)`, { line, header });
    }
    return ns;
  }

  add(h: RawHeader): void {
    const where = { line: h.line, header: h.fullName };
    const ns = this.resolve(h.prefix, h.line, h.fullName);
    const kind = ns === CPIM_HEADERS_NS ? CORE_NAMES.get(h.name) : undefined;
    const base: Base = h.prefix === undefined ? {} : { prefix: h.prefix };
    if (kind === undefined) {
      if (ns === CPIM_HEADERS_NS) {
        const lookalike = [...CORE_NAMES.keys()].find((n) => n.toLowerCase() === h.name.toLowerCase());
        if (lookalike !== undefined) {
          this.warnings.push(`line ${h.line}: "${h.name}" is not "${lookalike}" (header names are case-sensitive, RFC 3862 s.3.1); treated as an unknown header`);
        }
      }
      this.headers.push({ kind: 'extension', ...base, name: h.name, params: h.params, value: h.value });
      return;
    }
    switch (kind) {
      case 'from':
      case 'to':
      case 'cc':
        return this.address(kind, h, base, where);
      case 'dateTime':
        return this.dateTime(h, base, where);
      case 'subject':
        return this.subject(h, base, where);
      case 'ns':
        return this.namespace(h, base, where);
      case 'require':
        return this.require(h, base, where);
    }
  }

  private address(kind: 'from' | 'to' | 'cc', h: RawHeader, base: Base, where: Where): void {
    noParams(h);
    const address = parseAddress(h);
    if (kind === 'from') {
      if (this.fromLine !== undefined) {
        throw new WireError('WIRE_ERR_CPIM_DUPLICATE_HEADER', `second From header (the first is on line ${this.fromLine}); a message has one originator`, where);
      }
      this.fromLine = h.line;
    }
    if (kind === 'to') this.toSeen = true;
    this.headers.push({ kind, ...base, address });
  }

  private dateTime(h: RawHeader, base: Base, where: Where): void {
    noParams(h);
    if (this.dateTimeLine !== undefined) {
      throw new WireError('WIRE_ERR_CPIM_DUPLICATE_HEADER', `second DateTime header (the first is on line ${this.dateTimeLine})`, where);
    }
    this.dateTimeLine = h.line;
    if (!isRfc3339DateTime(h.value, false)) {
      throw new WireError('WIRE_ERR_CPIM_BAD_DATETIME', `DateTime ${JSON.stringify(h.value)} is not an RFC 3339 date-time (e.g. 2000-12-13T13:40:00-08:00)`, where);
    }
    this.headers.push({ kind: 'dateTime', ...base, value: h.value });
  }

  /** Subject-header = "Subject" ":" [ ";" Lang-param ] SP *HEADERCHAR (RFC 3862 s.4.5) */
  private subject(h: RawHeader, base: Base, where: Where): void {
    const [param, extra] = h.params;
    if (extra !== undefined || (param !== undefined && param.name !== 'lang')) {
      throw new WireError('WIRE_ERR_CPIM_BAD_HEADER', 'Subject takes only one ;lang= parameter (RFC 3862 s.4.5)', where);
    }
    if (param !== undefined && !isLanguageTag(param.value)) {
      throw new WireError('WIRE_ERR_CPIM_BAD_LANG', `;lang=${param.value} is not an RFC 3066 language tag`, where);
    }
    const langKey = param === undefined ? '' : param.value.toLowerCase();
    const prev = this.subjectLangs.get(langKey);
    if (prev !== undefined) {
      throw new WireError(
        'WIRE_ERR_CPIM_DUPLICATE_HEADER',
        `second Subject ${param === undefined ? 'without a language' : `for language ${param.value}`} (the first is on line ${prev}); repeats must differ in language`,
        where,
      );
    }
    this.subjectLangs.set(langKey, h.line);
    const subject: CpimHeader = { kind: 'subject', ...base, text: unescapeCpim(h.value) };
    if (param !== undefined) subject.lang = param.value;
    this.headers.push(subject);
  }

  private namespace(h: RawHeader, base: Base, where: Where): void {
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
    if (declared === undefined) this.defaultNs = uri;
    else {
      const old = this.prefixes.get(declared);
      if (old !== undefined && old !== uri) this.warnings.push(`line ${h.line}: prefix "${declared}" is rebound from ${old} to ${uri}`);
      this.prefixes.set(declared, uri);
    }
    const nsHeader: CpimHeader = { kind: 'ns', ...base, uri };
    if (declared !== undefined) nsHeader.declaredPrefix = declared;
    this.headers.push(nsHeader);
  }

  private require(h: RawHeader, base: Base, where: Where): void {
    noParams(h);
    const names: string[] = [];
    let spaced = false;
    for (const part of h.value.split(',')) {
      const trimmed = part.replace(/^ +| +$/g, '');
      if (trimmed !== part) spaced = true;
      const nm = HEADER_NAME.exec(trimmed);
      if (nm === null || nm[2] === undefined) {
        throw new WireError('WIRE_ERR_CPIM_BAD_REQUIRE', `Require entry ${JSON.stringify(part)} is not a header name`, where);
      }
      const target = this.resolve(nm[1], h.line, h.fullName);
      const urn = cpimHeaderUrn(target, nm[2]);
      const known = (target === CPIM_HEADERS_NS && CORE_NAMES.has(nm[2])) || this.understood.has(urn);
      if (!known && this.mode === 'error') {
        throw new WireError(
          'WIRE_ERR_CPIM_REQUIRE_UNSUPPORTED',
          `Require lists ${trimmed} (${urn}), which this receiver does not understand; the message cannot be processed correctly (RFC 3862 s.3.5)`,
          where,
        );
      }
      if (!known && this.mode === 'warn') {
        this.warnings.push(`line ${h.line}: Require lists ${trimmed} (${urn}), which this receiver does not understand (RFC 3862 s.3.5)`);
      }
      names.push(trimmed);
    }
    if (spaced) this.warnings.push(`line ${h.line}: spaces around commas in Require are outside the RFC 3862 s.4.7 grammar`);
    this.headers.push({ kind: 'require', ...base, names });
  }

  /** The profile's required headers. */
  finish(firstLine: number): AnalyzedHeaders {
    if (this.fromLine === undefined) {
      throw new WireError('WIRE_ERR_CPIM_MISSING_FROM', 'the message headers have no From header (this profile requires exactly one originator)', { line: firstLine });
    }
    if (!this.toSeen) {
      throw new WireError('WIRE_ERR_CPIM_MISSING_TO', 'the message headers have no To header (this profile requires at least one recipient)', { line: firstLine });
    }
    return { headers: this.headers, warnings: this.warnings };
  }
}

/** Second pass over parsed header lines: namespaces, core headers, the profile's rules, Require. */
export function analyzeHeaders(raws: RawHeader[], firstLine: number, options: CpimDecodeOptions): AnalyzedHeaders {
  const analyzer = new HeaderAnalyzer(options);
  for (const h of raws) analyzer.add(h);
  return analyzer.finish(firstLine);
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