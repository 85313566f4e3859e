import { describe, expect, test } from 'vitest';
import {
  SIM_EPOCH_MS,
  clearWireSizeCache,
  cpimMessageSize,
  decodeCpimMessage,
  decodePidf,
  encodeCpimMessage,
  encodePidf,
  pidfSize,
  representativeCpimMessage,
  representativePidf,
  sampleCpimMessage,
  samplePidf,
  simTimeToRfc3339,
  viewCpimMessage,
  wireSizeCacheSize,
  type PidfShape,
} from '../../sim/wire/index.js';
import { expectWireError } from './helpers.js';

const SHAPE: PidfShape = { entityLength: 24, tuples: 2, withContact: true, withNote: true, noteLength: 10, withTimestamp: true, extendedStatus: true };

describe('simTimeToRfc3339', () => {
  test('simTimeToRfc3339 counts simulated ms from 2026-01-01T00:00:00Z, with millisecond precision', () => {
    expect(SIM_EPOCH_MS).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(simTimeToRfc3339(0)).toBe('2026-01-01T00:00:00.000Z');
    expect(simTimeToRfc3339(90_061_001.9)).toBe('2026-01-02T01:01:01.001Z');
  });

  test('simTimeToRfc3339 rejects non-finite time', () => {
    expect(() => simTimeToRfc3339(Number.NaN)).toThrow(RangeError);
  });
});

describe('pidfSize / cpimMessageSize', () => {
  test('pidfSize is the UTF-8 length of the encoded representative document, which decodes to that shape', () => {
    const doc = representativePidf(SHAPE);
    expect(doc.entity).toHaveLength(24);
    const decoded = decodePidf(encodePidf(doc));
    expect(decoded.tuples).toHaveLength(2);
    expect(decoded.tuples[0]?.notes[0]?.text).toHaveLength(10);
    expect(decoded.tuples[0]?.status.extensions[0]?.name).toBe('im');
    expect(pidfSize(SHAPE)).toBe(Buffer.byteLength(encodePidf(doc), 'utf8'));
  });

  test('pidfSize grows by exactly the added characters and per tuple', () => {
    const base = pidfSize(SHAPE);
    expect(pidfSize({ ...SHAPE, entityLength: 34 })).toBe(base + 10 + 2 * 10); // entity, plus the im: contact in each tuple
    expect(pidfSize({ ...SHAPE, noteLength: 15 })).toBe(base + 2 * 5);
    const one = pidfSize({ ...SHAPE, tuples: 1 });
    expect(pidfSize({ ...SHAPE, tuples: 3 }) - base).toBe(base - one);
    expect(pidfSize({ ...SHAPE, withTimestamp: false })).toBeLessThan(base);
  });

  test('pidfSize memoises per shape and rejects negative or fractional counts', () => {
    clearWireSizeCache();
    pidfSize(SHAPE);
    pidfSize({ ...SHAPE });
    expect(wireSizeCacheSize()).toBe(1);
    pidfSize({ ...SHAPE, tuples: 0 });
    expect(wireSizeCacheSize()).toBe(2);
    expect(() => pidfSize({ ...SHAPE, tuples: -1 })).toThrow(RangeError);
    expect(() => pidfSize({ ...SHAPE, noteLength: 1.5 })).toThrow(RangeError);
  });

  test('a shape with a note but no tuples puts the note on the presentity', () => {
    expect(representativePidf({ ...SHAPE, tuples: 0 }).notes).toHaveLength(1);
  });

  test('RFC 2779 4.1.1: cpimMessageSize is the length of the encoded representative message and tracks the body length', () => {
    const shape = { fromLength: 20, toLength: 22, bodyLength: 100, withDateTime: true, withSubject: true };
    const msg = representativeCpimMessage(shape);
    const view = viewCpimMessage(decodeCpimMessage(encodeCpimMessage(msg)));
    expect([view.from?.uri.length, view.to[0]?.uri.length, view.bodyBytes]).toEqual([20, 22, 100]);
    expect(cpimMessageSize(shape)).toBe(Buffer.byteLength(encodeCpimMessage(msg), 'utf8'));
    expect(cpimMessageSize({ ...shape, bodyLength: 1100 })).toBe(cpimMessageSize(shape) + 1000);
    expect(cpimMessageSize({ ...shape, withDateTime: false })).toBe(cpimMessageSize(shape) - 'DateTime: 2026-01-01T00:00:00.000Z\r\n'.length);
  });
});

describe('samplePidf / sampleCpimMessage', () => {
  test('samplePidf builds a deterministic document from simulated values', () => {
    const text = samplePidf(
      'pres:ada@d3.sim.example',
      { id: 't1', basic: 'open', contact: 'im:ada@d3.sim.example', priority: 0.9, note: 'At the bench', atMs: 1500 },
      { id: 't2', basic: 'closed' },
    );
    expect(text).toBe(samplePidf('pres:ada@d3.sim.example', { id: 't1', basic: 'open', contact: 'im:ada@d3.sim.example', priority: 0.9, note: 'At the bench', atMs: 1500 }, { id: 't2', basic: 'closed' }));
    const doc = decodePidf(text);
    expect(doc.tuples[0]).toEqual({
      id: 't1',
      status: { basic: 'open', extensions: [] },
      contact: { uri: 'im:ada@d3.sim.example', priority: 0.9 },
      notes: [{ text: 'At the bench', lang: 'en' }],
      timestamp: '2026-01-01T00:00:01.500Z',
      extensions: [],
    });
    expect(doc.tuples[1]?.status.basic).toBe('closed');
  });

  test('samplePidf throws WireError for an invalid entity', () => {
    expectWireError(() => samplePidf('ada', { id: 't1', basic: 'open' }), 'WIRE_ERR_PIDF_BAD_ENTITY');
  });

  test('sampleCpimMessage builds a decodable message with DateTime from simulated time', () => {
    const text = sampleCpimMessage({ from: 'im:ada@d3.sim.example', fromName: 'Ada', to: ['im:bob@d9.sim.example'], body: 'hello', atMs: 60_000, subject: 'hi' });
    const view = viewCpimMessage(decodeCpimMessage(text));
    expect(view).toMatchObject({
      from: { name: 'Ada', uri: 'im:ada@d3.sim.example' },
      to: [{ uri: 'im:bob@d9.sim.example' }],
      dateTime: '2026-01-01T00:01:00.000Z',
      subjects: [{ text: 'hi' }],
      contentType: 'text/plain; charset=utf-8',
      bodyBytes: 5,
    });
  });
});
