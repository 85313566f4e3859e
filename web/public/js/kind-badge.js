/**
 * The badge that says whether a run was measured (a live run against a real server) or
 * simulated, from runKind (measured.js): in the header, the history and the compare view.
 */

/** @param {'measured' | 'simulated'} kind */
export function kindBadge(kind) {
  const b = document.createElement('span');
  b.className = `kind-badge ${kind}`;
  b.textContent = kind;
  b.setAttribute('data-testid', 'kind-badge');
  b.setAttribute('data-kind', kind);
  b.title = kind === 'measured' ? 'measured: driven in real time against a real XMPP server (no TLS)' : 'simulated: the model of the scenario';
  return b;
}
