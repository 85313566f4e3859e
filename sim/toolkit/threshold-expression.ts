/**
 * The threshold expression language (grammar in thresholds.ts): a tokenizer and a precedence
 * parser from the text `EXPR CMP EXPR` to a tree of numbers (with units resolved to the report's
 * milliseconds, bytes and fractions), paths and arithmetic. Every failure is SIM_ERR_CLI_USAGE
 * naming the threshold and what is wrong where.
 */
import { SimError } from '../errors.js';
import { DURATION_UNITS, SIZE_UNITS } from '../scenario/units.js';

export type Cmp = '<' | '<=' | '>' | '>=' | '==' | '!=';

export type Node =
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


/** Units a bound may carry: the scenario language's durations and sizes, and percent. */
export const UNITS: Record<string, number> = { ...DURATION_UNITS, ...SIZE_UNITS, '%': 0.01 };

export function bad(text: string, why: string): SimError {
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
