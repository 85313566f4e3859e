/**
 * The report's client-server leg (RFC 2779 section 2): principals per access class and the messages
 * and bytes on their access links, up (to the home server) and down.
 */
import type { ImppPart } from '../model/impp.js';
import type { Report } from './shape.js';

export function accessReport(parts: ImppPart[]): Report['access'] {
  const sum = (f: (p: ImppPart) => number[], i: number) => parts.reduce((x, p) => x + f(p)[i], 0);
  const cls = (c: number) => ({
    users: sum((p) => p.access.users, c),
    up: { messages: sum((p) => p.access.messages, c * 2), bytes: sum((p) => p.access.bytes, c * 2) },
    down: { messages: sum((p) => p.access.messages, c * 2 + 1), bytes: sum((p) => p.access.bytes, c * 2 + 1) },
  });
  return { lan: cls(0), mobile: cls(1) };
}
