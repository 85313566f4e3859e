/**
 * A flat view of a message/cpim value with namespaces resolved (RFC 3862
 * s.3.4), for display by inspect and for callers that want from/to directly.
 */
import { CPIM_HEADERS_NS, cpimHeaderUrn, type CpimAddress, type CpimMessage, type CpimParam } from './cpim-model.js';

export interface CpimMessageView {
  from?: CpimAddress;
  to: CpimAddress[];
  cc: CpimAddress[];
  dateTime?: string;
  subjects: { text: string; lang?: string }[];
  namespaces: { prefix?: string; uri: string }[];
  /** Required headers/features with their full names (RFC 3862 s.3.4). */
  require: { name: string; urn: string }[];
  /** Non-core headers with the namespace they resolve to. */
  extensions: { name: string; namespace: string; urn: string; params: CpimParam[]; value: string }[];
  contentType?: string;
  bodyBytes: number;
}

/**
 * Flatten a message into per-header lists with namespaces resolved, for
 * display (inspect) and for callers that want `from`/`to` directly. A prefix
 * without an NS declaration (only possible in hand-built values) resolves to ''.
 */
export function viewCpimMessage(msg: CpimMessage): CpimMessageView {
  const view: CpimMessageView = { to: [], cc: [], subjects: [], namespaces: [], require: [], extensions: [], bodyBytes: Buffer.byteLength(msg.content.body, 'utf8') };
  let defaultNs = CPIM_HEADERS_NS;
  const prefixes = new Map<string, string>();
  const resolve = (prefix: string | undefined): string => (prefix === undefined ? defaultNs : (prefixes.get(prefix) ?? ''));
  for (const h of msg.headers) {
    switch (h.kind) {
      case 'from':
        view.from ??= h.address;
        break;
      case 'to':
        view.to.push(h.address);
        break;
      case 'cc':
        view.cc.push(h.address);
        break;
      case 'dateTime':
        view.dateTime ??= h.value;
        break;
      case 'subject':
        view.subjects.push(h.lang === undefined ? { text: h.text } : { text: h.text, lang: h.lang });
        break;
      case 'ns':
        if (h.declaredPrefix === undefined) {
          defaultNs = h.uri;
          view.namespaces.push({ uri: h.uri });
        } else {
          prefixes.set(h.declaredPrefix, h.uri);
          view.namespaces.push({ prefix: h.declaredPrefix, uri: h.uri });
        }
        break;
      case 'require':
        for (const name of h.names) {
          const dot = name.indexOf('.');
          const ns = dot === -1 ? defaultNs : (prefixes.get(name.slice(0, dot)) ?? '');
          view.require.push({ name, urn: cpimHeaderUrn(ns, dot === -1 ? name : name.slice(dot + 1)) });
        }
        break;
      case 'extension': {
        const namespace = resolve(h.prefix);
        view.extensions.push({
          name: h.prefix === undefined ? h.name : `${h.prefix}.${h.name}`,
          namespace,
          urn: cpimHeaderUrn(namespace, h.name),
          params: h.params,
          value: h.value,
        });
        break;
      }
    }
  }
  const ct = msg.content.headers.find((h) => h.name.toLowerCase() === 'content-type');
  if (ct !== undefined) view.contentType = ct.value;
  return view;
}
