/**
 * Provisioning of an embedded Prosody by writing its plain-file storage directly: one account file
 * and one roster file per user under `data_path/<host>/accounts/` and `.../roster/`, each a Lua
 * chunk returning a table (util/datamanager.lua of Prosody 0.12: the host, store and user names
 * are percent-encoded, every byte that is not alphanumeric becoming %xx; mod_auth_internal_plain
 * reads `password`; core/rostermanager.lua reads items keyed by bare JID with `subscription` and
 * `groups`, and the metadata under the key `false`). 1,000 users take a few milliseconds, where
 * `prosodyctl register` takes ~85 ms each. It may run while the server is up: internal storage
 * reads an account's files at each log-in and caches nothing before.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chownForProsody } from './prosody-server.js';

export type Subscription = 'both' | 'to' | 'from' | 'none';

export interface RosterItem {
  jid: string;
  subscription: Subscription;
  /** an outgoing request awaiting the contact's answer */
  ask?: boolean;
}

export interface LiveAccount {
  user: string;
  host: string;
  password: string;
  roster: RosterItem[];
  /** bare JIDs whose subscription request to this user awaits its answer */
  pendingIn?: string[];
}

/** Prosody's datamanager encoding of host and user names. */
export function prosodyEncode(s: string): string {
  return s.replace(/[^A-Za-z0-9]/g, (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

const luaStr = (s: string) => '"' + s.replace(/[\\"\n\r\0]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\0' ? '\\0' : '\\' + c)) + '"';

export function accountFile(a: LiveAccount): string {
  return `return {\n\t["password"] = ${luaStr(a.password)};\n};\n`;
}

export function rosterFile(a: LiveAccount): string {
  const out = ['return {', `\t[false] = { ["version"] = 1; ["pending"] = { ${(a.pendingIn ?? []).map((j) => `[${luaStr(j)}] = true;`).join(' ')} }; };`];
  for (const it of a.roster) {
    out.push(`\t[${luaStr(it.jid)}] = { ["subscription"] = ${luaStr(it.subscription)}; ["groups"] = {};${it.ask ? ' ["ask"] = "subscribe";' : ''} };`);
  }
  out.push('};', '');
  return out.join('\n');
}

/** Writes every account and roster under dataPath; returns the number of files written. */
export function provisionProsody(dataPath: string, accounts: LiveAccount[]): number {
  const made = new Set<string>();
  const owned: string[] = [];
  const dir = (p: string) => {
    if (!made.has(p)) {
      mkdirSync(p, { recursive: true });
      made.add(p);
      owned.push(p);
    }
    return p;
  };
  let files = 0;
  for (const a of accounts) {
    const hostDir = dir(join(dataPath, prosodyEncode(a.host)));
    const acc = join(dir(join(hostDir, 'accounts')), prosodyEncode(a.user) + '.dat');
    writeFileSync(acc, accountFile(a));
    owned.push(acc);
    files++;
    if (a.roster.length > 0 || (a.pendingIn?.length ?? 0) > 0) {
      const ros = join(dir(join(hostDir, 'roster')), prosodyEncode(a.user) + '.dat');
      writeFileSync(ros, rosterFile(a));
      owned.push(ros);
      files++;
    }
  }
  chownForProsody(owned);
  return files;
}
