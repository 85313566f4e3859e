/**
 * Thresholds (SLO gates) over any figure of a run report: `latency.notification.p99 < 500ms`,
 * `domains.*.utilisation < 0.7`, `im.failed / im.sent < 0.001`.
 *
 * Grammar: `EXPR CMP EXPR` with CMP one of `< <= > >= == !=`; EXPR is arithmetic (`+ - * /`,
 * parentheses, unary minus) over numbers and paths. A number may carry a unit: `us ms s min h`
 * (to the report's milliseconds), `%` (/100), `B kB KB MB GB` (bytes). A path is a dotted path into
 * the report JSON (docs/report.md) or a key figure (figures.ts, e.g. `maxUtilisation`): `.key`,
 * `.0` or `[0]` for list items, `[name]` for a key with odd characters, and `*` for every key or
 * item. Keys that contain dots (domain names) resolve by longest match: `domains.alpha.example.utilisation`.
 * A `-` between two paths must have spaces around it (`a - b`); inside brackets it is part of a key.
 *
 * With wildcards an expression has one value per match; the threshold holds when it holds for
 * every match. Two wildcard operands combine match by match; a single value applies to all.
 * Division: 0 / 0 is 0 (nothing sent, nothing failed); x / 0 is Infinity.
 */
import type { Report } from '../run.js';
import { keyFigures } from './figures.js';
import { bad, UNITS, type Cmp, type Node, type Threshold } from './threshold-expression.js';

export { parseThreshold, type Cmp, type Threshold } from './threshold-expression.js';

/** Values of one side: one per wildcard binding ('' when there is no wildcard). */
export type SideValues = Map<string, number>;

export interface ThresholdValue {
  binding: string;
  left: number;
  right: number;
  passed: boolean;
}

export interface ThresholdOutcome {
  threshold: string;
  passed: boolean;
  values: ThresholdValue[];
  /** the failing value furthest from its bound, or the value nearest to failing */
  worst: ThresholdValue | null;
}

export function thresholdContext(report: Report): Record<string, unknown> {
  const ctx: Record<string, unknown> = { ...report };
  for (const [k, v] of Object.entries(keyFigures(report))) if (!k.includes('.') && !(k in ctx)) ctx[k] = v;
  return ctx;
}

function keysOf(x: unknown): string[] {
  if (Array.isArray(x)) return x.map((_, i) => String(i));
  if (typeof x === 'object' && x !== null) return Object.keys(x);
  return [];
}

/** Resolves a path with wildcards; returns binding -> value (non-numbers are an error). */
function resolvePath(text: string, node: { segs: string[]; text: string }, ctx: unknown): SideValues {
  const out: SideValues = new Map();
  const walk = (x: unknown, i: number, binding: string[], where: string) => {
    if (i === node.segs.length) {
      let v = x;
      if (typeof v === 'boolean') v = v ? 1 : 0;
      if (typeof v !== 'number') {
        const what = v === null || v === undefined ? 'nothing' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? `a mapping (keys: ${Object.keys(v as object).slice(0, 12).join(', ')})` : typeof v;
        throw bad(text, `${where || node.text} is ${what}, not a number`);
      }
      out.set(binding.join('/'), v);
      return;
    }
    const seg = node.segs[i];
    if (seg === '*') {
      const ks = keysOf(x);
      if (typeof x !== 'object' || x === null) throw bad(text, `'*' after ${where || '(the report)'} which is not a mapping or list`);
      for (const k of ks) walk((x as Record<string, unknown>)[k], i + 1, [...binding, labelOf(x, k)], `${where}.${k}`);
      return;
    }
    if (typeof x !== 'object' || x === null) throw bad(text, `${where} has no field '${seg.replace('\u0000', '')}'`);
    const obj = x as Record<string, unknown>;
    if (seg.startsWith('\u0000')) {
      const key = seg.slice(1);
      if (!(key in obj)) throw bad(text, `${where || 'the report'} has no key '${key}' (keys: ${keysOf(x).slice(0, 20).join(', ')})`);
      walk(obj[key], i + 1, binding, `${where}[${key}]`);
      return;
    }
    // longest match over consecutive plain segments (keys with dots, such as domain names)
    for (let j = node.segs.length; j > i; j--) {
      const parts = node.segs.slice(i, j);
      if (parts.some((s) => s === '*' || s.startsWith('\u0000'))) continue;
      const key = parts.join('.');
      if (Object.prototype.hasOwnProperty.call(obj, key)) {
        walk(obj[key], j, binding, where ? `${where}.${key}` : key);
        return;
      }
    }
    const ks = keysOf(x);
    throw bad(text, `${where || 'the report'} has no field '${seg}'${ks.length ? ` (fields: ${ks.slice(0, 20).join(', ')}${ks.length > 20 ? ', ...' : ''})` : ''}`);
  };
  walk(ctx, 0, [], '');
  return out;
}

