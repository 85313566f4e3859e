/**
 * Provisioning of an embedded ejabberd: every account and roster of the run as ONE XEP-0227 file
 * (Portable Import/Export Format), loaded into the running node by ejabberd_piefxis:import_file
 * (sim/live/ejabberd-server.ts). What ejabberd 23.01's import does with it:
 *   - `<user name password>` registers the account (plain password: auth_password_format plain);
 *   - `<query xmlns='jabber:iq:roster'>` goes through mod_roster:set_items, which keeps each item's
 *     jid, subscription and groups; an item's `ask` is NOT kept, so a watcher's outgoing request
 *     (pending, polite blocking) is written but its roster shows no `ask` (it sees nothing either
 *     way: no stanza of the run depends on it);
 *   - `<presence xmlns='jabber:client' type='subscribe' from=...>` is routed to the user as an
 *     incoming request, so the presentity holds it pending (ask in), as the plan intends.
 * Every item gets the group `buddies` (XEP-0227 items carry groups; the scenario has none).
 */
import { chownSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EjabberdServer } from './ejabberd-server.js';
import type { LiveAccount } from './prosody-provision.js';

export const PIEFXIS_NS = 'urn:xmpp:pie:0';
export const ROSTER_GROUP = 'buddies';

const attr = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One host's <user> elements. */
function userElements(out: string[], accounts: LiveAccount[]): void {
  for (const a of accounts) {
    out.push(`    <user name="${attr(a.user)}" password="${attr(a.password)}">`);
    if (a.roster.length > 0) {
      out.push(`      <query xmlns="jabber:iq:roster">`);
      for (const it of a.roster) {
        out.push(`        <item jid="${attr(it.jid)}" subscription="${it.subscription}"${it.ask ? ' ask="subscribe"' : ''}><group>${ROSTER_GROUP}</group></item>`);
      }
      out.push('      </query>');
    }
    for (const from of a.pendingIn ?? []) out.push(`      <presence xmlns="jabber:client" type="subscribe" from="${attr(from)}"/>`);
    out.push('    </user>');
  }
}

/** The XEP-0227 document of the given accounts, one <host> per domain in the order given. */
export function piefxisDocument(hosts: string[], accounts: LiveAccount[]): string {
  const out = ["<?xml version='1.0' encoding='UTF-8'?>", `<server-data xmlns="${PIEFXIS_NS}">`];
  for (const h of hosts) {
    out.push(`  <host jid="${attr(h)}">`);
    userElements(
      out,
      accounts.filter((a) => a.host === h),
    );
    out.push('  </host>');
  }
  out.push('</server-data>', '');
  return out.join('\n');
}

export interface EjabberdProvisioning {
  accounts: number;
  rosterItems: number;
  /** bytes of the XEP-0227 file */
  bytes: number;
}

/** Writes the accounts as one XEP-0227 file in the node's directory and imports it. */
export async function provisionEjabberd(server: EjabberdServer, hosts: string[], accounts: LiveAccount[]): Promise<EjabberdProvisioning> {
  const doc = piefxisDocument(hosts, accounts);
  const file = join(server.dir, 'accounts.xml');
  writeFileSync(file, doc);
  // the node runs as the ejabberd user; the file is only read, but a private directory is not
  // readable by others: hand it over like the rest of the directory
  try {
    const { uid, gid } = statOwner(server.dir);
    chownSync(file, uid, gid);
  } catch {
    // readable anyway where this process is not root
  }
  await server.importPiefxis(file);
  return { accounts: accounts.length, rosterItems: accounts.reduce((n, a) => n + a.roster.length, 0), bytes: Buffer.byteLength(doc) };
}

function statOwner(path: string): { uid: number; gid: number } {
  // the directory was given to the ejabberd user at start
  const st = statSync(path);
  return { uid: st.uid, gid: st.gid };
}
