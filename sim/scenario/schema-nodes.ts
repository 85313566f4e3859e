/**
 * The kinds of node in the scenario schema table (schema.ts) and what a field of it holds.
 */
import { fraction, rate } from './fields-common.js';

export interface ScenarioProblem {
  path: string;
  message: string;
}

export interface StringNode { kind: 'string'; maxLength: number; pattern?: RegExp; patternHint?: string }
export interface IntNode { kind: 'int'; min: number; max: number }
export interface NumberNode { kind: 'number'; min: number; max: number; minExclusive?: boolean }
export interface BoolNode { kind: 'bool' }
export interface DurationNode { kind: 'duration'; min: number; max: number; minExclusive?: boolean }
export interface RateNode { kind: 'rate'; max: number }
export interface SizeNode { kind: 'size'; max: number }
export interface FractionNode { kind: 'fraction' }
/** A distribution of durations. `positive`: every draw must be > 0, and this says why. */
export interface DistNode { kind: 'dist'; max: number; positive?: string }
/** A distribution of whole counts. */
export interface CountDistNode { kind: 'countDist'; max: number }
export interface ObjectNode { kind: 'object'; fields: Field[] }
/** Named fractions that sum to 1; a key left out of a given mix is 0. */
export interface MixNode { kind: 'mix'; keys: { name: string; description: string }[] }
export interface ArrayNode { kind: 'array'; item: ObjectNode; min: number; max: number; what: string; keyField?: string }
/** An object, or null for "none". */
export interface NullableNode { kind: 'nullable'; node: ObjectNode }

export type SchemaNode =
  | StringNode
  | IntNode
  | NumberNode
  | BoolNode
  | DurationNode
  | RateNode
  | SizeNode
  | FractionNode
  | DistNode
  | CountDistNode
  | ObjectNode
  | MixNode
  | ArrayNode
  | NullableNode;

/** What a default may depend on. */
export interface DefaultContext {
  domainCount: number;
}

export interface Field {
  name: string;
  node: SchemaNode;
  description: string;
  required?: boolean;
  /** the default as a person would write it (`4/h`); it is validated like any input */
  default?: unknown;
  /** a default that depends on the rest of the document; `defaultDoc` describes it */
  defaultFn?: (ctx: DefaultContext) => unknown;
  defaultDoc?: string;
}
