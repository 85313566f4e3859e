/**
 * Element order inside a PIDF container (the sequences of the RFC 3863 s.4.4
 * schema): PIDF elements out of order, and PIDF elements the container may
 * not hold, are violations (strict mode refuses them, lenient mode reads on);
 * an extension outside the schema's ##other slot is only a warning.
 */
import type { Findings } from './findings.js';
import { pidfElementName } from './pidf-extensions.js';
import { SCHEMA, childElements, describe, where } from './pidf-read.js';
import type { XmlElement } from './xml.js';

/**
 * Check the relative order of PIDF elements inside one container and warn
 * when an extension sits where the schema does not put extensions.
 * `ranks` gives each PIDF child its position in the schema sequence and
 * `extRank` the position of the `##other` wildcard. A PIDF element the
 * container may not hold is, in lenient mode, read as an extension.
 */
export function visitInSchemaOrder(
  findings: Findings,
  container: XmlElement,
  ranks: Record<string, number>,
  extRank: number,
  visit: (child: XmlElement, pidf: string | undefined) => void,
): void {
  const warn = (message: string): void => findings.warn(message);
  let lastPidf: { name: string; rank: number } | undefined;
  let firstExt: XmlElement | undefined;
  let warned = false;
  const misplaced = (ext: XmlElement, neighbour: string): void => {
    if (warned) return;
    warned = true;
    const slot = Object.entries(ranks)
      .filter(([, r]) => r < extRank)
      .map(([n]) => `<${n}>`)
      .join(', ');
    warn(
      `extension ${describe(ext)} is placed ${neighbour}; the RFC 3863 s.4.4 schema puts extensions inside <${container.local}> after ${slot}${
        Object.values(ranks).some((r) => r > extRank) ? ' and before the remaining PIDF elements' : ''
      }`,
    );
  };
  for (const child of childElements(container)) {
    let pidf = pidfElementName(child, warn);
    const rank = pidf === undefined ? undefined : ranks[pidf];
    if (pidf !== undefined && rank === undefined) {
      const msg = `<${pidf}> is not allowed inside <${container.local}> (RFC 3863 s.4.4)`;
      findings.violate('WIRE_ERR_PIDF_UNEXPECTED_ELEMENT', SCHEMA, msg, where(child));
      pidf = undefined; // lenient: ignored with its content, like an unknown element
    }
    if (pidf === undefined || rank === undefined) {
      firstExt ??= child;
      if (lastPidf !== undefined && lastPidf.rank > extRank) misplaced(child, `after <${lastPidf.name}>`);
    } else {
      if (lastPidf !== undefined && rank < lastPidf.rank) {
        const order = Object.entries(ranks)
          .concat([['extensions', extRank]])
          .sort((a, b) => a[1] - b[1])
          .map(([n]) => n)
          .join(', ');
        const msg = `<${pidf}> comes after <${lastPidf.name}>; inside <${container.local}> the RFC 3863 s.4.4 order is ${order}`;
        findings.violate('WIRE_ERR_PIDF_ELEMENT_ORDER', SCHEMA, msg, where(child));
      }
      if (firstExt !== undefined && rank < extRank) misplaced(firstExt, `before <${pidf}>`);
      if (lastPidf === undefined || rank >= lastPidf.rank) lastPidf = { name: pidf, rank };
    }
    visit(child, pidf);
  }
}
