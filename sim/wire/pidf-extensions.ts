/**
 * PIDF extensibility (RFC 3863 s.4.2): elements other than PIDF's own are
 * ignored for PIDF semantics with all their content, kept as
 * ExtensionElement values for display; an unknown name in the PIDF namespace
 * counts as an extension (with a warning); `mustUnderstand` never makes a
 * document fail, it only widens what is ignored, and is reported.
 */
import { PIDF_ELEMENT_NAMES, PIDF_NS, type ExtensionElement } from './pidf-model.js';
import { childElements, describe, textOf } from './pidf-read.js';
import { type XmlElement, xmlCollapse, xmlTrim } from './xml.js';

export function extensionOf(el: XmlElement): ExtensionElement {
  // fromEntries defines own properties, so even an attribute named __proto__ is kept as data.
  const attributes: Record<string, string> = Object.fromEntries(
    el.attributes.map((a) => [a.ns === '' ? a.local : `{${a.ns}}${a.local}`, a.value]),
  );
  const kids = childElements(el);
  const raw = textOf(el);
  const text = kids.length > 0 ? xmlTrim(raw) : raw;
  const ext: ExtensionElement = { ns: el.ns, name: el.local, attributes, children: kids.map((k) => extensionOf(k)) };
  if (text !== '') ext.text = text;
  return ext;
}

/**
 * Classify a child: a PIDF element name, or undefined for an extension. An
 * unknown local name in the PIDF namespace is an extension too (RFC 3863
 * s.4.2: unknown elements are ignored with their content), with a warning
 * because the schema only admits ##other there.
 */
export function pidfElementName(el: XmlElement, warn: (message: string) => void): string | undefined {
  if (el.ns !== PIDF_NS) return undefined;
  if (PIDF_ELEMENT_NAMES.has(el.local)) return el.local;
  warn(`unknown element ${describe(el)} in the PIDF namespace; ignored with its content (RFC 3863 s.4.2)`);
  return undefined;
}

/** Report mustUnderstand markers inside an (ignored) extension subtree. */
export function reportMustUnderstand(ext: XmlElement, insideStatus: boolean, warn: (message: string) => void): void {
  const visit = (el: XmlElement): void => {
    const mu = el.attributes.find((a) => a.ns === PIDF_NS && a.local === 'mustUnderstand');
    if (mu !== undefined) {
      const v = xmlCollapse(mu.value);
      if (v === 'true' || v === '1') {
        warn(
          insideStatus
            ? `status extension ${describe(ext)} contains ${el.path} marked mustUnderstand, which this processor does not understand: the whole <${ext.qname}> is treated as unrecognised (RFC 3863 s.4.2)`
            : `${el.path} is marked mustUnderstand outside <status> (RFC 3863 s.4.2 allows it only inside status extensions); <${ext.qname}> is ignored like any unknown extension`,
        );
      } else if (v !== 'false' && v !== '0') {
        warn(`mustUnderstand="${mu.value}" on ${describe(el)} is not an xs:boolean; treated as false`);
      }
    }
    for (const k of childElements(el)) visit(k);
  };
  visit(ext);
}
