/**
 * Byte sizes of simulated messages, taken from real encodings.
 *
 * The simulator costs every PIDF notification and every message/cpim IM on
 * its links. Rather than guessing constants, it asks for the size of a
 * representative document of the same *shape* (how long the addresses are,
 * how many tuples, which optional parts are present), encoded by the same
 * encoders the wire codecs use. Sizes are memoised per shape, so the cost is
 * one encode per distinct shape in a run.
 *
 * The `sample*` builders produce the actual text for one simulated message,
 * which the teaching trace shows as the message body. Everything here is
 * deterministic: timestamps come from simulated time, never from the wall
 * clock.
 */
import { encodePidf, type PidfBasic, type PidfDocument, type PidfNote, type PidfTuple } from './pidf.js';
import { buildCpimMessage, encodeCpimMessage, type CpimAddress, type CpimMessage, type CpimMessageInput } from './cpim-message.js';
import { simTimeToRfc3339 } from './syntax.js';

export interface PidfShape {
  /** Characters of the presentity URI (ASCII); values below 8 count as 8 (`pres:` plus a minimal address). */
  entityLength: number;
  /** Number of tuples (0 is allowed: PIDF permits an empty presence). */
  tuples: number;
  /** Each tuple carries `<contact priority="0.8">` with the im: form of the entity. */
  withContact: boolean;
  /** Each tuple carries one `<note xml:lang="en">` (with zero tuples, the presentity carries it). */
  withNote: boolean;
  /** Characters of each note; default DEFAULT_NOTE_LENGTH. */
  noteLength?: number;
  /** Each tuple carries a millisecond-precision `<timestamp>`. */
  withTimestamp: boolean;
  /** Each status carries one extension value besides <basic>, like `<im:im>away</im:im>` of RFC 3863 s.4.3.1. */
  extendedStatus?: boolean;
}

export interface CpimShape {
  /** Characters of the From URI (ASCII); values below 6 count as 6. */
  fromLength: number;
  /** Characters of the To URI (ASCII); values below 6 count as 6. */
  toLength: number;
  /** Bytes of the text/plain content. */
  bodyLength: number;
  withDateTime: boolean;
  withSubject: boolean;
}

export const DEFAULT_NOTE_LENGTH = 24;
const SAMPLE_SUBJECT = 'Simulated message';
const IM_NS = 'urn:ietf:params:xml:ns:pidf:im';
/** Bound on memoised shapes; a run that exceeds it simply starts over. */
const CACHE_LIMIT = 4096;

const pidfCache = new Map<string, number>();
const cpimCache = new Map<string, number>();

function count(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  return value;
}

/** A URI of exactly `length` ASCII characters (or the minimum): `scheme:uuu@d`. */
function uriOfLength(scheme: string, length: number): string {
  const fill = Math.max(3, length - scheme.length - 1);
  return `${scheme}:${'u'.repeat(fill - 2)}@d`;
}

/** The representative document whose encoding `pidfSize` measures. */
export function representativePidf(shape: PidfShape): PidfDocument {
  const entity = uriOfLength('pres', count('entityLength', shape.entityLength));
  const tupleCount = count('tuples', shape.tuples);
  const noteLength = count('noteLength', shape.noteLength ?? DEFAULT_NOTE_LENGTH);
  const note: PidfNote = { text: 'n'.repeat(noteLength), lang: 'en' };
  const tuples: PidfTuple[] = [];
  for (let i = 0; i < tupleCount; i++) {
    const tuple: PidfTuple = {
      id: `t${i + 1}`,
      status: {
        basic: 'open',
        extensions: shape.extendedStatus === true ? [{ ns: IM_NS, name: 'im', text: 'away', attributes: {}, children: [] }] : [],
      },
      notes: shape.withNote ? [{ ...note }] : [],
      extensions: [],
    };
    if (shape.withContact) tuple.contact = { uri: `im:${entity.slice('pres:'.length)}`, priority: 0.8 };
    if (shape.withTimestamp) tuple.timestamp = simTimeToRfc3339(0);
    tuples.push(tuple);
  }
  return { entity, tuples, notes: shape.withNote && tupleCount === 0 ? [note] : [], extensions: [] };
}

