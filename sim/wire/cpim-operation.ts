/**
 * A CPIM operation as a gateway relays it (RFC 3859 3.1-3.3 for presence, RFC 3860 3.1-3.3 for
 * instant messages): the operation and its attributes. CPIM defines the attributes, not a wire
 * format, so this is the project's own rendering for the inspector and tests: one `Name: value`
 * line per attribute, CRLF-terminated, the operation first. TransID and SubscriptID are numbers
 * of the model (sim/model/cpim-transactions.ts) written fixed-width (ids.ts: ID_WIDTH base-36
 * digits), so every operation of one shape has the same length; both are well within the
 * 40 octets RFC 3859 asks gateways to handle.
 *
 * The decoder is strict: it reads back exactly what the encoder writes (an operation RFC 3859 or
 * 3860 names, its attributes from the table below in that order, each at most once, those
 * required present), and refuses anything else with WIRE_ERR_CPIM_OPERATION naming the line.
 */
import { WireError } from './errors.js';
import { fixedId, ID_WIDTH } from './ids.js';

export type CpimOperationName = 'subscribe' | 'notify' | 'response' | 'message';

export interface CpimOperation {
  operation: CpimOperationName;
  /** attributes in the order of CPIM_ATTRIBUTES[operation] */
  attributes: { name: string; value: string }[];
}

/** The attributes of each operation in order, those required marked with `!` (RFC 3859 3.1-3.3, RFC 3860 3.1-3.2). */
export const CPIM_ATTRIBUTES: Record<CpimOperationName, readonly string[]> = {
  subscribe: ['Watcher!', 'Target!', 'Duration', 'SubscriptID', 'TransID!'],
  notify: ['Watcher!', 'Target!', 'SubscriptID', 'TransID!'],
  response: ['Status', 'Duration', 'TransID!'],
  message: ['Source!', 'Destination!', 'MaxForwards', 'TransID!'],
};

const ID_RE = new RegExp(`^[0-9a-z]{${ID_WIDTH}}$`);
const LINE_RE = /^([A-Za-z]+): (\S(?:.*\S)?)$/;

/** A TransID or SubscriptID of the model (a non-negative integer) in its fixed-width form. */
export function cpimId(n: number): string {
  return fixedId(n);
}

/** The number a fixed-width TransID or SubscriptID stands for. */
export function cpimIdValue(id: string): number {
  if (!ID_RE.test(id)) throw new WireError('WIRE_ERR_CPIM_OPERATION', `${JSON.stringify(id)} is not a fixed-width identifier of ${ID_WIDTH} base-36 digits`);
  return parseInt(id, 36);
}

export function encodeCpimOperation(op: CpimOperation): string {
  check(op);
  return [`Operation: ${op.operation}`, ...op.attributes.map((a) => `${a.name}: ${a.value}`)].map((l) => `${l}\r\n`).join('');
}

export function decodeCpimOperation(text: string): CpimOperation {
  const lines = text.split('\r\n');
  if (lines.pop() !== '') throw new WireError('WIRE_ERR_CPIM_OPERATION', 'the last line does not end with CRLF', { line: lines.length + 1 });
  const parsed = lines.map((l, i) => {
    const m = LINE_RE.exec(l);
    if (m === null) throw new WireError('WIRE_ERR_CPIM_OPERATION', `${JSON.stringify(l)} is not a "Name: value" line`, { line: i + 1 });
    return { name: m[1], value: m[2] };
  });
  const first = parsed.shift();
  if (first === undefined || first.name !== 'Operation') throw new WireError('WIRE_ERR_CPIM_OPERATION', 'the first line is not "Operation: ..."', { line: 1 });
  const op = { operation: first.value as CpimOperationName, attributes: parsed };
  check(op);
  return op;
}

/** The operation is one CPIM names, with its attributes in order, each once, the required ones there, identifiers fixed-width. */
function check(op: CpimOperation): void {
  if (!Object.hasOwn(CPIM_ATTRIBUTES, op.operation)) {
    throw new WireError('WIRE_ERR_CPIM_OPERATION', `unknown operation ${JSON.stringify(op.operation)} (subscribe, notify, response or message)`, { line: 1 });
  }
  const table = CPIM_ATTRIBUTES[op.operation];
  const names = table.map((n) => n.replace('!', ''));
  let at = 0;
  op.attributes.forEach((a, i) => {
    const k = names.indexOf(a.name);
    const where = { line: i + 2, header: a.name };
    if (k < 0) throw new WireError('WIRE_ERR_CPIM_OPERATION', `${op.operation} has no attribute ${a.name} (${names.join(', ')})`, where);
    if (k < at) throw new WireError('WIRE_ERR_CPIM_OPERATION', `${a.name} is out of order or repeated (${names.join(', ')})`, where);
    if (!/^\S(?:.*\S)?$/.test(a.value) || /[\r\n]/.test(a.value)) throw new WireError('WIRE_ERR_CPIM_OPERATION', `${a.name} has an empty or multi-line value`, where);
    if ((a.name === 'TransID' || a.name === 'SubscriptID') && !ID_RE.test(a.value)) cpimIdValue(a.value);
    at = k + 1;
  });
  for (const n of table) {
    if (n.endsWith('!') && !op.attributes.some((a) => a.name === n.slice(0, -1))) throw new WireError('WIRE_ERR_CPIM_OPERATION', `${op.operation} lacks its ${n.slice(0, -1)} attribute`);
  }
}
