/**
 * Memoised sizes per message shape: one real encoding per distinct shape,
 * then a Map lookup. Bounded: a run that meets more shapes than `limit`
 * starts the memo over rather than growing without end.
 */
export class ShapeSizes<S> {
  private readonly memo = new Map<string, number>();

  constructor(
    private readonly key: (shape: S) => string,
    private readonly measure: (shape: S) => number,
    private readonly limit = 4096,
  ) {}

  size(shape: S): number {
    const k = this.key(shape);
    const hit = this.memo.get(k);
    if (hit !== undefined) return hit;
    const bytes = this.measure(shape);
    if (this.memo.size >= this.limit) this.memo.clear();
    this.memo.set(k, bytes);
    return bytes;
  }

  get entries(): number {
    return this.memo.size;
  }

  clear(): void {
    this.memo.clear();
  }
}

/** A non-negative integer shape field, or a RangeError naming it. */
export function shapeCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  return value;
}

/** A URI of exactly `length` ASCII characters (at least `scheme:` plus `u@d`): `scheme:uuu@d`. */
export function uriOfLength(scheme: string, length: number): string {
  const fill = Math.max(3, length - scheme.length - 1);
  return `${scheme}:${'u'.repeat(fill - 2)}@d`;
}

/** A decimal number with exactly `digits` digits (1 -> "1", 3 -> "100"). */
export function numberOfDigits(digits: number): number {
  return digits <= 1 ? 1 : 10 ** (digits - 1);
}
