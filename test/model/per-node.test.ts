import { it } from 'vitest';
import { runScenario } from '../../sim/run.js';
import { parseScenario } from '../../sim/scenario/index.js';
import { tinyYaml } from './tiny.js';
const ST = `{ publish: 1ms, fetch: 1ms, subscribe: 1ms, refresh: 1ms, unsubscribe: 1ms, notify: 1ms, watcherinfo: 1ms, imSend: 1ms, imDeliver: 1ms, imReport: 1ms, wire: { inbound: { request: 0.125ms, response: 0.125ms }, outbound: { request: 0.5ms, response: 0.5ms } } }`;
it('explore', async () => {
  for (const protocol of ['sip', 'xmpp']) {
    const y = tinyYaml({ users: 6, duration: '20min', domains: `  - name: example.com
    users: 6
    protocol: ${protocol}
    servers: { count: 3, cores: 64 }
    serviceTimes: ${ST}`, behaviour: { presenceChangeRate: '20/h', imRate: '20/h', sessionLength: '8min', offlineLength: '4min', publicationLease: '5min' }, trace: '{ enabled: false }' });
    const r = await runScenario(parseScenario(y, 't.yaml'), { workers: 1 });
    const b = (r.bindings as any)[protocol];
    console.log(JSON.stringify({ kinds: b.kinds, perDomain: b.perDomain, perNode: b.perNode, dom: r.domains['example.com'].utilisation }, null, 0));
  }
});
