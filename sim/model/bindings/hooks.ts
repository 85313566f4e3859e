/**
 * The points where a protocol binding changes the model (bindings/wire.ts implements them): the
 * model's concerns call these through ctx.wire. CPIM_ONLY, the hooks of a run whose domains all
 * speak CPIM, does nothing, so such a run is the abstract model alone.
 */
export interface WireHooks {
  /** some domain speaks a binding other than CPIM */
  readonly on: boolean;
  /** per domain: its protocol (PROTOCOLS index) */
  readonly proto: Uint8Array;
  /** a CPIM message leaves domain `from` for `to`: counted in from's terms; returns the bytes it takes on the link */
  sent(from: number, to: number, kind: number, a: number, b: number, bytes: number): number;
  /** the notification about to be sent carries tuples first .. first + count - 1 (before `sent`; RFC 5263 partial notifications) */
  notifyBody(first: number, count: number): void;
  /** the watcher information of presentity p (domain d) changed: a partial document of one watcher (status 0 pending, 1 active, 2 terminated; event WATCHER_EVENTS index) goes to its agent (RFC 3857); returns the delay of the binding's own message carrying it down the agent's access link (0: a NOTIFY already on its way carries it), or -1 when the binding has none and the model's document crosses the link */
  watcherInfo(d: number, p: number, status: number, event: number): number;
  /** it reached its final domain h, where its last hop takes `delay` more */
  received(h: number, kind: number, a: number, b: number, delay: number): void;
  /** presentity g's publish of tuples first .. first + count - 1 (status 0: closed) was processed at d */
  published(d: number, g: number, first: number, count: number, status: number, stride?: number): void;
  /** the agent of g refreshed its publication (alive: it was still there) */
  publishRefreshed(d: number, g: number, alive: boolean): void;
  /** g logged in at d: true when its binding sets up a session first, then runs event `then` (d, g, epoch) */
  login(d: number, g: number, then: number): boolean;
  /** g logged out (crashed: its agent sent nothing) */
  logout(d: number, g: number, crashed: boolean): void;
}

export const CPIM_ONLY: WireHooks = {
  on: false,
  proto: new Uint8Array(0),
  sent: (_f, _t, _k, _a, _b, bytes) => bytes,
  received: () => undefined,
  notifyBody: () => undefined,
  watcherInfo: () => -1,
  published: () => undefined,
  publishRefreshed: () => undefined,
  login: () => false,
  logout: () => undefined,
};

