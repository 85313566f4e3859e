import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/scenario/index.js';
import { QueueExecutor } from '../../sim/toolkit/queue/executor.js';
import { parseQueueAddress } from '../../sim/toolkit/queue/url.js';
import { freePort } from './helpers.js';

describe('a queue that cannot be reached', () => {
  it('is reported once, without its password, and fails the sweep with SIM_ERR_QUEUE after the limit', async () => {
    const port = await freePort(); // nothing listens there
    const lines: string[] = [];
    const ex = new QueueExecutor(parseQueueAddress(`redis://:hunter2-pw@127.0.0.1:${port}`), (l) => lines.push(l), { unreachableMs: 1500, commandMs: 300, pollMs: 50 });
    const task = { scenario: loadScenario('office'), seed: 1, thresholds: [], keepReport: false };
    const err = await ex.execute('nowhere', [{ index: 0, task }], () => {}).catch((e: Error) => e);
    await ex.close();
    expect(String(err)).toMatch(/^SimError: SIM_ERR_QUEUE: the queue redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ has been unreachable for [12] s/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/unreachable .*retrying/);
    for (const t of [String(err), ...lines]) expect(t).not.toContain('hunter2');
  });
});
