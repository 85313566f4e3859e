/**
 * The servers of one domain: `count` servers with `cores` service units each, one FIFO queue per
 * server, an optional queue limit (overload rejection), and per-operation statistics.
 *
 * A job is (operation, a, b): the same numbers an event carries. `submit` starts it on a free core
 * or queues it; the model schedules a completion event for the core, and on that event calls
 * `complete(core)`, which returns the finished job's fields and starts the next queued job.
 * Everything is in typed arrays; the queue is a growable ring.
 *
 * Per server node: its busy time, and for the operations from `nodeFrom` on (the protocol
 * bindings' wire messages) the jobs started and their service time, server-major
 * (`nodeCount[s * nodeOps + op - nodeFrom]`); none when nodeFrom equals ops.
 */
export interface ServiceSampler {
  (op: number): number;
}

export class ServerPool {
  readonly servers: number;
  readonly cores: number;
  readonly queueLimit: number;
  readonly ops: number;
  /** per core: job fields and times */
  readonly coreOp: Int32Array;
  readonly coreA: Float64Array;
  readonly coreB: Float64Array;
  readonly coreArrive: Float64Array;
  private coreStart: Float64Array;
  private coreBusy: Uint8Array;
  /** per server: free cores (stack) */
  private freeCores: Int32Array;
  private freeTop: Int32Array;
  /** per server FIFO ring */
  private qOp: Int32Array[];
  private qA: Float64Array[];
  private qB: Float64Array[];
  private qT: Float64Array[];
  private qHead: Int32Array;
  private qLen: Int32Array;

  // statistics per operation
  readonly count: Float64Array;
  readonly sumWait: Float64Array;
  readonly sumService: Float64Array;
  readonly rejected: Float64Array;
  busyTime = 0;
  /** per server node: busy time of the jobs it has finished */
  readonly nodeBusy: Float64Array;
  /** the operations counted per node: nodeFrom .. ops - 1 */
  readonly nodeFrom: number;
  readonly nodeOps: number;
  /** per node and counted operation: jobs started, their service time */
  readonly nodeCount: Float64Array;
  readonly nodeService: Float64Array;
  maxQueue = 0;
  rejectedOverload = 0;

  constructor(servers: number, cores: number, queueLimit: number, ops: number, nodeFrom = ops) {
    this.servers = servers;
    this.cores = cores;
    this.queueLimit = queueLimit;
    this.ops = ops;
    const n = servers * cores;
    this.coreOp = new Int32Array(n);
    this.coreA = new Float64Array(n);
    this.coreB = new Float64Array(n);
    this.coreArrive = new Float64Array(n);
    this.coreStart = new Float64Array(n);
    this.coreBusy = new Uint8Array(n);
    this.freeCores = new Int32Array(n);
    this.freeTop = new Int32Array(servers);
    for (let s = 0; s < servers; s++) {
      for (let c = 0; c < cores; c++) this.freeCores[s * cores + c] = s * cores + (cores - 1 - c);
      this.freeTop[s] = cores;
    }
    this.qOp = [];
    this.qA = [];
    this.qB = [];
    this.qT = [];
    for (let s = 0; s < servers; s++) {
      this.qOp.push(new Int32Array(64));
      this.qA.push(new Float64Array(64));
      this.qB.push(new Float64Array(64));
      this.qT.push(new Float64Array(64));
    }
    this.qHead = new Int32Array(servers);
    this.qLen = new Int32Array(servers);
    this.count = new Float64Array(ops);
    this.sumWait = new Float64Array(ops);
    this.sumService = new Float64Array(ops);
    this.rejected = new Float64Array(ops);
    this.nodeFrom = nodeFrom;
    this.nodeOps = ops - nodeFrom;
    this.nodeBusy = new Float64Array(servers);
    this.nodeCount = new Float64Array(servers * this.nodeOps);
    this.nodeService = new Float64Array(servers * this.nodeOps);
  }

  /**
   * Offers a job to server `s` at time `now`. Returns the core it started on (the caller then
   * schedules the completion after `service` ms), -1 if it was queued, or -2 if it was rejected
   * because the server's queue is full.
   */
  submit(s: number, op: number, a: number, b: number, now: number, service: number): number {
    if (this.freeTop[s] > 0) {
      const core = this.freeCores[s * this.cores + --this.freeTop[s]];
      this.start(core, op, a, b, now, now, service);
      return core;
    }
    const len = this.qLen[s];
    if (this.queueLimit > 0 && len >= this.queueLimit) {
      this.rejectedOverload++;
      this.rejected[op]++;
      return -2;
    }
    if (len === this.qOp[s].length) this.growQueue(s);
    const cap = this.qOp[s].length;
    const i = (this.qHead[s] + len) & (cap - 1);
    this.qOp[s][i] = op;
    this.qA[s][i] = a;
    this.qB[s][i] = b;
    this.qT[s][i] = now;
    this.qLen[s] = len + 1;
    if (len + 1 > this.maxQueue) this.maxQueue = len + 1;
    return -1;
  }

