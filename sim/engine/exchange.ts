/**
 * Cross-partition event exchange through SharedArrayBuffer mailboxes.
 *
 * One mailbox per ordered pair (from, to) and per window parity. During a window a partition
 * appends the events it sends into the mailboxes of the current parity; after the barrier each
 * partition drains the mailboxes addressed to it. Double buffering by parity means one barrier per
 * window is enough: a mailbox written in window k+2 was drained before its reader reached the
 * barrier that ended window k+1.
 *
 * A mailbox holds `capacity` events of EVENT_FIELDS float64s each after a 2-word header
 * (count, overflow flag). When a window sends more than that, the rest is shipped as one
 * transferred Float64Array over a MessagePort and fetched synchronously by the reader with
 * receiveMessageOnPort (postMessage enqueues before the sender reaches the barrier).
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { SimError } from '../errors.js';
import type { Kernel, Outbox } from './kernel.js';

export const EVENT_FIELDS = 7; // time, key, type, target, a, b, c
const HEADER = 2;

export function mailboxCapacity(partitions: number): number {
  if (partitions < 2) return 0;
  // about 32 MiB of mailboxes in all, between 256 and 65,536 events per mailbox
  const perBox = Math.floor((32 * 1024 * 1024) / (8 * EVENT_FIELDS * 2 * partitions * (partitions - 1)));
  return Math.max(256, Math.min(65536, perBox));
}

export function mailboxBytes(partitions: number, capacity: number): number {
  return 8 * (HEADER + capacity * EVENT_FIELDS) * partitions * partitions * 2;
}

export class Exchange implements Outbox {
  private readonly boxes: Float64Array;
  private readonly me: number;
  private readonly n: number;
  private readonly capacity: number;
  private readonly boxStride: number;
  private parity = 0;
  /** write cursor per destination for the current parity */
  private counts: Int32Array;
  private overflow: number[][];
  private sendPorts: (MessagePort | null)[];
  private recvPorts: (MessagePort | null)[];
  sent = 0;
  received = 0;

  constructor(
    buffer: SharedArrayBuffer,
    partitions: number,
    me: number,
    capacity: number,
    sendPorts: (MessagePort | null)[],
    recvPorts: (MessagePort | null)[],
  ) {
    this.boxes = new Float64Array(buffer);
    this.n = partitions;
    this.me = me;
    this.capacity = capacity;
    this.boxStride = HEADER + capacity * EVENT_FIELDS;
    this.counts = new Int32Array(partitions);
    this.overflow = [];
    for (let i = 0; i < partitions; i++) this.overflow.push([]);
    this.sendPorts = sendPorts;
    this.recvPorts = recvPorts;
  }

  private boxBase(from: number, to: number, parity: number): number {
    return ((parity * this.n + from) * this.n + to) * this.boxStride;
  }

  send(to: number, time: number, key: number, type: number, target: number, a: number, b: number, c: number): void {
    const n = this.counts[to];
    this.sent++;
    if (n < this.capacity) {
      const base = this.boxBase(this.me, to, this.parity) + HEADER + n * EVENT_FIELDS;
      const m = this.boxes;
      m[base] = time;
      m[base + 1] = key;
      m[base + 2] = type;
      m[base + 3] = target;
      m[base + 4] = a;
      m[base + 5] = b;
      m[base + 6] = c;
      this.counts[to] = n + 1;
    } else {
      this.overflow[to].push(time, key, type, target, a, b, c);
    }
  }

  /** Publishes this window's mailbox headers (and overflow) before the barrier. */
  flush(): void {
    const m = this.boxes;
    for (let to = 0; to < this.n; to++) {
      if (to === this.me) continue;
      const base = this.boxBase(this.me, to, this.parity);
      const count = this.counts[to];
      m[base] = count;
      const extra = this.overflow[to];
      if (extra.length > 0) {
        const port = this.sendPorts[to];
        if (port === null) throw new SimError('SIM_ERR_WORKER_FAILED', `partition ${this.me} has no port to partition ${to}`);
        const payload = Float64Array.from(extra);
        port.postMessage(payload, [payload.buffer]);
        extra.length = 0;
        m[base + 1] = 1;
      } else {
        m[base + 1] = 0;
      }
    }
  }

  /** After the barrier: drains the mailboxes addressed to this partition into the kernel. */
  drain(kernel: Kernel): void {
    const m = this.boxes;
    for (let from = 0; from < this.n; from++) {
      if (from === this.me) continue;
      const base = this.boxBase(from, this.me, this.parity);
      const count = m[base];
      let o = base + HEADER;
      for (let i = 0; i < count; i++, o += EVENT_FIELDS) {
        kernel.insert(m[o], m[o + 1], m[o + 2], m[o + 3], m[o + 4], m[o + 5], m[o + 6]);
      }
      this.received += count;
      if (m[base + 1] !== 0) {
        const extra = this.receiveOverflow(from);
        for (let o2 = 0; o2 < extra.length; o2 += EVENT_FIELDS) {
          kernel.insert(extra[o2], extra[o2 + 1], extra[o2 + 2], extra[o2 + 3], extra[o2 + 4], extra[o2 + 5], extra[o2 + 6]);
        }
        this.received += extra.length / EVENT_FIELDS;
      }
    }
  }

  private receiveOverflow(from: number): Float64Array {
    const port = this.recvPorts[from];
    if (port === null) throw new SimError('SIM_ERR_WORKER_FAILED', `partition ${this.me} has no port from partition ${from}`);
    // The sender posted before arriving at the barrier; the message is normally already queued.
    const deadline = Date.now() + 10_000;
    const nap = new Int32Array(new SharedArrayBuffer(4));
    for (;;) {
      const msg = receiveMessageOnPort(port);
      if (msg !== undefined) return msg.message as Float64Array;
      if (Date.now() > deadline) {
        throw new SimError('SIM_ERR_WORKER_FAILED', `partition ${this.me} did not receive the overflow batch from partition ${from}`);
      }
      Atomics.wait(nap, 0, 0, 1);
    }
  }

  /** Starts the next window: switch parity and reset write cursors. */
  nextWindow(): void {
    this.parity ^= 1;
    this.counts.fill(0);
  }
}
