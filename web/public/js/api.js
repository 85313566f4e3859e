/**
 * The dashboard's only door to the server: JSON requests to /api and the run's event stream.
 * Errors come back as ApiError with the server's code, message and (for scenarios) problems.
 */

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {Array<{path: string, message: string, line?: number, column?: number}>} [problems]
   */
  constructor(status, code, message, problems) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.problems = problems ?? [];
  }
}

/**
 * @param {'GET'|'POST'} method
 * @param {string} path
 * @param {unknown} [body]
 */
export async function api(method, path, body) {
  /** @type {RequestInit} */
  const init = { method, headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers = { ...init.headers, 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'NETWORK', `cannot reach the server (${e instanceof Error ? e.message : e})`);
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = json && json.error ? json.error : { code: `HTTP_${res.status}`, message: text || res.statusText };
    throw new ApiError(res.status, err.code, err.message, err.problems);
  }
  return json;
}

export const getJson = (path) => api('GET', path);
export const postJson = (path, body) => api('POST', path, body ?? {});

/** Fetches text (the time-series CSV). */
export async function getText(path) {
  const res = await fetch(path);
  if (!res.ok) {
    let msg = res.statusText;
    try {
      msg = (await res.json()).error.message;
    } catch {
      /* the body was not JSON: keep the status text */
    }
    throw new ApiError(res.status, `HTTP_${res.status}`, msg);
  }
  return res.text();
}

/**
 * Subscribes to a server-sent event stream: `names` are the events handled (each handler gets the
 * parsed data), plus open and error. Returns a function that closes the stream; it closes itself
 * after `end`. With `reconnect` false, any error closes it and reports it (the caller falls back
 * to polling) instead of letting EventSource reconnect.
 * @param {string} path
 * @param {string[]} names
 * @param {Record<string, Function | undefined>} on
 * @param {boolean} [reconnect]
 */
function eventStream(path, names, on, reconnect = true) {
  const es = new EventSource(path);
  let closed = false;
  const close = () => {
    if (!closed) {
      closed = true;
      es.close();
    }
  };
  const bind = (name) =>
    es.addEventListener(name, (ev) => {
      let data = null;
      try {
        data = JSON.parse(/** @type {MessageEvent} */ (ev).data);
      } catch {
        return;
      }
      on[name]?.(data);
      if (name === 'end') close();
    });
  names.forEach(bind);
  // every (re)connection replays the backlog from the start
  es.addEventListener('open', () => on.open?.());
  es.onerror = () => {
    // EventSource reconnects by itself while the run goes on; after the end the server closes it
    if (closed) return;
    if (es.readyState === EventSource.CLOSED) on.error?.(new Error('the event stream closed'));
    else if (!reconnect) {
      close();
      on.error?.(new Error('the event stream failed'));
    }
  };
  return close;
}

/**
 * Subscribes to a run's server-sent events. Handlers: status, snapshot, trace, series, end, error.
 * Returns a function that closes the stream. The stream closes itself after `end`.
 * @param {string} id
 * @param {{ open?: Function, status?: Function, snapshot?: Function, trace?: Function, series?: Function, end?: Function, error?: Function }} on
 */
export const runEvents = (id, on) => eventStream(`/api/runs/${encodeURIComponent(id)}/events`, ['status', 'snapshot', 'trace', 'series', 'end'], on);

/**
 * Subscribes to a live (measured) run's progress: status (its entry), progress (the driver's
 * counts, about once a second), end ({ state, status, error }).
 * @param {string} id
 * @param {{ status?: Function, progress?: Function, end?: Function, error?: Function }} on
 */
export const liveEvents = (id, on) => eventStream(`/api/live-runs/${encodeURIComponent(id)}/events`, ['status', 'progress', 'end'], on);

/**
 * Follows a dashboard sweep: sweep (its state, at once and at every change), end ({ status }),
 * error (the stream failed: it is closed, the caller polls instead).
 * @param {string} id
 * @param {{ sweep?: Function, end?: Function, error?: Function }} on
 */
export const sweepEvents = (id, on) => eventStream(`/api/sweeps/${encodeURIComponent(id)}/events`, ['sweep', 'end'], on, false);
