/**
 * Format detection and decoding for `impp-sim inspect FILE`: one entry point
 * that tells a PIDF document from a message/cpim object and decodes it
 * strictly. Invalid input always surfaces as a WireError (the CLI maps it to
 * exit status 2 and prints `error.toJSON()`).
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { WireError } from './errors.js';
import { decodePidf, type PidfDocument } from './pidf.js';
import { decodeCpimMessage, viewCpimMessage, type CpimMessage, type CpimMessageView } from './cpim-message.js';

export type WireFormat = 'pidf' | 'cpim';

export type InspectResult =
  | { kind: 'pidf'; document: PidfDocument; warnings: string[] }
  | { kind: 'cpim'; document: CpimMessage; summary: CpimMessageView; warnings: string[] };

/** Largest file `inspectFile` reads: far above any real presence document or IM, small enough to bound work. */
export const INSPECT_MAX_BYTES = 1024 * 1024;

/**
 * Guess the format: XML starts with `<` (after an optional BOM and, for the
 * sake of a precise error, whitespace); message/cpim starts with a
 * `Name:` header line.
 */
export function detectWireFormat(text: string): WireFormat {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const trimmed = body.replace(/^[ \t\r\n]+/, '');
  if (trimmed === '') throw new WireError('WIRE_ERR_UNKNOWN_FORMAT', 'the input is empty');
  if (trimmed.startsWith('<')) return 'pidf';
  const firstLine = trimmed.split(/\r?\n/, 1)[0] ?? '';
  if (/^[\x21-\x39\x3B-\x7E]+:/.test(firstLine)) return 'cpim';
  throw new WireError(
    'WIRE_ERR_UNKNOWN_FORMAT',
    `the input starts with neither '<' (PIDF XML) nor a "Name:" header line (message/cpim): ${JSON.stringify(firstLine.slice(0, 40))}`,
    { line: body.slice(0, body.length - trimmed.length).split('\n').length },
  );
}

/**
 * Decode `text` as PIDF or message/cpim (detected unless `hint` says which).
 * For message/cpim, a `Require` of something this simulator does not
 * understand is reported as a warning: inspecting is displaying, not
 * processing the message (RFC 3862 s.3.5 constrains processing).
 */
export function inspectText(text: string, hint?: WireFormat): InspectResult {
  const kind = hint ?? detectWireFormat(text);
  if (kind === 'pidf') {
    const { warnings, ...document } = decodePidf(text);
    return { kind, document, warnings: warnings ?? [] };
  }
  const { warnings, ...document } = decodeCpimMessage(text, { unknownRequire: 'warn' });
  return { kind, document, summary: viewCpimMessage(document), warnings: warnings ?? [] };
}

/**
 * Offset of the first byte that breaks UTF-8 (RFC 3629 s.3/s.4: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or -1.
 */
export function findInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min, cp] = [1, 0x80, b & 0x1f];
    else if (b >= 0xe0 && b <= 0xef) [need, min, cp] = [2, 0x800, b & 0x0f];
    else if (b >= 0xf0 && b <= 0xf4) [need, min, cp] = [3, 0x10000, b & 0x07];
    else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Read a file as UTF-8 (at most INSPECT_MAX_BYTES) and inspect it. */
export async function inspectFile(path: string, hint?: WireFormat): Promise<InspectResult> {
  let bytes: Uint8Array;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // non-blocking: opening a FIFO for reading would otherwise wait for a writer forever (the
    // stat below then refuses anything but a regular file)
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new WireError('WIRE_ERR_FILE_READ', `cannot open ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new WireError('WIRE_ERR_FILE_READ', `${path} is not a regular file`);
    if (stat.size > INSPECT_MAX_BYTES) {
      throw new WireError('WIRE_ERR_INPUT_TOO_LARGE', `${path} is ${stat.size} bytes; inspect reads at most ${INSPECT_MAX_BYTES} bytes (1 MiB)`);
    }
    bytes = await handle.readFile();
  } catch (e) {
    if (e instanceof WireError) throw e;
    throw new WireError('WIRE_ERR_FILE_READ', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    await handle.close();
  }
  // The file may have grown between stat and read.
  if (bytes.length > INSPECT_MAX_BYTES) {
    throw new WireError('WIRE_ERR_INPUT_TOO_LARGE', `${path} is ${bytes.length} bytes; inspect reads at most ${INSPECT_MAX_BYTES} bytes (1 MiB)`);
  }
  const bad = findInvalidUtf8(bytes);
  if (bad !== -1) {
    let line = 1;
    for (let i = 0; i < bad; i++) if (bytes[i] === 10) line++;
    throw new WireError('WIRE_ERR_NOT_UTF8', `${path}: invalid UTF-8 sequence at byte offset ${bad}`, { line });
  }
  return inspectText(new TextDecoder('utf-8').decode(bytes), hint);
}
