/**
 * What the bindings count, per domain and wire kind: the messages a domain's principals and
 * servers send (with their bytes), those its gateway makes from CPIM for it (translated), those
 * that reach it; per boundary between two domains of one binding, the messages and bytes that
 * cross; per domain, messages per subscription lifecycle phase. Typed arrays only; the warm-up
 * takes a baseline and the part reports the change since.
 */
import type { ModelContext } from '../context.js';
import { N_WIRE, PHASES } from './kinds.js';

export interface WirePart {
  protocols: number[];
  sent: number[];
  sentBytes: number[];
  translated: number[];
  translatedBytes: number[];
  received: number[];
  lifecycle: number[];
  pairs: number[];
  pairBytes: number[];
  lost: number;
}

const NP = PHASES.length;

export class WireCounts {
  readonly sentN: Float64Array;
  readonly sentB: Float64Array;
  readonly transN: Float64Array;
  readonly transB: Float64Array;
  readonly recvN: Float64Array;
  readonly phase: Float64Array;
  readonly pairN: Float64Array;
  readonly pairB: Float64Array;
  lost = 0;
  private base: { arrays: Float64Array[]; lost: number } | null = null;

  constructor(
    private readonly ctx: ModelContext,
    private readonly proto: Uint8Array,
  ) {
    const D = ctx.D;
    const on = true;
    const n = on ? D * N_WIRE : 0;
    this.sentN = new Float64Array(n);
    this.sentB = new Float64Array(n);
    this.transN = new Float64Array(n);
    this.transB = new Float64Array(n);
    this.recvN = new Float64Array(n);
    this.phase = new Float64Array(on ? D * NP : 0);
    this.pairN = new Float64Array(on ? D * D * N_WIRE : 0);
    this.pairB = new Float64Array(on ? D * D : 0);
    const warmup = ctx.s.warmup ?? 0;
    if (on && warmup > 0) {
      const ev = ctx.on('wireWarmup', () => this.takeBaseline());
      ctx.onInit((_d, lp) => ctx.kernel.schedule(warmup, ev, lp));
    }
  }

  sent(d: number, k: number, bytes: number, phase: number): void {
    this.sentN[d * N_WIRE + k]++;
    this.sentB[d * N_WIRE + k] += bytes;
    if (phase >= 0) this.phase[d * NP + phase]++;
  }
  translated(d: number, k: number, bytes: number, phase: number): void {
    this.transN[d * N_WIRE + k]++;
    this.transB[d * N_WIRE + k] += bytes;
    if (phase >= 0) this.phase[d * NP + phase]++;
  }
  received(d: number, k: number): void {
    this.recvN[d * N_WIRE + k]++;
  }
  crossed(from: number, to: number, k: number, bytes: number): void {
    const i = from * this.ctx.D + to;
    this.pairN[i * N_WIRE + k]++;
    this.pairB[i] += bytes;
  }
  lostOne(): void {
    this.lost++;
  }

  private arrays(): Float64Array[] {
    return [this.sentN, this.sentB, this.transN, this.transB, this.recvN, this.phase, this.pairN, this.pairB];
  }
  private takeBaseline(): void {
    if (this.base === null) this.base = { arrays: this.arrays().map((x) => x.slice()), lost: this.lost };
  }

  part(): WirePart {
    const b = this.base;
    const [sent, sentBytes, translated, translatedBytes, received, lifecycle, pairs, pairBytes] = this.arrays().map((x, j) => Array.from(x, (v, i) => v - (b?.arrays[j][i] ?? 0)));
    return { protocols: Array.from(this.proto), sent, sentBytes, translated, translatedBytes, received, lifecycle, pairs, pairBytes, lost: this.lost - (b?.lost ?? 0) };
  }
}
