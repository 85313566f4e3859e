/**
 * Small readers over the XML element tree shared by the PIDF decoder's
 * modules: child elements, text content, attributes, and an element's place
 * for messages; and the two RFC 3863 sections the findings cite.
 */
import type { XmlElement } from './xml.js';

/** The schema (element order, cardinality, content). */
export const SCHEMA = 'RFC 3863 s.4.4';
/** The prose rules (XML declaration, tuple ids, contact, timestamp, language). */
export const TEXT = 'RFC 3863 s.4.1';

export function childElements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => c.kind === 'element');
}

export function textOf(el: XmlElement): string {
  return el.children.map((c) => (c.kind === 'text' ? c.value : '')).join('');
}

export function where(el: XmlElement): { path: string; line: number; column: number } {
  return { path: el.path, line: el.line, column: el.column };
}

export function describe(el: XmlElement): string {
  return `${el.path} (line ${el.line})`;
}

export function attribute(el: XmlElement, local: string, ns = ''): string | undefined {
  return el.attributes.find((a) => a.ns === ns && a.local === local)?.value;
}
