/**
 * What the gateways (gateways.ts) ask of each concern that sends messages between domains: the
 * handlers of each message kind (the event that receives it, its destination, its size when
 * relayed, what happens when it cannot cross or is refused), and the gateways' interface.
 */
import type { CpimTransactions } from './cpim-transactions.js';
import type { GatewayIds } from './bindings/gateway-ids.js';
import { C } from './context.js';
import type { FifoStation } from './federation.js';
import { ENVELOPE } from './messages.js';

export interface KindHandlers {
  /** the event that receives the message in its final domain */
  arrive: number;
  /** the final domain of a message with first payload a */
  dest(a: number): number;
  /** its size when a gateway relays it from domain h */
  bytes(a: number, h: number): number;
  /** its size on the cluster network from the gateways' node to its recipient's (default `bytes`); from state the arrival node holds */
  hopBytes?(a: number, h: number): number;
  /** the message could not cross from d (why: unreachable, loop, gateway down, gateway overload) */
  failed(d: number, a: number, b: number, why: string): void;
  /** a gateway of domain h refused the message (the refusal travels back to the requester) */
  refused(h: number, a: number, why: string, imCode: number): void;
  /** the principal whose identity a request claims (subscriber, fetcher, sender), or -1 */
  claimant?(a: number): number;
  /** a copy of a message that already has its outcome: not sent again (IM retransmissions) */
  settled?(a: number, b: number): boolean;
  /** the message has crossed the link */
  crossed?(a: number, b: number): void;
  /** delay of the recipient's access link (the last hop), drawn in its domain h when the message is delivered there */
  lastHop?(h: number, a: number, b: number): number;
  /** the message's next step (a retransmission, or the sender's failure handling) falls after the run's end: it is dropped */
  pastEnd?(a: number, b: number): void;
}

/**
 * The handlers of a response kind (subscribe and fetch responses, IM reports): it arrives as
 * `arrive` in domain dest(a), has the size of a response, and one that cannot cross is counted
 * as lost (responses follow the reverse path and are retransmitted until it is back).
 */
export function responseKind(counters: Float64Array, arrive: number, dest: (a: number) => number, extra: Partial<KindHandlers> = {}): KindHandlers {
  return {
    arrive,
    dest,
    bytes: () => ENVELOPE.response,
    failed: () => {
      counters[C.responsesLost]++;
    },
    refused: () => undefined,
    ...extra,
  };
}

export interface Gateways {
  /** Sends an event to domain `to`: at once inside a domain, else through the gateways. */
  send(from: number, to: number, type: number, a: number, b: number, kind: number, bytes: number): void;
  register(kind: number, h: KindHandlers): void;
  /**
   * For a pending event of type `type` with second payload b: the kind of message it carries
   * between gateways (or -1 when it is not a gateway's event), its own b in `transitB`. For
   * censuses at the end of a run.
   */
  inTransit(type: number, b: number): number;
  transitB: number;
  /** statistics for the report and the live view */
  readonly stations: (FifoStation[] | null)[];
  readonly pairMessages: Float64Array;
  readonly pairBytes: Float64Array;
  readonly link: { messages: Float64Array; bytes: Float64Array; busy: Float64Array; retransmissions: Float64Array; failed: Float64Array };
  /** TransID and SubscriptID at the boundary (cpim-transactions.ts) */
  readonly cpim: CpimTransactions;
  /** where a SIP or XMPP domain meets another binding: its gateway's mapping of TransID and SubscriptID to its side's identifiers (bindings/gateway-ids.ts), else null */
  readonly ids: GatewayIds | null;
}
