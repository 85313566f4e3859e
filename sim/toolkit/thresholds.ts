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
import { SimError } from '../errors.js';
import type { Report } from '../run.js';
import { DURATION_UNITS, SIZE_UNITS } from '../scenario/units.js';
import { keyFigures } from './figures.js';

export type Cmp = '<' | '<=' | '>' | '>=' | '==' | '!=';

type Node =
  | { kind: 'num'; value: number; text: string }
  | { kind: 'path'; segs: string[]; text: string }
  | { kind: 'neg'; arg: Node }
  | { kind: 'bin'; op: '+' | '-' | '*' | '/'; left: Node; right: Node };

export interface Threshold {
  text: string;
  left: Node;
  cmp: Cmp;
  right: Node;
}

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

/** Units a bound may carry: the scenario language's durations and sizes, and percent. */
const UNITS: Record<string, number> = { ...DURATION_UNITS, ...SIZE_UNITS, '%': 0.01 };

function bad(text: string, why: string): SimError {
  return new SimError('SIM_ERR_CLI_USAGE', `threshold '${text}': ${why}`);
}

type Tok = { t: 'num'; v: number; s: string } | { t: 'path'; segs: string[]; s: string } | { t: 'op'; v: string };

function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (['<=', '>=', '==', '!='].includes(two)) {
      toks.push({ t: 'op', v: two });
      i += 2;
      continue;
    }
    if ('<>+-*/()'.includes(c)) {
      toks.push({ t: 'op', v: c });
      i++;
      continue;
    }
    if (c === '=') throw bad(text, `'=' at column ${i + 1}: write '==' to compare`);
    const num = /^(\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/.exec(text.slice(i));
    if (num) {
      let v = Number(num[0]);
      let s = num[0];
      i += num[0].length;
      const u = /^\s?(µs|us|ms|min|s|h|%|kB|KB|MB|GB|B)(?![A-Za-z0-9_])/.exec(text.slice(i));
      if (u) {
        v *= UNITS[u[1]];
        s += u[1];
        i += u[0].length;
      } else if (/^\s*[A-Za-z]/.test(text.slice(i))) {
        // a word right after a number can only be meant as its unit
        const w = /^\s*([A-Za-z]+)/.exec(text.slice(i))![1];
        throw bad(text, `unknown unit '${w}' after ${num[0]} (units: ms, s, us, min, h, %, B, kB, MB, GB)`);
      }
      toks.push({ t: 'num', v, s });
      continue;
    }
    if (/[A-Za-z_*[]/.test(c)) {
      const start = i;
      const segs: string[] = [];
      let cur = '';
      while (i < text.length) {
        const ch = text[i];
        if (/[A-Za-z0-9_*]/.test(ch)) {
          cur += ch;
          i++;
        } else if (ch === '.') {
          if (cur === '' && segs.length === 0) break;
          if (cur !== '') segs.push(cur);
          cur = '';
          i++;
        } else if (ch === '[') {
          if (cur !== '') segs.push(cur);
          cur = '';
          const end = text.indexOf(']', i);
          if (end < 0) throw bad(text, `'[' at column ${i + 1} is not closed`);
          let inner = text.slice(i + 1, end).trim();
          if (/^(['"]).*\1$/.test(inner)) inner = inner.slice(1, -1);
          if (inner === '') throw bad(text, `empty brackets at column ${i + 1}`);
          segs.push(`\u0000${inner}`); // a bracketed key: matched as a whole
          i = end + 1;
        } else break;
      }
      if (cur !== '') segs.push(cur);
      if (segs.length === 0) throw bad(text, `cannot read a path at column ${start + 1}`);
      toks.push({ t: 'path', segs, s: text.slice(start, i) });
      continue;
    }
    throw bad(text, `unexpected '${c}' at column ${i + 1}`);
  }
  return toks;
}

/** Parses one threshold expression. Throws SIM_ERR_CLI_USAGE naming the problem. */
export function parseThreshold(text: string): Threshold {
  if (typeof text !== 'string' || text.trim() === '') throw bad(String(text), 'empty threshold');
  const toks = tokenize(text);
  let p = 0;
  const peek = () => toks[p];
  const isOp = (v: string) => peek()?.t === 'op' && (peek() as { v: string }).v === v;
  const expr = (): Node => {
    let left = term();
    while (isOp('+') || isOp('-')) {
      const op = (toks[p++] as { v: string }).v as '+' | '-';
      left = { kind: 'bin', op, left, right: term() };
    }
    return left;
  };
  const term = (): Node => {
    let left = factor();
    while (isOp('*') || isOp('/')) {
      const op = (toks[p++] as { v: string }).v as '*' | '/';
      left = { kind: 'bin', op, left, right: factor() };
    }
    return left;
  };
  const factor = (): Node => {
    const t = toks[p];
    if (!t) throw bad(text, 'the expression ends too early');
    if (t.t === 'op' && t.v === '-') {
      p++;
      return { kind: 'neg', arg: factor() };
    }
    if (t.t === 'op' && t.v === '(') {
      p++;
      const e = expr();
      if (!isOp(')')) throw bad(text, "a '(' is not closed");
      p++;
      return e;
    }
    if (t.t === 'num') {
      p++;
      return { kind: 'num', value: t.v, text: t.s };
    }
    if (t.t === 'path') {
      p++;
      return { kind: 'path', segs: t.segs, text: t.s };
    }
    throw bad(text, `unexpected '${t.v}'`);
  };
  const left = expr();
  const c = peek();
  if (!c || c.t !== 'op' || !['<', '<=', '>', '>=', '==', '!='].includes(c.v)) {
    throw bad(text, 'expected a comparison: <, <=, >, >=, == or != (e.g. latency.notification.p99 < 500ms)');
  }
  p++;
  const right = expr();
  if (p !== toks.length) {
    const t = toks[p];
    throw bad(text, `unexpected ${t.t === 'op' ? `'${t.v}'` : `'${t.s}'`} after the comparison`);
  }
  return { text: text.trim(), left, cmp: c.v as Cmp, right };
}

/** The object thresholds are evaluated against: the report, plus key figures it does not hold. */
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
