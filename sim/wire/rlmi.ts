/**
 * Resource List Meta-Information (RFC 4662 s.5, application/rlmi+xml): the root part of a
 * resource list server's NOTIFY. A `<list>` with the list's URI, a `version` counting the
 * notifications of the list subscription and `fullState` (true when every resource of the list
 * is listed, as in the first NOTIFY); per resource its `uri` and its back-end subscription's
 * `<instance>` (id, state active / pending / terminated, a reason when terminated, and the
 * Content-ID `cid` of the body part that carries its state when the NOTIFY has one).
 *
 * Canonical form: XML declaration, RLMI as the default namespace, two-space indentation, one
 * line per element; `<list>` always has an end tag, so the bytes of a document are those of the
 * list plus those of each resource (rlmiListBytes, rlmiResourceBytes, measured once per shape
 * on a real encoding). `decodeRlmi` reads a document back (for inspect and tests).
 */
import { WireError } from './errors.js';
import { ShapeSizes, uriOfLength } from './shape-cache.js';
import { isAbsoluteUri } from './syntax.js';
import { escapeXmlAttribute, parseXml, type XmlElement } from './xml.js';

export const RLMI_NS = 'urn:ietf:params:xml:ns:rlmi';
export const RLMI_TYPE = 'application/rlmi+xml';
export const RLMI_STATES = ['active', 'pending', 'terminated'] as const;
export type RlmiState = (typeof RLMI_STATES)[number];

export interface RlmiInstance {
  id: string;
  state: RlmiState;
  /** why a terminated instance ended (RFC 4662 s.5.2: the Subscription-State reasons) */
  reason?: string;
  /** Content-ID (without angle brackets) of the part carrying this instance's state */
  cid?: string;
}
export interface RlmiResource {
  uri: string;
  instances: RlmiInstance[];
}
export interface RlmiDocument {
  uri: string;
  version: number;
  fullState: boolean;
  resources: RlmiResource[];
}

const bad = (message: string, path: string, line?: number): never => {
  throw new WireError('WIRE_ERR_RLMI', message, line === undefined ? { path } : { path, line });
};

function instanceXml(x: RlmiInstance, path: string): string {
  if (!/^[A-Za-z0-9._~-]+$/.test(x.id)) bad(`instance id ${JSON.stringify(x.id)} is empty or holds characters this encoder does not write`, path);
  if (!RLMI_STATES.includes(x.state)) bad(`state ${JSON.stringify(x.state)} is not active, pending or terminated`, path);
  let out = `<instance id="${x.id}" state="${x.state}"`;
  if (x.reason !== undefined) out += ` reason="${escapeXmlAttribute(x.reason)}"`;
  if (x.cid !== undefined) out += ` cid="${escapeXmlAttribute(x.cid)}"`;
  return `${out}/>`;
}

function resourceLines(r: RlmiResource, i: number): string[] {
  const path = `/list/resource[${i + 1}]`;
  if (!isAbsoluteUri(r.uri)) bad(`resource uri ${JSON.stringify(r.uri)} is not an absolute URI`, path);
  const open = `  <resource uri="${escapeXmlAttribute(r.uri)}"`;
  if (r.instances.length === 0) return [`${open}/>`];
  return [`${open}>`, ...r.instances.map((x, j) => `    ${instanceXml(x, `${path}/instance[${j + 1}]`)}`), '  </resource>'];
}

