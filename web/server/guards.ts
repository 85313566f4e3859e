/**
 * What the server checks before a request reaches a route, each answering in the API's error
 * shape `{ error: { code, message } }`:
 *
 * - requests that are not valid HTTP, or whose headers exceed what Node reads (16 KiB): 400 / 431,
 *   written on the socket (`onClientError`);
 * - a path with bad percent-encoding (400) or a segment over 100 characters (414)
 *   (`onFrameworkError`);
 * - the Host header (`hostGuard`): only 127.0.0.1, localhost, [::1] and the names the server was
 *   told (--host, --allow-host), with the server's port; anything else is 421, so a web page
 *   served from another name that resolves to this machine (DNS rebinding) cannot drive the API;
 * - static files (`staticPathAllowed`): a path whose real location (symlinks followed) is outside
 *   the public folder is not served.
 */
import { realpathSync, statSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { Socket } from 'node:net';
import { join, resolve, sep } from 'node:path';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_ERRORS, type ApiErrorCode } from './errors.js';

const body = (code: ApiErrorCode, message: string) => JSON.stringify({ error: { code, message } });

/** Errors the HTTP parser meets before there is a request (Node's 'clientError'). */
export function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let code: ApiErrorCode;
  let message: string;
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    code = 'HEADERS_TOO_LARGE';
    message = 'the request line and headers exceed the 16 KiB the server reads';
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    code = 'REQUEST_TIMEOUT';
    message = 'the request did not arrive in time';
  } else {
    code = 'BAD_REQUEST';
    message = `the request is not valid HTTP/1.1 (${err.code ?? 'parse error'}: ${(err as { reason?: string }).reason ?? err.message})`;
  }
  const status = API_ERRORS[code].status;
  const text = body(code, message);
  if (socket.writable) {
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
  }
  socket.destroySoon?.();
}

/** Errors fastify meets before routing (the `frameworkErrors` option). */
export function onFrameworkError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const send = (code: ApiErrorCode, message: string) => reply.status(API_ERRORS[code].status).type('application/json; charset=utf-8').send(body(code, message));
  const url = req.raw.url ?? '';
  const shown = url.length > 120 ? `${url.slice(0, 120)}...` : url;
  switch (err.code) {
    case 'FST_ERR_BAD_URL':
      return void send('BAD_REQUEST', `the URL ${shown} has bad percent-encoding`);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return void send('URI_TOO_LONG', `a path segment of ${shown} is longer than 100 characters`);
    default:
      req.log.error({ err }, 'framework error');
      return void send('INTERNAL', 'internal server error');
  }
}

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

/** `name` or `[v6]` of a --host value, lower case. */
function hostName(h: string): string {
  const n = h.trim().toLowerCase();
  return n.includes(':') && !n.startsWith('[') ? `[${n}]` : n;
}

/** Splits a Host header into name and port (null when it names none). */
export function parseHost(h: string): { name: string; port: number | null } | null {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(h.trim());
  if (m === null) return null;
  return { name: m[1].toLowerCase(), port: m[2] === undefined ? null : Number(m[2]) };
}

/** The onRequest hook that refuses a Host header naming another machine (421 MISDIRECTED). */
export function hostGuard(app: FastifyInstance, extra: readonly string[]) {
  const names = new Set([...LOOPBACK, ...extra.map(hostName)]);
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers.host;
    const h = header === undefined ? null : parseHost(header);
    const addr = app.server.address();
    // a request injected in-process (fastify.inject, not from a socket) has no port to agree with;
    // its name is still checked
    const real = req.raw.socket instanceof Socket;
    const port = real && addr !== null && typeof addr === 'object' ? addr.port : null;
    const ok = h !== null && names.has(h.name) && (port === null || h.port === port || (h.port === null && port === 80));
    if (ok) return;
    const want = `${[...names].join(', ')}${port === null ? '' : ` with port ${port}`}`;
    return reply
      .status(421)
      .type('application/json; charset=utf-8')
      .send(body('MISDIRECTED', `the Host header ${header === undefined ? '(none)' : `'${header.slice(0, 200)}'`} does not name this server; use ${want} (start the server with --allow-host NAME to accept another name)`));
  };
}

/** The @fastify/static `allowedPath` check: the real file must lie inside the real public folder. */
export function staticPathAllowed(root: string) {
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    realRoot = resolve(root);
  }
  return (pathname: string): boolean => {
    let target = resolve(realRoot, `.${pathname.startsWith('/') ? '' : '/'}${pathname}`);
    try {
      if (statSync(target).isDirectory()) target = join(target, 'index.html');
      target = realpathSync(target);
    } catch {
      // missing: the static server answers 404 itself
      return true;
    }
    return target === realRoot || target.startsWith(realRoot + sep);
  };
}
