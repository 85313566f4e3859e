/**
 * One message/cpim header line (RFC 3862 s.3.6): `[prefix "."] Name ":"`,
 * optional `;name=value` parameters, exactly one space, the value; and the
 * address syntax of From, To and cc (s.4.1-4.3). Namespaces and the
 * profile's rules are applied afterwards (cpim-headers.ts).
 */
import { WireError } from './errors.js';
import { HEADER_NAME, PARAM_START, TOKEN_AT_START, TOKEN_NAME_PREFIX, type CpimAddress, type CpimParam } from './cpim-model.js';
import { unescapeCpim } from './cpim-escape.js';
import { controlCharColumn, describeControl, type Line } from './cpim-lines.js';
import { isAbsoluteUri } from './syntax.js';

export interface RawHeader {
  line: number;
  /** Name as written, with its prefix. */
  fullName: string;
  prefix?: string;
  name: string;
  params: CpimParam[];
  value: string;
}

/** Parse one quoted String starting at `start` (a `"`); returns the raw text including quotes. */
export function scanQuoted(s: string, start: number): number | undefined {
  for (let i = start + 1; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '"') return i + 1;
  }
  return undefined;
}

export function parseHeaderLine(l: Line): RawHeader {
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
export function parseAddress(h: RawHeader): CpimAddress {
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

export function noParams(h: RawHeader): void {
  if (h.params.length > 0) {
    throw new WireError('WIRE_ERR_CPIM_BAD_HEADER', `${h.fullName} takes no parameters (RFC 3862 s.4), found ;${h.params[0]?.name ?? ''}=`, {
      line: h.line,
      header: h.fullName,
    });
  }
}
