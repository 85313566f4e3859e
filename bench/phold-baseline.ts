/**
 * The reference point for the kernel: a plain hand-written PHOLD loop with one typed-array binary
 * heap, no handler table, no per-LP streams, no total-order key (ties broken arbitrarily). The
 * kernel is measured against it (target: at least 80% of its events/s).
 */
export interface BaselineParams {
  lps: number;
  events: number;
  remote: number;
  lookahead: number;
  mean: number;
  until: number;
  seed: number;
}

export function pholdBaseline(p: BaselineParams): { events: number; wallMs: number } {
  const cap = p.lps * p.events + 16;
  const time = new Float64Array(cap);
  const dest = new Int32Array(cap);
  let n = 0;
  let s = (p.seed | 0) || 1;
  const rnd = (): number => {
    // xorshift32
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 0.5) / 4294967296;
  };
  const push = (t: number, d: number): void => {
    let i = n++;
    while (i > 0) {
      const par = (i - 1) >> 1;
      if (time[par] <= t) break;
      time[i] = time[par];
      dest[i] = dest[par];
      i = par;
    }
    time[i] = t;
    dest[i] = d;
  };
  const pop = (): void => {
    const t = time[--n];
    const d = dest[n];
    let i = 0;
    const half = n >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      if (c + 1 < n && time[c + 1] < time[c]) c++;
      if (time[c] >= t) break;
      time[i] = time[c];
      dest[i] = dest[c];
      i = c;
    }
    time[i] = t;
    dest[i] = d;
  };
  const counts = new Float64Array(p.lps);
  for (let lp = 0; lp < p.lps; lp++) for (let m = 0; m < p.events; m++) push(-p.mean * Math.log(rnd()), lp);
  const t0 = performance.now();
  let events = 0;
  while (n > 0) {
    const t = time[0];
    if (t >= p.until) break;
    const lp = dest[0];
    pop();
    counts[lp]++;
    events++;
    const to = rnd() < p.remote ? Math.floor(rnd() * p.lps) : lp;
    push(t + p.lookahead - p.mean * Math.log(rnd()), to);
  }
  return { events, wallMs: performance.now() - t0 };
}