/** Bytes (UTF-8) of an encoded PIDF document of this shape. */
export function pidfSize(shape: PidfShape): number {
  const key = [
    shape.entityLength,
    shape.tuples,
    shape.withContact ? 1 : 0,
    shape.withNote ? 1 : 0,
    shape.noteLength ?? DEFAULT_NOTE_LENGTH,
    shape.withTimestamp ? 1 : 0,
    shape.extendedStatus === true ? 1 : 0,
  ].join('|');
  const cached = pidfCache.get(key);
  if (cached !== undefined) return cached;
  const size = Buffer.byteLength(encodePidf(representativePidf(shape)), 'utf8');
  if (pidfCache.size >= CACHE_LIMIT) pidfCache.clear();
  pidfCache.set(key, size);
  return size;
}

/**
 * The representative message whose encoding `cpimMessageSize` measures: the
 * body form a transport carries (its own Content-Type header says
 * message/cpim), From and To without formal names, text/plain UTF-8 content.
 */
export function representativeCpimMessage(shape: CpimShape): CpimMessage {
  const input: CpimMessageInput = {
    from: { uri: uriOfLength('im', count('fromLength', shape.fromLength)) },
    to: [{ uri: uriOfLength('im', count('toLength', shape.toLength)) }],
    contentType: 'text/plain; charset=utf-8',
    body: 'x'.repeat(count('bodyLength', shape.bodyLength)),
  };
  if (shape.withDateTime) input.dateTime = simTimeToRfc3339(0);
  if (shape.withSubject) input.subjects = [{ text: SAMPLE_SUBJECT }];
  return buildCpimMessage(input);
}

/** Bytes (UTF-8) of an encoded message/cpim object of this shape. */
export function cpimMessageSize(shape: CpimShape): number {
  const key = [shape.fromLength, shape.toLength, shape.bodyLength, shape.withDateTime ? 1 : 0, shape.withSubject ? 1 : 0].join('|');
  const cached = cpimCache.get(key);
  if (cached !== undefined) return cached;
  const size = Buffer.byteLength(encodeCpimMessage(representativeCpimMessage(shape)), 'utf8');
  if (cpimCache.size >= CACHE_LIMIT) cpimCache.clear();
  cpimCache.set(key, size);
  return size;
}

/** Number of memoised shapes (both formats), for tests and diagnostics. */
export function wireSizeCacheSize(): number {
  return pidfCache.size + cpimCache.size;
}

export function clearWireSizeCache(): void {
  pidfCache.clear();
  cpimCache.clear();
}

export interface SampleTuple {
  id: string;
  basic: PidfBasic;
  /** Contact URI (im:, tel:, ...). */
  contact?: string;
  /** qvalue 0..1 with at most 3 decimals. */
  priority?: number;
  note?: string;
  /** Language of `note`; default "en". */
  noteLang?: string;
  /** Simulated ms since the run epoch of the status change; becomes <timestamp>. */
  atMs?: number;
}

/** Encoded PIDF body for one simulated notification. Throws WireError on invalid values (e.g. a non-URI entity). */
export function samplePidf(entity: string, ...tuples: SampleTuple[]): string {
  return encodePidf({
    entity,
    tuples: tuples.map((t) => {
      const tuple: PidfTuple = { id: t.id, status: { basic: t.basic, extensions: [] }, notes: [], extensions: [] };
      if (t.contact !== undefined) tuple.contact = t.priority === undefined ? { uri: t.contact } : { uri: t.contact, priority: t.priority };
      if (t.note !== undefined) tuple.notes.push({ text: t.note, lang: t.noteLang ?? 'en' });
      if (t.atMs !== undefined) tuple.timestamp = simTimeToRfc3339(t.atMs);
      return tuple;
    }),
    notes: [],
    extensions: [],
  });
}

export interface SampleCpimInput {
  from: string;
  fromName?: string;
  to: string | string[];
  body: string;
  /** Simulated ms since the run epoch; becomes DateTime. */
  atMs?: number;
  subject?: string;
  /** Default `text/plain; charset=utf-8`. */
  contentType?: string;
}

/** Encoded message/cpim body (transport body form) for one simulated IM. Throws WireError on invalid values. */
export function sampleCpimMessage(input: SampleCpimInput): string {
  const from: CpimAddress = input.fromName === undefined ? { uri: input.from } : { name: input.fromName, uri: input.from };
  const built: CpimMessageInput = {
    from,
    to: (Array.isArray(input.to) ? input.to : [input.to]).map((uri) => ({ uri })),
    contentType: input.contentType ?? 'text/plain; charset=utf-8',
    body: input.body,
  };
  if (input.atMs !== undefined) built.dateTime = simTimeToRfc3339(input.atMs);
  if (input.subject !== undefined) built.subjects = [{ text: input.subject }];
  return encodeCpimMessage(buildCpimMessage(built));
}
