/**
 * Escapes in message/cpim header values (RFC 3862 s.2.3): Java-style
 * backslash sequences, decoded on reading and written canonically.
 */

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
