/**
 * `npm run bench -- wire [--json FILE]`: decode and encode time of the wire
 * codecs (sim/wire) per document, best of 15 rounds (the machine is often
 * shared: the best round is the least disturbed one), on a PIDF document of
 * the RFC, a generated 200-tuple PIDF, watcherinfo, a SIP NOTIFY with its
 * PIDF body, an XMPP presence, and an XMPP stream of 100 presence stanzas
 * read by XmppStreamReader. Figures only; nothing passes or fails.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  decodePidfDocument,
  decodeSip,
  decodeWatcherinfo,
  decodeXmpp,
  encodePidf,
  encodeSipMessage,
  encodeWatcherinfo,
  encodeXmpp,
  inspectText,
  representativePidf,
  representativeSip,
  representativeWatcherinfo,
  sipShapeOf,
  XmppStreamReader,
  encodeXmppStreamHeader,
} from '../sim/wire/index.js';
import { parseXml } from '../sim/wire/xml.js';

interface Case {
  name: string;
  text: string;
  run: (text: string) => unknown;
}

const ROUNDS = 15;

function bestMicros(run: (t: string) => unknown, text: string): number {
  const n = Math.max(50, Math.round(1e6 / text.length));
  for (let i = 0; i < n / 5; i++) run(text);
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) run(text);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e3 / n);
  }
  return best;
}

export function benchWire(args: string[]): number {
  const { values } = parseArgs({ args, strict: true, options: { json: { type: 'string' } } });
  const pidf200 = encodePidf(representativePidf({ entityLength: 30, tuples: 200, withContact: true, withNote: true, withTimestamp: true, extendedStatus: true }));
  const pidf1 = encodePidf(representativePidf({ entityLength: 24, tuples: 1, withContact: true, withNote: true, withTimestamp: true }));
  const winfo = encodeWatcherinfo(representativeWatcherinfo({ resourceLength: 24, watchers: 10, watcherLength: 24, status: 'active', event: 'approved', durationDigits: 3 }));
  const notifyInput = representativeSip({
    method: 'NOTIFY', requestUriLength: 30, vias: [{ transport: 'TCP', hostLength: 20 }], fromUriLength: 24, toUriLength: 24, toTag: true,
    callIdHostLength: 20, cseqDigits: 3, event: 'presence', subscriptionState: { state: 'active', expiresDigits: 4 }, contentType: 'application/pidf+xml', bodyLength: 0,
  });
  const notify = encodeSipMessage({ ...notifyInput, body: pidf1 });
  const presence = encodeXmpp({ kind: 'presence', from: 'juliet@example.com/balcony', show: 'away', status: [{ text: 'be right back', lang: 'en' }], priority: 5 }, { standalone: true });
  const stream = encodeXmppStreamHeader({ from: 'example.com', to: 'juliet@example.com', id: 's1', lang: 'en' }) +
    Array.from({ length: 100 }, (_, i) => encodeXmpp({ kind: 'presence', from: `user${i}@example.com/r`, show: 'away', status: [{ text: 'be right back' }], priority: 5 })).join('');
  const cases: Case[] = [
    { name: 'parseXml, 1-tuple PIDF', text: pidf1, run: parseXml },
    { name: 'decodePidfDocument strict, 1-tuple PIDF', text: pidf1, run: (t) => decodePidfDocument(t, { mode: 'strict' }) },
    { name: 'decodePidfDocument lenient, 1-tuple PIDF', text: pidf1, run: (t) => decodePidfDocument(t, { mode: 'lenient' }) },
    { name: 'decodePidfDocument strict, 200-tuple PIDF', text: pidf200, run: (t) => decodePidfDocument(t) },
    { name: 'decodeWatcherinfo, 10 watchers', text: winfo, run: decodeWatcherinfo },
    { name: 'decodeSip, NOTIFY (head only)', text: notify, run: decodeSip },
    { name: 'inspectText, NOTIFY with its PIDF body', text: notify, run: (t) => inspectText(t) },
    { name: 'decodeXmpp, presence', text: presence, run: decodeXmpp },
    { name: 'XmppStreamReader, 100 presences', text: stream, run: (t) => new XmppStreamReader().write(t) },
    { name: 'encodePidf, 1 tuple', text: '', run: () => encodePidf(representativePidf({ entityLength: 24, tuples: 1, withContact: true, withNote: true, withTimestamp: true })) },
    { name: 'encodeSipMessage + sipShapeOf, NOTIFY', text: '', run: () => sipShapeOf({ ...notifyInput, body: pidf1 }) && encodeSipMessage({ ...notifyInput, body: pidf1 }) },
  ];
  const rows = cases.map((c) => {
    const micros = bestMicros(c.run, c.text === '' ? 'x'.repeat(1000) : c.text);
    const bytes = Buffer.byteLength(c.text, 'utf8');
    console.log(`${c.name.padEnd(44)} ${micros.toFixed(1).padStart(8)} µs${bytes > 0 ? `  ${bytes} B, ${(bytes / micros).toFixed(1)} MB/s` : ''}`);
    return { name: c.name, bytes, microsPerDoc: micros };
  });
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ benchmark: 'wire', rows }, null, 2)}\n`);
  return 0;
}