  private start(core: number, op: number, a: number, b: number, arrive: number, now: number, service: number): void {
    this.coreOp[core] = op;
    this.coreA[core] = a;
    this.coreB[core] = b;
    this.coreArrive[core] = arrive;
    this.coreStart[core] = now;
    this.coreBusy[core] = 1;
    this.count[op]++;
    this.sumWait[op] += now - arrive;
    this.sumService[op] += service;
    const j = op - this.nodeFrom;
    if (j >= 0) {
      const i = ((core / this.cores) | 0) * this.nodeOps + j;
      this.nodeCount[i]++;
      this.nodeService[i] += service;
    }
  }

  /**
   * Ends the job on `core` at `now` (its fields stay readable in coreOp/coreA/coreB until the
   * next call). If a job waits on that server, it starts on the same core: returns its
   * operation so that the caller draws its service time and calls `startNext`; else -1.
   */
  complete(core: number, now: number): number {
    const busy = now - this.coreStart[core];
    this.busyTime += busy;
    this.coreBusy[core] = 0;
    const s = (core / this.cores) | 0;
    this.nodeBusy[s] += busy;
    if (this.qLen[s] === 0) {
      this.freeCores[s * this.cores + this.freeTop[s]++] = core;
      return -1;
    }
    return this.qOp[s][this.qHead[s]];
  }

  /** Starts the head of the server's queue on `core` (after complete() returned its op). */
  startNext(core: number, now: number, service: number): void {
    const s = (core / this.cores) | 0;
    const h = this.qHead[s];
    const cap = this.qOp[s].length;
    this.start(core, this.qOp[s][h], this.qA[s][h], this.qB[s][h], this.qT[s][h], now, service);
    this.qHead[s] = (h + 1) & (cap - 1);
    this.qLen[s]--;
  }

  /** Calls fn for every job in service or waiting (end-of-run censuses; not the hot path). */
  forEachJob(fn: (op: number, a: number, b: number) => void): void {
    for (let c = 0; c < this.coreBusy.length; c++) if (this.coreBusy[c]) fn(this.coreOp[c], this.coreA[c], this.coreB[c]);
    for (let s = 0; s < this.servers; s++) {
      const cap = this.qOp[s].length;
      for (let i = 0; i < this.qLen[s]; i++) {
        const j = (this.qHead[s] + i) & (cap - 1);
        fn(this.qOp[s][j], this.qA[s][j], this.qB[s][j]);
      }
    }
  }

  /** Jobs waiting now, over all servers. */
  queued(): number {
    let n = 0;
    for (let s = 0; s < this.servers; s++) n += this.qLen[s];
    return n;
  }

  /** Busy time including the part of jobs still in service at `now`. */
  busyTimeAt(now: number): number {
    let t = this.busyTime;
    for (let c = 0; c < this.coreBusy.length; c++) if (this.coreBusy[c]) t += now - this.coreStart[c];
    return t;
  }

  /** Each node's busy time including the part of jobs still in service at `now` (end of run; not the hot path). */
  nodeBusyAt(now: number): Float64Array {
    const t = this.nodeBusy.slice();
    for (let c = 0; c < this.coreBusy.length; c++) if (this.coreBusy[c]) t[(c / this.cores) | 0] += now - this.coreStart[c];
    return t;
  }

  private growQueue(s: number): void {
    const oldCap = this.qOp[s].length;
    const cap = oldCap * 2;
    const h = this.qHead[s];
    const len = this.qLen[s];
    const op = new Int32Array(cap), a = new Float64Array(cap), b = new Float64Array(cap), t = new Float64Array(cap);
    for (let i = 0; i < len; i++) {
      const j = (h + i) & (oldCap - 1);
      op[i] = this.qOp[s][j];
      a[i] = this.qA[s][j];
      b[i] = this.qB[s][j];
      t[i] = this.qT[s][j];
    }
    this.qOp[s] = op;
    this.qA[s] = a;
    this.qB[s] = b;
    this.qT[s] = t;
    this.qHead[s] = 0;
  }
}
