import { expect } from 'vitest';
import { WireError, type WireErrorCode } from '../../sim/wire/index.js';

/** Asserts that `thrown` is a WireError with `code` and returns it. */
function asWireError(thrown: unknown, code: WireErrorCode): WireError {
  expect(thrown, `expected a WireError ${code}, but nothing was thrown`).toBeInstanceOf(WireError);
  const err = thrown as WireError;
  expect(err.code, err.message).toBe(code);
  return err;
}

/** Run `fn`, assert it throws a WireError with `code`, and return the error for further checks. */
export function expectWireError(fn: () => unknown, code: WireErrorCode): WireError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  return asWireError(thrown, code);
}

/** Async variant for promise-returning calls. */
export async function expectWireErrorAsync(fn: () => Promise<unknown>, code: WireErrorCode): Promise<WireError> {
  let thrown: unknown;
  try {
    await fn();
  } catch (e) {
    thrown = e;
  }
  return asWireError(thrown, code);
}

/** A minimal valid PIDF document with `tuples` spliced into <presence>. */
export function pidfDoc(inner: string, rootAttrs = 'entity="pres:ada@example.com"'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" ${rootAttrs}>\n${inner}\n</presence>\n`;
}

/** A tuple with the given inner XML. */
export function tupleXml(inner: string, id = 't1'): string {
  return `  <tuple id="${id}">\n${inner}\n  </tuple>`;
}

export const OPEN_STATUS = '    <status><basic>open</basic></status>';

/** A message/cpim body from header lines and content, joined with CRLF. */
export function cpimText(headers: string[], content: string[] = ['Content-Type: text/plain'], body = 'hi'): string {
  return `${[...headers, '', ...content].join('\r\n')}\r\n\r\n${body}`;
}

export const FROM = 'From: <im:ada@example.com>';
export const TO = 'To: <im:bob@example.com>';
