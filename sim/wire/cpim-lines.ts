/**
 * Line reading for message/cpim (RFC 3862 s.2): lines with their numbers,
 * blocks up to the blank line that ends a header section, CRLF expected and
 * bare LF line ends counted for a warning, raw control characters located.
 */

export interface Line {
  text: string;
  number: number;
}

export class LineReader {
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

export function controlCharColumn(text: string, allowTab: boolean): number {
  const m = (allowTab ? /[\x00-\x08\x0A-\x1F\x7F]/ : /[\x00-\x1F\x7F]/).exec(text);
  return m === null ? -1 : m.index + 1;
}

export function describeControl(text: string, column: number): string {
  return `U+${(text.charCodeAt(column - 1) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The warning for bare-LF line ends (RFC 3862 requires CRLF), or none. */
export function bareLfWarning(lines: number[]): string[] {
  const first = lines[0];
  if (first === undefined) return [];
  const more = lines.length > 1 ? ` and ${lines.length - 1} other line(s)` : '';
  return [`line ${first}${more} end with a bare LF; RFC 3862 requires CRLF line ends`];
}
