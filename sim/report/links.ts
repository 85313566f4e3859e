/**
 * The report's view of the network between domains: the directed links (messages, bytes,
 * bandwidth use, retransmissions) and the ordered pairs of domains with their messages per kind.
 * Both are sparse: a link or pair that carried nothing is left out (D x (D - 1) entries otherwise).
 */
import { MESSAGE_KINDS, N_KINDS, type ImppPart } from '../model/impp.js';
import { CPIM_KINDS } from '../model/messages.js';
import type { Scenario } from '../scenario/types.js';
import type { LinkReport, PairReport } from './shape.js';
import { round, sumArrays } from './sum.js';

export function linksReport(sc: Scenario, parts: ImppPart[], span: number): LinkReport[] {
  const D = sc.domains.length;
  const sum = (k: keyof ImppPart['links']) => sumArrays(parts, D * D, (p) => p.links[k]);
  const lm = sum('messages');
  const lb = sum('bytes');
  const lbusy = sum('busy');
  const lr = sum('retransmissions');
  const lf = sum('failed');
  const idx = new Map(sc.domains.map((d, i) => [d.name, i]));
  const bw = new Array<number>(D * D).fill(sc.linkBandwidthMbps);
  for (const l of sc.links) if (l.bandwidthMbps > 0) bw[idx.get(l.from)! * D + idx.get(l.to)!] = l.bandwidthMbps;
  const links: LinkReport[] = [];
  for (let a = 0; a < D; a++) {
    for (let b = 0; b < D; b++) {
      if (a === b) continue;
      const i = a * D + b;
      // sparse: only links that carried (or tried to carry) a message
      if (lm[i] === 0 && lb[i] === 0 && lbusy[i] === 0 && lr[i] === 0 && lf[i] === 0) continue;
      links.push({
        from: sc.domains[a].name,
        to: sc.domains[b].name,
        messages: lm[i],
        bytes: lb[i],
        bandwidthMbps: bw[i],
        utilisation: round(lbusy[i] / span, 5),
        retransmissions: lr[i],
        failed: lf[i],
      });
    }
  }
  return links;
}

export function pairsReport(sc: Scenario, parts: ImppPart[]): PairReport[] {
  const D = sc.domains.length;
  const pairMessages = sumArrays(parts, D * D * N_KINDS, (p) => p.pairMessages);
  const pairBytes = sumArrays(parts, D * D, (p) => p.pairBytes);
  const pairs: PairReport[] = [];
  for (let a = 0; a < D; a++) {
    for (let b = 0; b < D; b++) {
      if (a === b) continue;
      const i = a * D + b;
      let total = 0;
      for (let j = 0; j < N_KINDS; j++) total += pairMessages[i * N_KINDS + j];
      // sparse: only pairs that exchanged messages
      if (total === 0 && pairBytes[i] === 0) continue;
      const messages: Record<string, number> = {};
      // a binding's own kind (wire) only where it occurred, so that CPIM runs report as before
      MESSAGE_KINDS.forEach((k, j) => (j < CPIM_KINDS || pairMessages[i * N_KINDS + j] > 0 ? (messages[k] = pairMessages[i * N_KINDS + j]) : undefined));
      pairs.push({ from: sc.domains[a].name, to: sc.domains[b].name, messages, total, bytes: pairBytes[i] });
    }
  }
  return pairs;
}
