/**
 * RFC 4662 resource lists on SIP (`domains[].resourceLists`): the home server of a SIP domain is
 * a resource list server (RLS) for its users' buddy lists. A subscriber logs in and subscribes
 * once to its list (sip-dialogs.ts F_LIST, `sip:u3-list@example.com`); the RLS subscribes to each
 * member on the watcher's behalf (the model's per-edge subscriptions are these back-end
 * subscriptions):
 * - a member of the RLS's own domain is subscribed inside the server: none of its SUBSCRIBE,
 *   NOTIFY or their responses is on the wire (`internal`);
 * - a member of another domain is subscribed across the boundary as without lists, and the RLS
 *   answers each back-end NOTIFY at once (it is the subscriber).
 * Each change of a member's back-end state (a NOTIFY: active with its state; pending; terminated
 * with a reason) makes one NOTIFY to the watcher: multipart/related (RFC 2387) of an RLMI part
 * (fullState false, the member's resource and instance) and, when the member is active, the part
 * with its PIDF (pidf-diff with partial notifications). The NOTIFYs after the list SUBSCRIBE and
 * its refreshes carry the full state: every member with its last known instance and state part.
 *
 * A member of the RLS's domain is sized from its real document (known at the server); a remote
 * member's part is the full PIDF of its domain's longest entity, the stand-in the binding uses for
 * anything made from a message of another partition (the watcher's domain holds no remote state).
 * Columns per edge, written in the watcher's domain only.
 */
import type { ModelContext } from '../context.js';
import { WATCHER_SUBSCRIBER } from '../population.js';
import { multipartCloseBytes, multipartPartBytes } from '../../wire/multipart.js';
import { PIDF_DIFF_TYPE } from '../../wire/pidf-diff.js';
import { RLMI_TYPE, rlmiListBytes, rlmiResourceBytes } from '../../wire/rlmi.js';
import { ID_WIDTH } from '../../wire/ids.js';
import { P_SIP } from './kinds.js';
import type { WireMapper } from './map.js';
import { F_LIST, LIST_SUFFIX, type ClientDialogs, type DialogBodies } from './sip-dialogs.js';
import { digitsOf, SIP_REASONS } from './sip-messages.js';

/** back-end instance states (RLMI_STATES order) */
export const RL_ACTIVE = 0;
export const RL_PENDING = 1;
export const RL_TERMINATED = 2;
const PART_TYPES = [RLMI_TYPE, 'application/pidf+xml', PIDF_DIFF_TYPE];
/** boundary `b` + ID_WIDTH (multipart.ts mimeBoundary) */
const BOUNDARY = ID_WIDTH + 1;

export class ResourceListServer implements DialogBodies {
  /** per domain: its home server is an RLS */
  readonly on: Uint8Array;
  /** per edge: the back-end instance's state, the bytes of its last state part (0: none) and whether that is a pidf-diff */
  private readonly state: Uint8Array;
  private readonly part: Int32Array;
  private readonly diff: Uint8Array;
  private readonly reason: Uint8Array;
  /** per domain: part framing bytes for each PART_TYPES entry (Content-ID `id@<domain>`) */
  private readonly framing: Int32Array;
  private readonly memo = new Map<number, number>();

  constructor(
    private readonly ctx: ModelContext,
    private readonly dialogs: ClientDialogs,
    private readonly mapper: WireMapper,
    proto: Uint8Array,
  ) {
    const { s, E } = ctx;
    this.on = Uint8Array.from(s.domains, (d, i) => (proto[i] === P_SIP && d.resourceLists === true ? 1 : 0));
    this.state = new Uint8Array(E).fill(RL_PENDING);
    this.part = new Int32Array(E);
    this.diff = new Uint8Array(E);
    this.reason = new Uint8Array(E);
    this.framing = new Int32Array(s.domains.length * PART_TYPES.length);
    s.domains.forEach((dom, d) => PART_TYPES.forEach((t, j) => (this.framing[d * PART_TYPES.length + j] = multipartPartBytes(BOUNDARY, this.cidLen(d), t))));
    dialogs.bodiesOf(F_LIST, this);
  }

