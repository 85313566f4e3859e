/**
 * Store-and-forward of instant messages (RFC 2779 4.1 discussion; PRIM's offline delivery): with
 * behaviour.offlineStorage, a message for a closed inbox is kept by the recipient's service and
 * delivered when the inbox next opens. The messages wait in per-recipient lists over typed arrays
 * (a message is its payload a and send time), so storing allocates nothing per message.
 */
export class InboxStore {
  private head: Int32Array;
  private tail: Int32Array;
  private a = new Float64Array(256);
  private b = new Float64Array(256);
  private next = new Int32Array(256);
  private free = -1;
  private used = 0;
  /** messages stored now */
  size = 0;

  constructor(users: number) {
    this.head = new Int32Array(users).fill(-1);
    this.tail = new Int32Array(users).fill(-1);
  }

  /** Keeps message (a, b) for recipient g, after those already kept. */
  put(g: number, a: number, b: number): void {
    let i = this.free;
    if (i >= 0) this.free = this.next[i];
    else {
      if (this.used === this.a.length) this.grow();
      i = this.used++;
    }
    this.a[i] = a;
    this.b[i] = b;
    this.next[i] = -1;
    if (this.tail[g] >= 0) this.next[this.tail[g]] = i;
    else this.head[g] = i;
    this.tail[g] = i;
    this.size++;
  }

  /** Hands every message kept for g to fn, oldest first, keeping them (a read for the inspector). */
  peek(g: number, fn: (a: number, b: number) => void): void {
    for (let i = g < this.head.length ? this.head[g] : -1; i >= 0; i = this.next[i]) fn(this.a[i], this.b[i]);
  }

  /** Hands every message kept for g to fn, oldest first, and forgets them. */
  drain(g: number, fn: (a: number, b: number) => void): void {
    let i = this.head[g];
    this.head[g] = -1;
    this.tail[g] = -1;
    while (i >= 0) {
      const n = this.next[i];
      this.size--;
      this.next[i] = this.free;
      this.free = i;
      fn(this.a[i], this.b[i]);
      i = n;
    }
  }

  private grow(): void {
    const n = this.a.length * 2;
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    const next = new Int32Array(n);
    a.set(this.a);
    b.set(this.b);
    next.set(this.next);
    this.a = a;
    this.b = b;
    this.next = next;
  }
}
