/**
 * The targets a live run started from the API may drive: the embedded servers this machine has
 * installed, each started for the run on a free loopback port and removed after it. The API never
 * drives a server it did not start (no xmpp:// address, no remote host): `target` names one of
 * these, and anything else is refused before a server starts.
 */
import { ejabberdInstalled } from '../../sim/live/ejabberd-server.js';
import type { TargetSpec } from '../../sim/live/live-command.js';
import { prosodyInstalled } from '../../sim/live/prosody-server.js';
import { ApiError } from './errors.js';

export const LIVE_TARGET_NAMES = ['prosody', 'ejabberd'] as const;
export type LiveTargetName = (typeof LIVE_TARGET_NAMES)[number];
export const DEFAULT_LIVE_TARGET: LiveTargetName = 'prosody';

interface LiveTargetEntry {
  description: string;
  spec: TargetSpec;
  installed: () => boolean;
  /** how to install it, for the refusal where it is missing */
  install: string;
}

const CATALOG: Record<LiveTargetName, LiveTargetEntry> = {
  prosody: { description: 'embedded Prosody on a free loopback port (single-threaded; several domains federated by s2s)', spec: { kind: 'embedded-prosody' }, installed: prosodyInstalled, install: 'apt-get install prosody' },
  ejabberd: { description: 'embedded ejabberd 23.01 node on a free loopback port (multi-core; one node serves every domain, no s2s)', spec: { kind: 'embedded-ejabberd' }, installed: ejabberdInstalled, install: 'apt-get install ejabberd' },
};

/** The targets installed on the server's machine, in catalog order (checked at each call; nothing is started). */
export function installedLiveTargets(): { name: LiveTargetName; description: string }[] {
  return LIVE_TARGET_NAMES.filter((n) => CATALOG[n].installed()).map((name) => ({ name, description: CATALOG[name].description }));
}

/** The target a request's `target` names (default prosody); an unknown name or one not installed is refused. */
export function resolveLiveTarget(value: string | undefined): { name: LiveTargetName; spec: TargetSpec } {
  const name = value ?? DEFAULT_LIVE_TARGET;
  if (!(LIVE_TARGET_NAMES as readonly string[]).includes(name)) {
    const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(name) ? ' (the API starts its own server for a run and never drives one at an address)' : '';
    throw new ApiError('BAD_OPTION', `body.target must be one of ${LIVE_TARGET_NAMES.map((n) => `'${n}'`).join(', ')}, got '${name}'${url}`);
  }
  const entry = CATALOG[name as LiveTargetName];
  if (!entry.installed()) {
    const there = installedLiveTargets().map((t) => t.name);
    throw new ApiError('BAD_OPTION', `body.target '${name}' is not installed on this server's machine (${entry.install}); installed: ${there.length > 0 ? there.join(', ') : 'none'}`);
  }
  return { name: name as LiveTargetName, spec: entry.spec };
}