/** A readable label of a wildcard match: the key, or for list items their from/to or name when they have one. */
function labelOf(parent: unknown, k: string): string {
  if (!Array.isArray(parent)) return k;
  const it = parent[Number(k)] as Record<string, unknown> | undefined;
  if (it && typeof it === 'object') {
    if (typeof it.from === 'string' && typeof it.to === 'string') return `${it.from}->${it.to}`;
    if (typeof it.name === 'string') return it.name;
  }
  return k;
}

function combine(a: SideValues, b: SideValues, f: (x: number, y: number) => number, text: string): SideValues {
  const out: SideValues = new Map();
  if (a.size === 1 && a.has('')) {
    const x = a.get('')!;
    for (const [k, y] of b) out.set(k, f(x, y));
    return out;
  }
  if (b.size === 1 && b.has('')) {
    const y = b.get('')!;
    for (const [k, x] of a) out.set(k, f(x, y));
    return out;
  }
  for (const [k, x] of a) {
    if (!b.has(k)) continue;
    out.set(k, f(x, b.get(k)!));
  }
  if (out.size === 0 && a.size > 0 && b.size > 0) throw bad(text, 'two wildcard operands match different keys and cannot be combined');
  return out;
}

const div = (x: number, y: number) => (y === 0 ? (x === 0 ? 0 : x > 0 ? Infinity : -Infinity) : x / y);

function evalNode(text: string, n: Node, ctx: unknown): SideValues {
  switch (n.kind) {
    case 'num':
      return new Map([['', n.value]]);
    case 'path':
      return resolvePath(text, n, ctx);
    case 'neg': {
      const v = evalNode(text, n.arg, ctx);
      return new Map([...v].map(([k, x]) => [k, -x]));
    }
    case 'bin': {
      const a = evalNode(text, n.left, ctx);
      const b = evalNode(text, n.right, ctx);
      const f = n.op === '+' ? (x: number, y: number) => x + y : n.op === '-' ? (x: number, y: number) => x - y : n.op === '*' ? (x: number, y: number) => x * y : div;
      return combine(a, b, f, text);
    }
  }
}

/** The values of both sides of a threshold for one report context (thresholdContext). */
export function evaluateSides(t: Threshold, ctx: unknown): { left: SideValues; right: SideValues } {
  return { left: evalNode(t.text, t.left, ctx), right: evalNode(t.text, t.right, ctx) };
}

export function compare(cmp: Cmp, a: number, b: number): boolean {
  switch (cmp) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
    case '!=':
      return !(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)));
  }
}

