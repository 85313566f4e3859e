/**
 * The queue's address: `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` (or `rediss://` for TLS),
 * from `--queue` or the environment variable IMPP_SIM_QUEUE. The password never leaves this
 * module except inside the connection options handed to ioredis: every log line, error, report
 * and history record uses `shown`, where it reads `***`. A malformed address is refused without
 * echoing it (it may hold a password).
 */
import { SimError } from '../../errors.js';

export const QUEUE_ENV = 'IMPP_SIM_QUEUE';

export interface RedisConnection {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: Record<string, never>;
}

export interface QueueAddress {
  /** the address with any password replaced by *** */
  shown: string;
  /** ioredis connection options (the only place the password is kept) */
  connection: RedisConnection;
}

const bad = (why: string) => new SimError('SIM_ERR_CLI_USAGE', `--queue (or ${QUEUE_ENV}): ${why}; expected redis://[:PASSWORD@]HOST:PORT[/DB], e.g. redis://127.0.0.1:6379`);

/** Parses a queue address (see the module comment). */
export function parseQueueAddress(text: string): QueueAddress {
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    throw bad('not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw bad(`the scheme must be redis: or rediss:, got '${u.protocol.slice(0, 16)}'`);
  if (u.hostname === '') throw bad('no host');
  const port = u.port === '' ? 6379 : Number(u.port);
  const path = u.pathname.replace(/^\/+/, '');
  const db = path === '' ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0 || db > 15 || !/^\d*$/.test(path)) throw bad('the path must be a database number from 0 to 15');
  if (u.search !== '' || u.hash !== '') throw bad('no query or fragment is read');
  const password = u.password === '' ? undefined : decodeURIComponent(u.password);
  const username = u.username === '' ? undefined : decodeURIComponent(u.username);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const auth = username !== undefined || password !== undefined ? `${username ?? ''}${password !== undefined ? ':***' : ''}@` : '';
  return {
    shown: `${u.protocol}//${auth}${u.host}${db !== 0 ? `/${db}` : ''}`,
    connection: { host, port, db, ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}), ...(u.protocol === 'rediss:' ? { tls: {} } : {}) },
  };
}

/** The queue address of --queue, else of IMPP_SIM_QUEUE, else null (run locally). */
export function queueAddressFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): QueueAddress | null {
  const text = flag ?? env[QUEUE_ENV];
  if (text === undefined || text.trim() === '') return null;
  return parseQueueAddress(text);
}
