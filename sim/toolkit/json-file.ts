/**
 * Writes a value as pretty-printed JSON to a file piece by piece: the bytes are those of
 * `JSON.stringify(value, null, 2) + '\n'`, but large lists and mappings are written item by item,
 * so a report of hundreds of megabytes never has to be one string (V8 strings stop at about
 * 512 MiB: "Invalid string length").
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** Lists and mappings with more entries than this, and every one of the top SPLIT_DEPTH levels, are written entry by entry. */
const SPLIT_ENTRIES = 64;
const SPLIT_DEPTH = 2;
/** Bytes gathered before each write. */
const CHUNK = 1 << 20;

class Chunks {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly fd: number) {}
  write(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= CHUNK) this.flush();
  }
  flush(): void {
    if (this.parts.length === 0) return;
    writeSync(this.fd, this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}

/** JSON.stringify(v, null, 2) of a small value, indented to sit at `indent`. */
function small(v: unknown, indent: string): string | undefined {
  const s = JSON.stringify(v, null, 2);
  // strings in JSON never hold a raw newline, so every newline is layout
  return s === undefined || indent === '' ? s : s.replace(/\n/g, `\n${indent}`);
}

function splittable(v: unknown, depth: number): v is Record<string, unknown> | unknown[] {
  if (typeof v !== 'object' || v === null || typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
  const n = Array.isArray(v) ? v.length : Object.getPrototypeOf(v) === Object.prototype ? Object.keys(v).length : 0;
  return n > 0 && (depth < SPLIT_DEPTH || n > SPLIT_ENTRIES);
}

function writeValue(out: Chunks, v: unknown, indent: string, depth: number): void {
  if (!splittable(v, depth)) {
    out.write(small(v, indent) ?? 'null');
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    out.write('[\n');
    for (let i = 0; i < v.length; i++) {
      out.write(inner);
      writeValue(out, v[i], inner, depth + 1);
      out.write(i < v.length - 1 ? ',\n' : '\n');
    }
    out.write(`${indent}]`);
    return;
  }
  // a mapping leaves out what JSON.stringify leaves out (undefined, functions, symbols)
  const keys = Object.keys(v).filter((k) => {
    const t = typeof v[k];
    return t !== 'undefined' && t !== 'function' && t !== 'symbol';
  });
  if (keys.length === 0) {
    out.write('{}');
    return;
  }
  out.write('{\n');
  keys.forEach((k, i) => {
    out.write(`${inner}${JSON.stringify(k)}: `);
    writeValue(out, v[k], inner, depth + 1);
    out.write(i < keys.length - 1 ? ',\n' : '\n');
  });
  out.write(`${indent}}`);
}

/** Writes `value` as JSON.stringify(value, null, 2) + '\n' to `path`, piece by piece. */
export function writeJsonFile(path: string, value: unknown): void {
  const fd = openSync(path, 'w');
  try {
    const out = new Chunks(fd);
    writeValue(out, value, '', 0);
    out.write('\n');
    out.flush();
  } finally {
    closeSync(fd);
  }
}