/** Judges a threshold from its side values (from one run, or means over replications). */
export function judge(t: Threshold, left: SideValues, right: SideValues): ThresholdOutcome {
  const pairs = combine(
    new Map([...left].map(([k, v]) => [k, v])),
    new Map([...right].map(([k, v]) => [k, v])),
    (x) => x,
    t.text,
  );
  const values: ThresholdValue[] = [];
  for (const k of pairs.keys()) {
    const l = left.size === 1 && left.has('') ? left.get('')! : left.get(k)!;
    const r = right.size === 1 && right.has('') ? right.get('')! : right.get(k)!;
    values.push({ binding: k, left: l, right: r, passed: compare(t.cmp, l, r) });
  }
  const failed = values.filter((v) => !v.passed);
  // worst: the largest violation, else the value closest to its bound (relative)
  const gap = (v: ThresholdValue) => {
    const d = t.cmp === '<' || t.cmp === '<=' ? v.left - v.right : t.cmp === '>' || t.cmp === '>=' ? v.right - v.left : Math.abs(v.left - v.right);
    return d / Math.max(Math.abs(v.right), 1e-12);
  };
  const pool = failed.length > 0 ? failed : values;
  const worst = pool.length === 0 ? null : pool.reduce((a, b) => (gap(b) > gap(a) ? b : a));
  return { threshold: t.text, passed: failed.length === 0, values, worst };
}

/** Evaluates thresholds on one report. */
export function evaluateThresholds(thresholds: readonly Threshold[], report: Report): ThresholdOutcome[] {
  const ctx = thresholdContext(report);
  return thresholds.map((t) => {
    const s = evaluateSides(t, ctx);
    return judge(t, s.left, s.right);
  });
}

/** Checks every path of the thresholds against a report (so a typo fails before a long sweep ends). */
export function checkThresholdPaths(thresholds: readonly Threshold[], report: Report): void {
  evaluateThresholds(thresholds, report);
}

const fmtNum = (x: number) => (!Number.isFinite(x) ? String(x) : Math.abs(x) >= 1000 || Number.isInteger(x) ? x.toLocaleString('en-US', { maximumFractionDigits: 1 }) : Number(x.toPrecision(4)).toString());

/**
 * The unit a threshold's bound is written in (`p99 < 5s`: s, `x < 80%`: %), or null for a plain
 * number: the deciding values are printed in it (`29.86 s vs 5 s`).
 */
export function boundUnit(threshold: string): { unit: string; factor: number } | null {
  const m = /(?:^|[^\w.])(\d+(?:\.\d+)?)\s*(us|µs|ms|s|min|h|d|%|B|kB|KB|MB|GB)(?![\w.])/.exec(threshold);
  if (m === null) return null;
  const factor = UNITS[m[2]];
  return factor === undefined ? null : { unit: m[2], factor };
}

/** A value of a threshold in its bound's unit: 29860 with `< 5s` is "29.86 s". */
export function formatWithUnit(x: number, threshold: string): string {
  const u = boundUnit(threshold);
  if (u === null) return fmtNum(x);
  return u.unit === '%' ? `${fmtNum(x / u.factor)} %` : `${fmtNum(x / u.factor)} ${u.unit}`;
}

/** One line per threshold: PASS/FAIL, the expression and the deciding value (in the bound's unit). */
export function formatThresholds(outcomes: readonly ThresholdOutcome[]): string {
  if (outcomes.length === 0) return '';
  let w = 0;
  for (const o of outcomes) w = Math.max(w, o.threshold.length);
  const lines = outcomes.map((o) => {
    const v = o.worst;
    const f = (x: number) => formatWithUnit(x, o.threshold);
    const val = v === null ? 'no values (wildcard matched nothing)' : `${v.binding ? `${v.binding}: ` : ''}${f(v.left)} vs ${f(v.right)}`;
    return `  ${o.passed ? 'PASS' : 'FAIL'}  ${o.threshold.padEnd(w)}  ${val}`;
  });
  const failed = outcomes.filter((o) => !o.passed).length;
  return `thresholds: ${outcomes.length - failed} passed, ${failed} failed\n${lines.join('\n')}`;
}

export { fmtNum as formatThresholdNumber };
