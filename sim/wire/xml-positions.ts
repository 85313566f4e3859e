/**
 * Offsets to (line, column) for text that arrives whole (a document) or in
 * chunks (an XMPP stream). Lines are counted at LF; columns are 1-based in
 * UTF-16 code units, as WireError documents. Only line starts at or after the
 * last `forget` point are kept, so a long-lived stream holds a bounded table.
 */
export class LineTracker {
  /** Offsets of the line starts from `baseLine` on. */
  private starts: number[] = [0];
  private baseLine = 1;
  private fed = 0;

  /** Characters fed so far. */
  get length(): number {
    return this.fed;
  }

  /** Record the newlines of the next chunk of input. */
  feed(chunk: string): void {
    for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) this.starts.push(this.fed + i + 1);
    this.fed += chunk.length;
  }

  /** Line and column of a global offset (offsets before the last `forget` point read as its line). */
  at(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: this.baseLine + lo, column: Math.max(1, offset - (this.starts[lo] ?? 0) + 1) };
  }

  /** Drop line starts before the line holding `offset` (positions before it are no longer asked for). */
  forget(offset: number): void {
    let keep = 0;
    while (keep + 1 < this.starts.length && (this.starts[keep + 1] ?? 0) <= offset) keep++;
    if (keep === 0) return;
    this.starts = this.starts.slice(keep);
    this.baseLine += keep;
  }
}
