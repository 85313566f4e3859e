/**
 * The presence document (PIDF, RFC 3863) of a presentity's state as one watcher may see it, and its
 * size. A view is the projection the access rules allow: all tuples, the first tuple only (a
 * visibility class), or the fixed closed view given to a politely blocked watcher (RFC 2779
 * 5.1.15). Each tuple carries its basic status, its extended status (the `im` namespace of RFC
 * 3863 4.3: available, away, busy, on-the-phone; offline when closed), its contact with the
 * device's priority, its note if the agent set one, and the time of its last change.
 *
 * `ViewSizer` gives the encoded size of a view from the state columns without encoding: sizes of
 * the parts (document head, a tuple, a note) are measured once on real encodings and added up;
 * a test holds them equal to the real encoding's length.
 */
import type { Scenario } from '../scenario/types.js';
import { encodePidf, type PidfDocument, type PidfTuple } from '../wire/pidf.js';
import { simTimeToRfc3339 } from '../wire/syntax.js';
import type { Population } from './population.js';
import { HIDE_ACTIVITY, HIDE_CONTACT, HIDE_NOTE } from './visibility.js';

/** Extended status per tuple (index 0: closed). */
export const ACTIVITIES = ['offline', 'available', 'away', 'busy', 'on-the-phone'] as const;
/** Notes an agent may set (index 0: none), and the ones that go with each activity. */
export const NOTES = ['', 'In the office', 'Working from home', 'Back soon', 'Out for lunch', 'In a meeting', 'Do not disturb', 'On a call'] as const;
const NOTES_BY_ACTIVITY: readonly (readonly number[])[] = [[0], [0, 1, 2], [3, 4], [5, 6], [7]];

export const VIEW_FULL = 0;
export const VIEW_FIRST_TUPLE = 1;
export const VIEW_POLITE = 2;
export const VIEW_NAMES = ['all tuples', 'first tuple only', 'polite block: fixed closed view'] as const;

const IM_NS = 'urn:ietf:params:xml:ns:pidf:im';

/** The note an agent sets with an activity, chosen by the unit draw u in [0, 1). */
export function noteFor(activity: number, u: number): number {
  const list = NOTES_BY_ACTIVITY[activity];
  return list[Math.min(list.length - 1, Math.floor(u * list.length))];
}

/** A device's contact priority: the first device is preferred (RFC 3863 4.1.4 qvalues). */
export function priorityOf(tuple: number): number {
  return tuple === 0 ? 1 : Math.max(1, 10 - tuple) / 10;
}

/** One tuple as the state columns hold it (index: the tuple's number at its presentity, from 0). */
export interface TupleState {
  index: number;
  basic: number;
  activity: number;
  note: number;
  atMs: number;
}

/** The fixed closed view of a politely blocked watcher: one closed tuple, changed at the run's start. */
export const POLITE_TUPLE: TupleState = { index: 0, basic: 0, activity: 0, note: 0, atMs: 0 };

/**
 * The PIDF document of presentity `entity` ("pres:u3@alpha.example") carrying `tuples` (the ones
 * the view includes; ignored for the polite-block view), without the fields `hide` (visibility.ts
 * HIDE_*: a named visibility class's projection).
 */
export function viewDocument(entity: string, view: number, tuples: readonly TupleState[], hide = 0): PidfDocument {
  const contact = `im:${entity.slice(entity.indexOf(':') + 1)}`;
  const polite = view === VIEW_POLITE;
  const shown = polite ? [POLITE_TUPLE] : tuples;
  const h = polite ? 0 : hide;
  return {
    entity,
    tuples: shown.map(
      (t): PidfTuple => ({
        id: `t${t.index + 1}`,
        status: { basic: t.basic ? 'open' : 'closed', extensions: h & HIDE_ACTIVITY ? [] : [{ ns: IM_NS, name: 'im', text: ACTIVITIES[t.activity], attributes: {}, children: [] }] },
        ...(h & HIDE_CONTACT ? {} : { contact: { uri: contact, priority: priorityOf(t.index) } }),
        notes: t.note > 0 && !(h & HIDE_NOTE) ? [{ text: NOTES[t.note], lang: 'en' }] : [],
        timestamp: simTimeToRfc3339(t.atMs),
        extensions: [],
      }),
    ),
    notes: [],
    extensions: [],
  };
}

/** The presentity URI of user g. */
export function entityOf(s: Scenario, pop: Population, g: number): string {
  const d = pop.domainOf[g];
  return `pres:u${g - pop.domainStart[d]}@${s.domains[d].name}`;
}