  private cidLen(d: number): number {
    return ID_WIDTH + 1 + this.mapper.domLen[d];
  }
  /** does watcher w hold a list subscription at its home RLS? */
  private listed(w: number): boolean {
    const { pop } = this.ctx;
    return this.on[pop.domainOf[w]] === 1 && pop.watcherKind[w] === WATCHER_SUBSCRIBER && pop.fwdStart[w + 1] > pop.fwdStart[w];
  }
  /** is edge e a back-end subscription inside its RLS's own server (nothing on the wire)? */
  internal(e: number): boolean {
    const { pop } = this.ctx;
    const wd = pop.domainOf[pop.edgeWatcher[e]];
    return this.on[wd] === 1 && wd === pop.domainOf[pop.edgePresentity[e]] && this.listed(pop.edgeWatcher[e]);
  }
  /** does edge e's back-end subscription report to a list subscription (its watcher's domain an RLS)? */
  backEnd(e: number): boolean {
    return this.listed(this.ctx.pop.edgeWatcher[e]);
  }

  login(d: number, w: number): void {
    if (!this.listed(w)) return;
    // a new list subscription: the back-end subscriptions start over
    const { pop } = this.ctx;
    for (let i = pop.fwdStart[w]; i < pop.fwdStart[w + 1]; i++) {
      this.state[pop.fwdEdge[i]] = RL_PENDING;
      this.part[pop.fwdEdge[i]] = 0;
    }
    this.dialogs.create(d, w, F_LIST);
  }
  logout(d: number, w: number, crashed: boolean): void {
    this.dialogs.end(d, w, F_LIST, crashed);
  }

  /**
   * the back-end state of edge e changed at the RLS (domain d): one NOTIFY to the watcher with that
   * resource (quiet: a back-end refresh's NOTIFY, RFC 6665 4.2.1.2, which changes nothing the watcher is told)
   */
  member(d: number, e: number, state: number, reason: number, partBytes: number, diff: boolean, quiet = false): void {
    this.state[e] = state;
    this.reason[e] = reason;
    this.part[e] = state === RL_ACTIVE ? partBytes : 0;
    this.diff[e] = diff ? 1 : 0;
    const w = this.ctx.pop.edgeWatcher[e];
    if (quiet || this.dialogs.up[F_LIST][w] === 0) return;
    const version = this.dialogs.nextVersion(w, F_LIST);
    this.dialogs.change(d, w, F_LIST, this.body(d, w, version, false, e, e + 1));
  }

  /** the full state: every member of w's list */
  full(d: number, w: number, version: number): number {
    const { pop } = this.ctx;
    return this.body(d, w, version, true, pop.fwdStart[w], pop.fwdStart[w + 1]);
  }

  /** multipart/related of the RLMI listing the resources of edges (fwd positions, or one edge when !fullState) lo .. hi - 1, and their state parts */
  private body(d: number, w: number, version: number, fullState: boolean, lo: number, hi: number): number {
    const { pop } = this.ctx;
    const NT = PART_TYPES.length;
    const cid = this.cidLen(d);
    let rlmi = this.listBytes(this.mapper.jidLen(w) + 4 + LIST_SUFFIX.length, digitsOf(version), fullState);
    let parts = 0;
    for (let i = lo; i < hi; i++) {
      const e = fullState ? pop.fwdEdge[i] : i;
      const st = this.state[e];
      const hasPart = st === RL_ACTIVE && this.part[e] > 0;
      rlmi += this.resourceBytes(this.mapper.jidLen(pop.edgePresentity[e]) + 4, st, st === RL_TERMINATED ? SIP_REASONS[this.reason[e]].length : 0, hasPart ? cid : 0);
      if (hasPart) parts += this.framing[d * NT + (this.diff[e] ? 2 : 1)] + this.part[e];
    }
    return this.framing[d * NT] + rlmi + parts + multipartCloseBytes(BOUNDARY);
  }

  private listBytes(uri: number, vd: number, full: boolean): number {
    const key = -((uri * 12 + vd) * 2 + (full ? 1 : 0)) - 1;
    let v = this.memo.get(key);
    if (v === undefined) this.memo.set(key, (v = rlmiListBytes(uri, vd, full)));
    return v;
  }
  private resourceBytes(uri: number, state: number, reason: number, cid: number): number {
    const key = ((uri * 4 + state) * 32 + reason) * 512 + cid;
    let v = this.memo.get(key);
    if (v === undefined) this.memo.set(key, (v = rlmiResourceBytes(uri, state, reason, cid)));
    return v;
  }
}
