/**
 * CPIM operations as a gateway relays them (sim/wire/cpim-operation.ts): the encoder writes one
 * `Name: value` line per attribute with fixed-width TransID and SubscriptID, the decoder reads
 * back exactly that and refuses anything else, naming the line.
 */
import { describe, expect, it } from 'vitest';
import { cpimId, cpimIdValue, decodeCpimOperation, encodeCpimOperation, ID_WIDTH, isWireError, type CpimOperation } from '../../sim/wire/index.js';

const subscribe = (sid: number, tid: number): CpimOperation => ({
  operation: 'subscribe',
  attributes: [
    { name: 'Watcher', value: 'pres:u0@a.example' },
    { name: 'Target', value: 'pres:u0@b.example' },
    { name: 'SubscriptID', value: cpimId(sid) },
    { name: 'TransID', value: cpimId(tid) },
  ],
});

function refusal(text: string): { code: string; line?: number } {
  try {
    decodeCpimOperation(text);
  } catch (e) {
    if (isWireError(e)) return { code: e.code, line: e.line };
    throw e;
  }
  throw new Error(`accepted: ${JSON.stringify(text)}`);
}

describe('CPIM operations (RFC 3859 3.1-3.3, RFC 3860 3.1-3.2)', () => {
  it('encodeCpimOperation writes the operation, then each attribute in order; decodeCpimOperation reads it back', () => {
    const op = subscribe(129, 16384);
    const text = encodeCpimOperation(op);
    expect(text).toBe(`Operation: subscribe\r\nWatcher: pres:u0@a.example\r\nTarget: pres:u0@b.example\r\nSubscriptID: 000000003l\r\nTransID: 0000000cn4\r\n`);
    expect(decodeCpimOperation(text)).toEqual(op);
    expect(cpimIdValue('0000000cn4')).toBe(16384);
  });

  it('TransID and SubscriptID are fixed-width: operations of one shape have one length, whatever the numbers', () => {
    const lengths = new Set([0, 1, 127, 2 ** 20, 2 ** 46 - 1].map((n) => encodeCpimOperation(subscribe(n, n)).length));
    expect(lengths.size).toBe(1);
    expect(cpimId(2 ** 46 - 1)).toHaveLength(ID_WIDTH);
    expect(ID_WIDTH).toBeLessThanOrEqual(40); // RFC 3859: gateways handle identifiers of up to 40 octets
  });

  it('decodeCpimOperation refuses an unknown operation, an attribute out of order, repeated or unknown, a missing TransID, an identifier not fixed-width, and names the line', () => {
    const ok = encodeCpimOperation(subscribe(1, 2));
    expect(refusal(ok.replace('subscribe', 'unsubscribe'))).toEqual({ code: 'WIRE_ERR_CPIM_OPERATION', line: 1 });
    expect(refusal(ok.replace(/Watcher: (.*)\r\nTarget: (.*)\r\n/, 'Target: $2\r\nWatcher: $1\r\n'))).toEqual({ code: 'WIRE_ERR_CPIM_OPERATION', line: 3 });
    expect(refusal(ok.replace('TransID', 'SubscriptID'))).toMatchObject({ code: 'WIRE_ERR_CPIM_OPERATION', line: 5 });
    expect(refusal(ok.replace('Target', 'Presentity'))).toMatchObject({ code: 'WIRE_ERR_CPIM_OPERATION', line: 3 });
    expect(refusal(ok.replace(/TransID: .*\r\n/, ''))).toMatchObject({ code: 'WIRE_ERR_CPIM_OPERATION' });
    expect(refusal(ok.replace('TransID: 0000000002', 'TransID: 2'))).toMatchObject({ code: 'WIRE_ERR_CPIM_OPERATION' });
    expect(refusal(ok.replace(/\r\n$/, ''))).toMatchObject({ code: 'WIRE_ERR_CPIM_OPERATION' });
    expect(refusal(ok.replace('Watcher: ', 'Watcher:'))).toEqual({ code: 'WIRE_ERR_CPIM_OPERATION', line: 2 });
    // a notify has no Duration; a response has no Watcher
    expect(() => encodeCpimOperation({ operation: 'notify', attributes: [...subscribe(1, 2).attributes.slice(0, 2), { name: 'Duration', value: '0' }, { name: 'TransID', value: cpimId(3) }] })).toThrow(/notify has no attribute Duration/);
    expect(() => encodeCpimOperation({ operation: 'response', attributes: [{ name: 'Watcher', value: 'pres:u0@a.example' }, { name: 'TransID', value: cpimId(3) }] })).toThrow(/response has no attribute Watcher/);
  });
});
