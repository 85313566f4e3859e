/**
 * Named visibility classes (RFC 2779 2.3.3, 5.2.3; PRIM watcher classes): what of each tuple a
 * watcher of a class sees. Every class sees each tuple's basic status (open or closed); a class
 * declared in `population.classes` (for example co-workers: the extended status; family: the
 * extended status, the note and the contact) sees only the fields it names. The classes are
 * assigned per (presentity, watcher) pair by rule: each applies to pairs in the same domain, in
 * different domains or any, and takes its share of them (a deterministic draw per pair); a pair
 * no class takes sees every field. Which tuples a pair sees is the separate `visibility` mix.
 *
 * A pair's class index lives in bits 3-5 of the population's edge rule (0: no class).
 */
import type { Scenario } from '../scenario/types.js';
import { hashUnit } from './population.js';

/** fields a class may hide, as a bit mask */
export const HIDE_ACTIVITY = 1;
export const HIDE_NOTE = 2;
export const HIDE_CONTACT = 4;
export const CLASS_SHIFT = 3;
export const CLASS_MASK = 7 << CLASS_SHIFT;
/** at most seven named classes (three bits of the edge rule, 0 for none) */
export const MAX_CLASSES = 7;

export interface ClassSpec {
  name: string;
  share: number;
  among: 'any' | 'same-domain' | 'other-domain';
  activity: boolean;
  note: boolean;
  contact: boolean;
}

/** The fields class `cls` (from 1; 0: none) hides. */
export function hiddenFields(classes: readonly ClassSpec[], cls: number): number {
  if (cls === 0) return 0;
  const c = classes[cls - 1];
  return (c.activity ? 0 : HIDE_ACTIVITY) | (c.note ? 0 : HIDE_NOTE) | (c.contact ? 0 : HIDE_CONTACT);
}

/** The class (from 1; 0: none) of the pair (presentity p, watcher w), same domain or not. */
export function classOfPair(s: Scenario, seed: number, p: number, w: number, sameDomain: boolean): number {
  const classes = s.population.classes;
  if (classes.length === 0) return 0;
  const u = hashUnit(seed, p, w, 10);
  let acc = 0;
  for (let k = 0; k < classes.length; k++) {
    const c = classes[k];
    if (c.among === 'same-domain' ? !sameDomain : c.among === 'other-domain' ? sameDomain : false) continue;
    acc += c.share;
    if (u < acc) return k + 1;
  }
  return 0;
}

/** The class in words, for the trace and the inspector. */
export function describeClass(classes: readonly ClassSpec[], cls: number): string {
  if (cls === 0) return 'every field';
  const c = classes[cls - 1];
  const sees = ['basic status', ...(c.activity ? ['activity'] : []), ...(c.note ? ['note'] : []), ...(c.contact ? ['contact'] : [])];
  return `class ${c.name} (${sees.join(', ')})`;
}
