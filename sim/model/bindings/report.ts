/**
 * The report's `bindings` section (docs/report.md): per binding spoken in the run, its wire
 * messages and bytes in all, per second, per kind (each request and response apart, with the
 * server time they cost), per subscription lifecycle phase, per domain and per boundary between
 * two domains of that binding, per server node (per-node.ts); and what the bindings map or leave out (rules.ts). Absent when
 * every domain speaks CPIM.
 */
import type { Scenario } from '../../scenario/types.js';
import type { ImppPart } from '../part.js';
import { N_OPS } from '../messages.js';
import { N_WIRE, PHASES, PROTOCOLS, WIRE_KINDS } from './kinds.js';
import { perNodeReport, type NodeRow } from './per-node.js';
import { bindingMappings, type BindingMapping } from './rules.js';

export interface KindFigures {
  messages: number;
  bytes: number;
  /** server time (ms) its jobs took, over every domain they left or entered */
  serverMs: number;
}

export interface ProtocolReport {
  domains: string[];
  messages: number;
  bytes: number;
  perSecond: { messages: number; bytes: number };
  kinds: Record<string, KindFigures>;
  lifecycle: Record<(typeof PHASES)[number], number>;
  perDomain: Record<string, { sent: Record<string, number>; received: Record<string, number>; translated: Record<string, number>; bytes: number }>;
  boundaries: { from: string; to: string; messages: Record<string, number>; total: number; bytes: number }[];
  /** per server node of each domain speaking SIP or XMPP: its wire jobs, their server time, its utilisation (per-node.ts) */
  perNode?: NodeRow[];
}

export interface BindingsReport {
  protocols: Record<string, string>;
  cpim?: ProtocolReport;
  sip?: ProtocolReport;
  xmpp?: ProtocolReport;
  /** M_WIRE messages that could not cross between two domains of one binding */
  lost: number;
  mapped: BindingMapping[];
  transport: string;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const nonZero = (names: string[], values: (i: number) => number): Record<string, number> => {
  const out: Record<string, number> = {};
  names.forEach((n, i) => {
    const v = values(i);
    if (v !== 0) out[n] = v;
  });
  return out;
};

export function bindingsReport(sc: Scenario, parts: ImppPart[], spanMs: number): BindingsReport | undefined {
  const wired = parts.filter((p) => p.wire !== undefined);
  if (wired.length === 0) return undefined;
  const D = sc.domains.length;
  const sum = (f: (w: NonNullable<ImppPart['wire']>) => number[], n: number) => {
    const out = new Array<number>(n).fill(0);
    for (const p of wired) f(p.wire!).forEach((v, i) => (out[i] += v));
    return out;
  };
  const sent = sum((w) => w.sent, D * N_WIRE);
  const sentBytes = sum((w) => w.sentBytes, D * N_WIRE);
  const trans = sum((w) => w.translated, D * N_WIRE);
  const transBytes = sum((w) => w.translatedBytes, D * N_WIRE);
  const recv = sum((w) => w.received, D * N_WIRE);
  const phase = sum((w) => w.lifecycle, D * PHASES.length);
  const pairs = sum((w) => w.pairs, D * D * N_WIRE);
  const pairBytes = sum((w) => w.pairBytes, D * D);
  const serverMs = new Array<number>(D * N_WIRE).fill(0);
  for (const p of parts) for (const o of p.ops) for (let k = 0; k < N_WIRE; k++) serverMs[o.domain * N_WIRE + k] += (o.sumService[N_OPS + k] ?? 0) + (o.sumService[N_OPS + N_WIRE + k] ?? 0);
  const proto = sc.domains.map((d) => PROTOCOLS.indexOf(d.protocol));
  const out: BindingsReport = {
    protocols: Object.fromEntries(sc.domains.map((d) => [d.name, d.protocol])),
    lost: wired.reduce((x, p) => x + p.wire!.lost, 0),
    mapped: bindingMappings(sc),
    transport: 'TCP without TLS for every binding (the model encrypts nothing); SIP has no REGISTER in the model (a client is reachable once logged in)',
  };
  for (const pr of [0, 1, 2]) {
    const doms = sc.domains.map((_, d) => d).filter((d) => proto[d] === pr);
    if (doms.length === 0) continue;
    const names = WIRE_KINDS.map((k) => k[0]);
    const ks = WIRE_KINDS.map((k, i) => (k[1] === pr ? i : -1)).filter((i) => i >= 0);
    const kinds: Record<string, KindFigures> = {};
    let messages = 0;
    let bytes = 0;
    for (const k of ks) {
      let m = 0;
      let b = 0;
      let t = 0;
      for (const d of doms) {
        m += sent[d * N_WIRE + k] + trans[d * N_WIRE + k];
        b += sentBytes[d * N_WIRE + k] + transBytes[d * N_WIRE + k];
        t += serverMs[d * N_WIRE + k];
      }
      messages += m;
      bytes += b;
      if (m > 0) kinds[names[k]] = { messages: m, bytes: b, serverMs: round(t) };
    }
    const lifecycle = Object.fromEntries(PHASES.map((ph, i) => [ph, doms.reduce((x, d) => x + phase[d * PHASES.length + i], 0)])) as ProtocolReport['lifecycle'];
    const perDomain: ProtocolReport['perDomain'] = {};
    for (const d of doms) {
      const at = (arr: number[]) => (i: number) => arr[d * N_WIRE + ks[i]];
      const kn = ks.map((k) => names[k]);
      let db = 0;
      for (const k of ks) db += sentBytes[d * N_WIRE + k] + transBytes[d * N_WIRE + k];
      perDomain[sc.domains[d].name] = { sent: nonZero(kn, at(sent)), received: nonZero(kn, at(recv)), translated: nonZero(kn, at(trans)), bytes: db };
    }
    const boundaries: ProtocolReport['boundaries'] = [];
    for (const a of doms) {
      for (const b of doms) {
        if (a === b) continue;
        const i = a * D + b;
        const m = nonZero(ks.map((k) => names[k]), (j) => pairs[i * N_WIRE + ks[j]]);
        const total = Object.values(m).reduce((x, y) => x + y, 0);
        if (total > 0) boundaries.push({ from: sc.domains[a].name, to: sc.domains[b].name, messages: m, total, bytes: pairBytes[i] });
      }
    }
    const secs = spanMs / 1000;
    out[PROTOCOLS[pr]] = {
      domains: doms.map((d) => sc.domains[d].name),
      messages,
      bytes,
      perSecond: { messages: round(messages / secs), bytes: round(bytes / secs) },
      kinds,
      lifecycle,
      perDomain,
      boundaries,
    };
    if (pr !== 0) out[PROTOCOLS[pr]]!.perNode = perNodeReport(sc, parts, doms, ks, spanMs);
  }
  return out;
}