const digits = (k: number) => (k < 10 ? 1 : k < 100 ? 2 : k < 1000 ? 3 : k < 10000 ? 4 : k < 100000 ? 5 : k < 1e6 ? 6 : k < 1e7 ? 7 : k < 1e8 ? 8 : 9);

export class ViewSizer {
  /** bytes of the document without tuples, and of one tuple, for an entity of length `ref` */
  private readonly head: number;
  private readonly tuple: number;
  private readonly ref: number;
  private readonly noteOverhead: number;
  private readonly tupleExtra: Int32Array;
  private readonly activityExtra: Int32Array;
  private readonly noteBytes: Int32Array;
  private readonly domainLen: Int32Array;
  /** bytes a hidden activity (of activity 2) and a hidden contact (of tuple 0, reference entity) take off a tuple; the im namespace declaration, off the document */
  private readonly activityBytes: number;
  private readonly activityNs: number;
  private readonly contactBytes: number;

  constructor(
    s: Scenario,
    private readonly pop: Population,
    tuples: number,
  ) {
    const entity = 'pres:u0@d';
    this.ref = entity.length;
    const one: TupleState = { index: 0, basic: 1, activity: 2, note: 0, atMs: 0 };
    const size = (ts: TupleState[], hide = 0) => Buffer.byteLength(encodePidf(viewDocument(entity, VIEW_FULL, ts, hide)));
    const s1 = size([one]);
    const s2 = size([one, { ...one, index: 1 }]);
    // the second tuple differs from the first by its id and priority only: measure with equal ones
    this.tuple = s2 - s1 - (`t2`.length - `t1`.length) - (String(priorityOf(1)).length - String(priorityOf(0)).length);
    this.head = s1 - this.tuple;
    this.noteOverhead = size([{ ...one, note: 1 }]) - s1 - NOTES[1].length;
    this.tupleExtra = Int32Array.from({ length: Math.max(1, tuples) }, (_, i) => `t${i + 1}`.length - 2 + String(priorityOf(i)).length - 1);
    // activity 0 is a closed tuple: its basic status reads "closed" instead of "open"
    this.activityExtra = Int32Array.from(ACTIVITIES, (a, i) => a.length - ACTIVITIES[2].length + (i === 0 ? 'closed'.length - 'open'.length : 0));
    this.noteBytes = Int32Array.from(NOTES, (n, i) => (i === 0 ? 0 : this.noteOverhead + n.length));
    this.domainLen = Int32Array.from(s.domains, (d) => d.name.length);
    const two = [one, { ...one, index: 1 }];
    this.activityBytes = s2 - size(two, HIDE_ACTIVITY) - (s1 - size([one], HIDE_ACTIVITY));
    this.activityNs = s1 - size([one], HIDE_ACTIVITY) - this.activityBytes;
    this.contactBytes = s1 - size([one], HIDE_CONTACT);
  }

  /** Length of user g's presentity URI less the reference entity's. */
  private entityDelta(g: number): number {
    const d = this.pop.domainOf[g];
    return digits(g - this.pop.domainStart[d]) - 1 + this.domainLen[d] - 1;
  }

  /**
   * Bytes of a document of presentity g carrying `count` of its tuples from `first` on, every
   * `stride`-th (a device's tuples: stride = devices), whose columns start at `base` (g * tuples);
   * the polite-block view ignores them.
   */
  size(g: number, view: number, first: number, count: number, base: number, activity: Uint8Array, note: Uint8Array, hide = 0, stride = 1): number {
    const delta = this.entityDelta(g);
    if (view === VIEW_POLITE) return this.head + this.tuple + 2 * delta + this.activityExtra[0];
    let bytes = this.head + delta - (hide & HIDE_ACTIVITY && count > 0 ? this.activityNs : 0);
    for (let k = 0, i = first; k < count; k++, i += stride) {
      const a = activity[base + i];
      bytes += this.tuple + delta + this.tupleExtra[i] + this.activityExtra[a] + this.noteBytes[note[base + i]];
      if (hide === 0) continue;
      // a hidden activity keeps the basic status (open/closed); a hidden contact takes its URI and priority
      if (hide & HIDE_ACTIVITY) bytes -= this.activityBytes + ACTIVITIES[a].length - ACTIVITIES[2].length;
      if (hide & HIDE_NOTE) bytes -= this.noteBytes[note[base + i]];
      if (hide & HIDE_CONTACT) bytes -= this.contactBytes + delta + String(priorityOf(i)).length - 1;
    }
    return bytes;
  }
}
