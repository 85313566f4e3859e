/**
 * Partial PIDF (RFC 5262, application/pidf-diff+xml) as RFC 5263 partial notifications use it:
 * a `<p:pidf-diff>` document (namespace urn:ietf:params:xml:ns:pidf-diff) with the presentity's
 * entity and the subscription's `version`, holding one RFC 5261 `<p:replace>` per changed tuple,
 * each replacing `*\/tuple[@id='X']` by the tuple's new state.
 *
 * The tuples are written by the PIDF encoder (pidf-encode.ts) and moved into the patch
 * unchanged, so a tuple takes the same bytes in a full and in a partial notification, and the
 * patch is exactly as strict as the PIDF it comes from. `pidfDiffSize` gives the bytes of a
 * patch from those of the one-tuple PIDF document of the same tuples, measured once per shape
 * on a real encoding. `decodePidfDiff` reads a patch back (for inspect and tests).
 */
import { WireError } from './errors.js';
import { encodePidf } from './pidf-encode.js';
import { decodePidfXml } from './pidf.js';
import { PIDF_NS, type PidfTuple } from './pidf-model.js';
import { ShapeSizes } from './shape-cache.js';
import { parseXml, type XmlElement } from './xml.js';

export const PIDF_DIFF_NS = 'urn:ietf:params:xml:ns:pidf-diff';
export const PIDF_DIFF_TYPE = 'application/pidf-diff+xml';

export interface PidfDiff {
  entity: string;
  /** the subscription's document counter (RFC 5263 4.1: one more with each notification) */
  version: number;
  /** tuples whose new state replaces the old one (RFC 5261 4.4, selected by id) */
  replace: PidfTuple[];
}

const selector = (id: string) => `*/tuple[@id='${id}']`;

/** The canonical patch document: XML declaration, PIDF default namespace, p: for pidf-diff. */
export function encodePidfDiff(d: PidfDiff): string {
  if (!Number.isSafeInteger(d.version) || d.version < 0) throw new WireError('WIRE_ERR_PIDF_DIFF', `version ${d.version} is not an unsigned integer`, { path: '/pidf-diff/@version' });
  if (d.replace.length === 0) throw new WireError('WIRE_ERR_PIDF_DIFF', 'a partial notification replaces at least one tuple', { path: '/pidf-diff' });
  const pidf = encodePidf({ entity: d.entity, tuples: d.replace, notes: [], extensions: [] });
  const lines = pidf.split('\n');
  // line 1: the XML declaration; line 2: <presence xmlns=... entity=...>; tuples; </presence>
  const open = lines[1].replace(/^<presence xmlns="([^"]*)"/, `<p:pidf-diff xmlns="$1" xmlns:p="${PIDF_DIFF_NS}"`).replace(/>$/, ` version="${d.version}">`);
  const body = lines.slice(2, -2).map((l) => {
    const id = /^ {2}<tuple id="([^"]*)">$/.exec(l);
    if (id !== null) return `  <p:replace sel="${selector(id[1])}">${l.slice(2)}`;
    return l === '  </tuple>' ? '  </tuple></p:replace>' : l;
  });
  return `${lines[0]}\n${open}\n${body.join('\n')}\n</p:pidf-diff>\n`;
}

const overhead = new ShapeSizes<{ versionDigits: number; ids: number[] }>(
  (s) => `${s.versionDigits}|${s.ids.join(',')}`,
  (s) => {
    const tuples: PidfTuple[] = s.ids.map((n, i) => ({ id: `t${'0'.repeat(Math.max(0, n - 1 - String(i).length))}${i}`, status: { basic: 'open', extensions: [] }, notes: [], extensions: [] }));
    const doc = { entity: 'pres:u@d', tuples, notes: [], extensions: [] };
    return Buffer.byteLength(encodePidfDiff({ entity: doc.entity, version: 10 ** (s.versionDigits - 1), replace: tuples }), 'utf8') - Buffer.byteLength(encodePidf(doc), 'utf8');
  },
);

/**
 * Bytes of the patch replacing the tuples of a PIDF document of `pidfBytes` bytes (the document
 * of those tuples alone), whose ids have `idLengths` characters, at a version of `versionDigits`.
 */
export function pidfDiffSize(pidfBytes: number, idLengths: number[], versionDigits: number): number {
  return pidfBytes + overhead.size({ versionDigits, ids: idLengths });
}

const attr = (e: XmlElement, name: string) => e.attributes.find((a) => a.ns === '' && a.local === name)?.value;
const children = (e: XmlElement) => e.children.filter((c): c is XmlElement => c.kind === 'element');

/** Reads a patch: its entity, version and replaced tuples (decoded as PIDF tuples). */
export function decodePidfDiff(text: string): PidfDiff {
  const xml = parseXml(text);
  const root = xml.root;
  if (root.ns !== PIDF_DIFF_NS || root.local !== 'pidf-diff') throw new WireError('WIRE_ERR_PIDF_DIFF', `the root element is <${root.qname}>, not <pidf-diff> in ${PIDF_DIFF_NS}`, { path: root.path });
  const entity = attr(root, 'entity');
  const version = attr(root, 'version');
  if (entity === undefined) throw new WireError('WIRE_ERR_PIDF_DIFF', 'pidf-diff has no entity attribute (RFC 5262 4)', { path: root.path });
  if (version === undefined || !/^[0-9]+$/.test(version)) throw new WireError('WIRE_ERR_PIDF_DIFF', `version ${JSON.stringify(version)} is not an unsigned integer (RFC 5262 4)`, { path: root.path });
  const replace: PidfTuple[] = [];
  for (const op of children(root)) {
    if (op.ns !== PIDF_DIFF_NS || op.local !== 'replace') throw new WireError('WIRE_ERR_PIDF_DIFF', `<${op.qname}> is not a replace operation this reader knows (RFC 5261 4.4)`, { path: op.path, line: op.line });
    const [tuple, ...more] = children(op);
    const sel = attr(op, 'sel');
    if (tuple === undefined || more.length > 0 || tuple.ns !== PIDF_NS || tuple.local !== 'tuple') throw new WireError('WIRE_ERR_PIDF_DIFF', 'a replace holds exactly one PIDF <tuple>', { path: op.path, line: op.line });
    if (sel !== selector(attr(tuple, 'id') ?? '')) throw new WireError('WIRE_ERR_PIDF_DIFF', `sel ${JSON.stringify(sel)} does not select the tuple it replaces`, { path: op.path, line: op.line });
    replace.push(...decodePidfXml({ ...xml, root: { ...root, ns: PIDF_NS, local: 'presence', qname: 'presence', attributes: root.attributes.filter((a) => a.ns === '' && a.local === 'entity'), children: [tuple] } }, { mode: 'strict' }).document.tuples);
  }
  return { entity, version: Number(version), replace };
}
