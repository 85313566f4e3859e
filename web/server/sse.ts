/**
 * Server-Sent Event streams with backpressure. Each client has a bounded buffer: while its socket
 * does not drain (the last write returned false), new frames wait in a small queue where a
 * `snapshot` or `status` frame replaces the one already waiting (snapshots are cumulative, so the
 * latest says everything the dropped ones did), and `trace` frames (not cumulative) queue up to
 * TRACE_QUEUE_LIMIT bytes, past which the client is closed (it reconnects and gets the trace so far
 * as its backlog). A client that cannot take its `end` within END_GRACE_MS is destroyed rather than
 * left holding its buffer. Closing a client frees everything it held.
 *
 * A frame's text is built once per event and shared by every client (`frame`).
 */
import type { ServerResponse } from 'node:http';

/** Bytes of trace frames a congested client may have waiting before it is closed. */
export const TRACE_QUEUE_LIMIT = 4 * 1024 * 1024;
/** Wall-clock ms a congested client has to take its last frames after the run ended. */
export const END_GRACE_MS = 5000;
/** Events of which only the latest matters. */
const REPLACEABLE = new Set(['snapshot', 'status', 'sweep']);

const frames = new WeakMap<object, string>();

/** The text of one event (cached per data object, so N clients cost one JSON.stringify). */
export function frame(event: string, data: unknown): string {
  if (data !== null && typeof data === 'object') {
    const key = data as object;
    let text = frames.get(key);
    if (text === undefined) {
      text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
      frames.set(key, text);
    }
    return text;
  }
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

interface Waiting {
  event: string;
  text: string;
}

export class SseClient {
  private readonly queue: Waiting[] = [];
  private queuedBytes = 0;
  private queuedTraceBytes = 0;
  private closed = false;
  private ending = false;
  private endTimer: NodeJS.Timeout | null = null;
  /** frames replaced by a newer one while the client was congested */
  dropped = 0;
  /** the most bytes this client held at once (socket buffer + queue) */
  peakBytes = 0;

  constructor(
    private readonly raw: ServerResponse,
    private readonly onClose: (c: SseClient) => void,
  ) {
    raw.on('drain', () => this.flush());
    raw.on('close', () => this.close());
  }

  /** Bytes the server holds for this client now: not yet taken by the socket, plus waiting frames. */
  bufferedBytes(): number {
    return this.raw.writableLength + this.queuedBytes;
  }

  get congested(): boolean {
    return this.queue.length > 0 || this.raw.writableNeedDrain;
  }

  send(event: string, text: string): void {
    if (this.closed || this.ending) return;
    if (!this.congested) {
      this.raw.write(text);
      this.note();
      return;
    }
    if (REPLACEABLE.has(event)) {
      const i = this.queue.findIndex((w) => w.event === event);
      if (i >= 0) {
        this.queuedBytes -= this.queue[i].text.length;
        this.queue.splice(i, 1);
        this.dropped++;
      }
    } else if (event === 'trace') {
      if (this.queuedTraceBytes + text.length > TRACE_QUEUE_LIMIT) {
        this.destroy();
        return;
      }
      this.queuedTraceBytes += text.length;
    }
    this.queue.push({ event, text });
    this.queuedBytes += text.length;
    this.note();
  }

  /** A comment line, skipped when the client is congested (it only keeps proxies from timing out). */
  comment(text: string): void {
    if (!this.closed && !this.ending && !this.congested) this.raw.write(text);
  }

  /** Sends the last frame and ends the stream once the client has taken everything. */
  end(event: string, text: string): void {
    if (this.closed || this.ending) return;
    this.send(event, text);
    this.ending = true;
    if (!this.congested) {
      this.finish();
      return;
    }
    this.endTimer = setTimeout(() => this.destroy(), END_GRACE_MS);
    this.endTimer.unref?.();
  }

  private note(): void {
    const b = this.bufferedBytes();
    if (b > this.peakBytes) this.peakBytes = b;
  }

  private flush(): void {
    while (this.queue.length > 0 && !this.closed) {
      const w = this.queue.shift()!;
      this.queuedBytes -= w.text.length;
      if (w.event === 'trace') this.queuedTraceBytes -= w.text.length;
      if (!this.raw.write(w.text)) break;
    }
    if (this.ending && !this.congested) this.finish();
  }

  private finish(): void {
    if (!this.raw.writableEnded) this.raw.end();
    this.close();
  }

  /** Drops the connection and everything waiting for it. */
  destroy(): void {
    this.raw.destroy();
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.endTimer !== null) clearTimeout(this.endTimer);
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.queuedTraceBytes = 0;
    // a stream still open here (server shutdown, run gone): end it if it can be taken, else drop it
    if (!this.raw.writableEnded) {
      if (this.raw.writableNeedDrain) this.raw.destroy();
      else this.raw.end();
    }
    this.onClose(this);
  }
}

export interface StreamStats {
  clients: number;
  /** bytes held for all clients now */
  bufferedBytes: number;
  /** the most bytes held for one client now */
  maxClientBytes: number;
  /** the most bytes one client ever held (over clients still connected) */
  peakClientBytes: number;
  /** snapshot and status frames replaced while clients were congested, since the server started */
  dropped: number;
}

/** Every open stream of the server. */
export class SseHub {
  private readonly clients = new Set<SseClient>();
  private droppedClosed = 0;

  open(raw: ServerResponse, onClose: () => void): SseClient {
    const c = new SseClient(raw, (client) => {
      if (this.clients.delete(client)) this.droppedClosed += client.dropped;
      onClose();
    });
    this.clients.add(c);
    return c;
  }

  stats(): StreamStats {
    let bufferedBytes = 0;
    let maxClientBytes = 0;
    let peakClientBytes = 0;
    let dropped = this.droppedClosed;
    for (const c of this.clients) {
      const b = c.bufferedBytes();
      bufferedBytes += b;
      maxClientBytes = Math.max(maxClientBytes, b);
      peakClientBytes = Math.max(peakClientBytes, c.peakBytes);
      dropped += c.dropped;
    }
    return { clients: this.clients.size, bufferedBytes, maxClientBytes, peakClientBytes, dropped };
  }

  closeAll(): void {
    for (const c of [...this.clients]) c.close();
  }
}
