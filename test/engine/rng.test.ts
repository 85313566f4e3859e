import { describe, expect, it } from 'vitest';
import { RandomStreams, ZipfTable } from '../../sim/engine/rng.js';

const N = 200_000;

describe('RandomStreams', () => {
  it('RandomStreams(seed) gives the same draws for the same seed and LP, different ones otherwise', () => {
    const a = new RandomStreams(4, 42);
    const b = new RandomStreams(4, 42);
    const c = new RandomStreams(4, 43);
    const da = Array.from({ length: 10 }, () => a.next32(2));
    expect(Array.from({ length: 10 }, () => b.next32(2))).toEqual(da);
    expect(Array.from({ length: 10 }, () => c.next32(2))).not.toEqual(da);
    expect(Array.from({ length: 10 }, () => a.next32(3))).not.toEqual(da);
  });

  it('RandomStreams streams are independent: draws on one LP do not change another LP', () => {
    const a = new RandomStreams(3, 7);
    const b = new RandomStreams(3, 7);
    for (let i = 0; i < 1000; i++) a.uniform(0);
    expect(a.uniform(1)).toBe(b.uniform(1));
  });

  it('RandomStreams.uniform stays in (0,1) with mean 1/2 and variance 1/12', () => {
    const r = new RandomStreams(1, 1);
    let s = 0, s2 = 0, min = 1, max = 0;
    for (let i = 0; i < N; i++) {
      const u = r.uniform(0);
      s += u;
      s2 += u * u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    const mean = s / N;
    expect(min).toBeGreaterThan(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(s2 / N - mean * mean - 1 / 12)).toBeLessThan(0.002);
    const u53 = r.uniform53(0);
    expect(u53).toBeGreaterThan(0);
    expect(u53).toBeLessThan(1);
  });

  it('RandomStreams.exponential(mean) has the requested mean and a memoryless tail', () => {
    const r = new RandomStreams(1, 2);
    let s = 0, above = 0;
    for (let i = 0; i < N; i++) {
      const x = r.exponential(0, 3);
      s += x;
      if (x > 3) above++;
    }
    expect(Math.abs(s / N - 3)).toBeLessThan(0.05);
    expect(Math.abs(above / N - Math.exp(-1))).toBeLessThan(0.01);
  });

  it('RandomStreams.lognormal(mu, sigma) has median e^mu and mean e^(mu + sigma^2/2)', () => {
    const r = new RandomStreams(1, 3);
    const xs: number[] = [];
    for (let i = 0; i < N; i++) xs.push(r.lognormal(0, 2, 0.5));
    xs.sort((a, b) => a - b);
    expect(Math.abs(xs[N / 2] - Math.exp(2)) / Math.exp(2)).toBeLessThan(0.02);
    const mean = xs.reduce((a, b) => a + b, 0) / N;
    expect(Math.abs(mean - Math.exp(2 + 0.125)) / Math.exp(2.125)).toBeLessThan(0.02);
  });

  it('RandomStreams.powerLaw(xmin, alpha) follows P(X > x) = (x/xmin)^(1-alpha)', () => {
    const r = new RandomStreams(1, 4);
    let over = 0;
    for (let i = 0; i < N; i++) if (r.powerLaw(0, 2, 2.5) > 8) over++;
    expect(Math.abs(over / N - Math.pow(4, -1.5))).toBeLessThan(0.005);
  });

  it('ZipfTable(n, s) samples ranks with P(k) proportional to k^-s', () => {
    const z = new ZipfTable(100, 1.2);
    let total = 0;
    for (let k = 1; k <= 100; k++) total += z.pmf(k);
    expect(total).toBeCloseTo(1, 12);
    expect(z.pmf(1) / z.pmf(2)).toBeCloseTo(Math.pow(2, 1.2), 9);
    const r = new RandomStreams(1, 5);
    const hist = new Array<number>(101).fill(0);
    for (let i = 0; i < N; i++) hist[r.zipf(0, z)]++;
    expect(hist[0]).toBe(0);
    expect(Math.abs(hist[1] / N - z.pmf(1))).toBeLessThan(0.005);
    expect(Math.abs(hist[10] / N - z.pmf(10))).toBeLessThan(0.003);
    expect(() => new ZipfTable(0, 1)).toThrow(/integer >= 1/);
  });

  it('ZipfTable.sample (guide table) gives the rank a binary search over the whole cumulative table gives, boundaries included', () => {
    for (const [n, s] of [[1, 0.8], [7, 0], [1000, 0.8], [4097, 1.5], [30_000, 0.8]] as const) {
      // the cumulative table, summed exactly as the constructor does
      const cdf = new Float64Array(n);
      let acc = 0;
      for (let k = 1; k <= n; k++) cdf[k - 1] = acc += Math.pow(k, -s);
      for (let i = 0; i < n; i++) cdf[i] /= acc;
      cdf[n - 1] = 1;
      const lowerBound = (u: number) => {
        let lo = 0;
        let hi = n - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (cdf[mid] < u) lo = mid + 1;
          else hi = mid;
        }
        return lo + 1;
      };
      const z = new ZipfTable(n, s);
      const us: number[] = [];
      const r = new RandomStreams(1, n);
      for (let i = 0; i < 20_000; i++) us.push(r.uniform(0));
      // at and beside each table value and each guide cut j / m (u * m exact for m a power of two)
      for (let i = 0; i < Math.min(n, 3000); i++) us.push(cdf[i], cdf[i] * (1 - 2 ** -52), cdf[i] * (1 + 2 ** -52));
      for (let j = 1; j < 4096; j++) us.push(j / 4096, (j / 4096) * (1 - 2 ** -52), (j / 4096) * (1 + 2 ** -52));
      let differ = 0;
      for (const u of us) if (u > 0 && u < 1 && z.sample(u) !== lowerBound(u)) differ++;
      expect(differ, `ZipfTable(${n}, ${s})`).toBe(0);
    }
  });
});
