/**
 * Seeded random streams, one per logical process (LP).
 *
 * Each LP owns an independent xoroshiro64** generator (Blackman & Vigna; period 2^64 - 1, made for
 * 32-bit outputs) whose 64-bit state sits in one Uint32Array (2 words per LP), seeded by splitmix32
 * from (run seed, LP id). Two words per draw keep the event loop's memory traffic low; 100,000
 * LPs cost 800 KB of state. Because the
 * stream belongs to the LP and not to a worker, the draws an LP sees do not depend on how LPs are
 * partitioned, which is what makes parallel runs reproduce sequential ones exactly.
 *
 * `uniform` has 32 bits of resolution (fast path for the event loop); `uniform53` gives a full
 * double when that matters. Draws never return exactly 0, so logarithms stay finite.
 */
const TWO_POW_32 = 4294967296;
const INV_2_32 = 1 / TWO_POW_32;
const INV_2_53 = 1 / 9007199254740992;

function splitmix32(state: { s: number }): number {
  let z = (state.s = (state.s + 0x9e3779b9) | 0);
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Folds any finite number (seeds may be large integers) into 32 bits, deterministically. */
export function seedTo32(seed: number): number {
  if (!Number.isFinite(seed)) throw new TypeError(`seed must be a finite number, got ${seed}`);
  const hi = Math.floor(seed / TWO_POW_32) | 0;
  const lo = seed >>> 0;
  const st = { s: lo ^ Math.imul(hi, 0x27d4eb2d) };
  return splitmix32(st);
}

export class RandomStreams {
  /** xoroshiro64** state, 2 words per stream */
  readonly state: Uint32Array;
  /** cached second normal deviate of Box-Muller, NaN when empty */
  private spare: Float64Array;
  readonly count: number;

  constructor(count: number, seed: number) {
    this.count = count;
    this.state = new Uint32Array(count * 2);
    this.spare = new Float64Array(count).fill(NaN);
    const base = seedTo32(seed);
    for (let i = 0; i < count; i++) this.seedStream(i, base);
  }

  private seedStream(i: number, base: number): void {
    const st = { s: (base ^ Math.imul(i + 1, 0x9e3779b1)) | 0 };
    const o = i * 2;
    let zero = true;
    for (let j = 0; j < 2; j++) {
      const w = splitmix32(st);
      this.state[o + j] = w;
      if (w !== 0) zero = false;
    }
    if (zero) this.state[o] = 1; // the generator must not start from the all-zero state
    // warm up so that streams seeded from neighbouring ids decorrelate fully
    for (let j = 0; j < 8; j++) this.next32(i);
  }

  /** Next raw 32-bit output of stream `lp`, as an unsigned integer. */
  next32(lp: number): number {
    const s = this.state;
    const o = lp << 1;
    const s0 = s[o];
    let s1 = s[o + 1];
    const m = Math.imul(s0, 0x9e3779bb);
    const r = Math.imul((m << 5) | (m >>> 27), 5);
    s1 ^= s0;
    s[o] = ((s0 << 26) | (s0 >>> 6)) ^ s1 ^ (s1 << 9);
    s[o + 1] = (s1 << 13) | (s1 >>> 19);
    return r >>> 0;
  }

  /** Uniform in (0, 1), 32-bit resolution. */
  uniform(lp: number): number {
    return (this.next32(lp) + 0.5) * INV_2_32;
  }

  /** Uniform in (0, 1) with 53 bits of resolution. */
  uniform53(lp: number): number {
    const a = this.next32(lp) >>> 5;
    const b = this.next32(lp) >>> 6;
    return (a * 67108864 + b + 0.5) * INV_2_53;
  }

  /** Uniform integer in [0, n). */
  int(lp: number, n: number): number {
    return Math.floor(this.uniform(lp) * n);
  }

  /** Uniform real in [lo, hi). */
  range(lp: number, lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform(lp);
  }

  /** true with probability p */
  chance(lp: number, p: number): boolean {
    return this.uniform(lp) < p;
  }

  /** Exponential with the given mean. */
  exponential(lp: number, mean: number): number {
    return -mean * Math.log(this.uniform(lp));
  }

  /** Standard normal deviate (Box-Muller, polar form; the spare is kept per stream). */
  normal(lp: number): number {
    const cached = this.spare[lp];
    if (cached === cached) {
      this.spare[lp] = NaN;
      return cached;
    }
    let u: number, v: number, q: number;
    do {
      u = 2 * this.uniform(lp) - 1;
      v = 2 * this.uniform(lp) - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    const f = Math.sqrt((-2 * Math.log(q)) / q);
    this.spare[lp] = v * f;
    return u * f;
  }

  /** Lognormal: exp(mu + sigma * N(0,1)). */
  lognormal(lp: number, mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal(lp));
  }

  /**
   * Continuous power law (Pareto type I) on [xmin, inf) with density ~ x^-alpha, alpha > 1.
   * Inverse transform: x = xmin * u^(-1/(alpha-1)).
   */
  powerLaw(lp: number, xmin: number, alpha: number): number {
    return xmin * Math.pow(this.uniform(lp), -1 / (alpha - 1));
  }

  /** Draw from a precomputed Zipf table (rank 1..n). */
  zipf(lp: number, table: ZipfTable): number {
    return table.sample(this.uniform(lp));
  }

  /** Snapshot of one stream's state (for tests and checkpoints). */
  streamState(lp: number): number[] {
    const o = lp * 2;
    return [this.state[o], this.state[o + 1]];
  }
}

/**
 * Zipf (discrete power law) on ranks 1..n with P(k) proportional to k^-s, s >= 0.
 * The cumulative table is built once (n float64s) and sampled by binary search, which is exact
 * for every s, including s = 1 and s < 1 where closed-form samplers need special cases.
 */
export class ZipfTable {
  readonly n: number;
  readonly s: number;
  private cdf: Float64Array;
  /**
   * Guide table (the cut-point method): guide[j] is the smallest index i with cdf[i] >= j / m, for
   * m = guide.length - 1 a power of two, so that u * m is exact and the rank of u lies between
   * guide[floor(u * m)] and guide[floor(u * m) + 1]: the binary search runs over that short range
   * (a few entries instead of log2 n cache misses) and gives the very same rank.
   */
  private guide: Int32Array;

  constructor(n: number, s: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`Zipf n must be an integer >= 1, got ${n}`);
    if (!(s >= 0) || !Number.isFinite(s)) throw new RangeError(`Zipf exponent s must be >= 0, got ${s}`);
    this.n = n;
    this.s = s;
    this.cdf = new Float64Array(n);
    let acc = 0;
    for (let k = 1; k <= n; k++) {
      acc += Math.pow(k, -s);
      this.cdf[k - 1] = acc;
    }
    for (let i = 0; i < n; i++) this.cdf[i] /= acc;
    this.cdf[n - 1] = 1;
    let m = 1;
    while (m < n && m < 1 << 24) m *= 2;
    this.guide = new Int32Array(m + 1);
    let i = 0;
    for (let j = 0; j < m; j++) {
      while (this.cdf[i] < j / m) i++;
      this.guide[j] = i;
    }
    this.guide[m] = n - 1;
  }

  /** Probability of rank k. */
  pmf(k: number): number {
    if (k < 1 || k > this.n) return 0;
    return this.cdf[k - 1] - (k > 1 ? this.cdf[k - 2] : 0);
  }

  /** Rank for a uniform u in (0,1). */
  sample(u: number): number {
    const c = this.cdf;
    const m = this.guide.length - 1;
    const j = Math.floor(u * m);
    let lo = this.guide[j], hi = this.guide[j + 1];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }
}