export function encodeRlmi(doc: RlmiDocument): string {
  if (!isAbsoluteUri(doc.uri)) bad(`list uri ${JSON.stringify(doc.uri)} is not an absolute URI`, '/list/@uri');
  if (!Number.isSafeInteger(doc.version) || doc.version < 0) bad(`version ${doc.version} is not an unsigned integer`, '/list/@version');
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<list xmlns="${RLMI_NS}" uri="${escapeXmlAttribute(doc.uri)}" version="${doc.version}" fullState="${doc.fullState}">`,
    ...doc.resources.flatMap(resourceLines),
    '</list>',
  ];
  return `${lines.join('\n')}\n`;
}

const len = (s: string) => Buffer.byteLength(s, 'utf8');
const listSizes = new ShapeSizes<{ uri: number; versionDigits: number; full: boolean }>(
  (s) => `${s.uri}|${s.versionDigits}|${s.full}`,
  (s) => len(encodeRlmi({ uri: uriOfLength('sip', s.uri), version: 10 ** (s.versionDigits - 1), fullState: s.full, resources: [] })),
);
/** Bytes of an RLMI document listing no resource: list URI of `uriLength`, version of `versionDigits`. */
export function rlmiListBytes(uriLength: number, versionDigits: number, fullState: boolean): number {
  return listSizes.size({ uri: uriLength, versionDigits, full: fullState });
}

const resourceSizes = new ShapeSizes<{ uri: number; state: number; reason: number; cid: number }>(
  (s) => `${s.uri}|${s.state}|${s.reason}|${s.cid}`,
  (s) => {
    const base = { uri: 'sip:l@d', version: 1, fullState: true };
    const x: RlmiInstance = { id: 'i'.repeat(11), state: s.state < 0 ? 'active' : RLMI_STATES[s.state] };
    if (s.reason > 0) x.reason = 'r'.repeat(s.reason);
    if (s.cid > 0) x.cid = 'c'.repeat(s.cid);
    const r: RlmiResource = { uri: uriOfLength('sip', s.uri), instances: s.state < 0 ? [] : [x] };
    return len(encodeRlmi({ ...base, resources: [r] })) - len(encodeRlmi({ ...base, resources: [] }));
  },
);
/**
 * Bytes one resource adds to an RLMI document: its URI of `uriLength`; one instance of an
 * 11-character id (ids.ts rlmiInstanceId) in RLMI_STATES[state] (-1: no instance), with a reason
 * of `reasonLength` and a cid of `cidLength` characters (0: none).
 */
export function rlmiResourceBytes(uriLength: number, state: number, reasonLength: number, cidLength: number): number {
  return resourceSizes.size({ uri: uriLength, state, reason: reasonLength, cid: cidLength });
}

const attr = (e: XmlElement, name: string) => e.attributes.find((a) => a.ns === '' && a.local === name)?.value;
const elements = (e: XmlElement) => e.children.filter((c): c is XmlElement => c.kind === 'element');
function required(e: XmlElement, name: string): string {
  const v = attr(e, name);
  return v === undefined ? bad(`<${e.local}> has no ${name} attribute (RFC 4662 s.5.2)`, e.path, e.line) : v;
}

function decodeResource(r: XmlElement): RlmiResource {
  if (r.ns !== RLMI_NS || (r.local !== 'resource' && r.local !== 'name')) bad(`<${r.qname}> is not an RLMI resource or name`, r.path, r.line);
  const uri = required(r, 'uri');
  if (!isAbsoluteUri(uri)) bad(`resource uri ${JSON.stringify(uri)} is not an absolute URI`, r.path, r.line);
  const instances: RlmiInstance[] = [];
  for (const x of elements(r)) {
    if (x.ns === RLMI_NS && x.local === 'name') continue;
    if (x.ns !== RLMI_NS || x.local !== 'instance') bad(`<${x.qname}> is not an RLMI instance`, x.path, x.line);
    const state = required(x, 'state');
    if (!RLMI_STATES.includes(state as RlmiState)) bad(`instance state ${JSON.stringify(state)} is not active, pending or terminated`, x.path, x.line);
    const inst: RlmiInstance = { id: required(x, 'id'), state: state as RlmiState };
    const reason = attr(x, 'reason');
    const cid = attr(x, 'cid');
    if (reason !== undefined) inst.reason = reason;
    if (cid !== undefined) inst.cid = cid;
    instances.push(inst);
  }
  return { uri, instances };
}

/** Reads an RLMI document (names of lists and resources are skipped). */
export function decodeRlmi(text: string): RlmiDocument {
  const root = parseXml(text).root;
  if (root.ns !== RLMI_NS || root.local !== 'list') bad(`the root element is <${root.qname}>, not <list> in ${RLMI_NS}`, root.path, root.line);
  const version = required(root, 'version');
  const full = required(root, 'fullState');
  if (!/^[0-9]+$/.test(version)) bad(`version ${JSON.stringify(version)} is not an unsigned integer`, root.path, root.line);
  if (!['true', 'false', '1', '0'].includes(full)) bad(`fullState ${JSON.stringify(full)} is not a boolean`, root.path, root.line);
  const resources = elements(root)
    .filter((e) => !(e.ns === RLMI_NS && e.local === 'name'))
    .map(decodeResource);
  return { uri: required(root, 'uri'), version: Number(version), fullState: full === 'true' || full === '1', resources };
}
