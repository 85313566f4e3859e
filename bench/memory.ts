/**
 * `bench memory`: bytes of the whole model state per subscription edge and per user, measured after
 * garbage collection (not computed from column sizes). The model is built twice in this process,
 * once with the buddy lists and once without; each time the kernel and the model's state (every
 * concern's columns, tables and sizes) are created, garbage is collected, and the growth of the
 * heap and of array buffers is read. Per edge = (with - without) / edges; per user = without / users.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Kernel } from '../sim/engine/kernel.js';
import { model, type ImppParams } from '../sim/model/impp.js';
import { loadScenario } from '../sim/scenario/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function used(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Bytes held by one model instance of `users` users with `buddies` each, and its edge count. */
function measure(users: number, buddies: number): { bytes: number; edges: number; users: number } {
  const sc = loadScenario('office', [`domains[0].users=${users}`, `population.buddies=${buddies}`]);
  const params: ImppParams = { scenario: sc, seed: 1 };
  const before = used();
  const kernel = new Kernel({ lpCount: model.lpCount(params), seed: 1, capacity: 1024 });
  const instance = model.create(kernel, params);
  const bytes = used() - before;
  const part = instance.finish();
  kernel.dispose();
  return { bytes, edges: part.memory.edges, users: part.memory.users };
}

export function benchMemory(users: number, buddies: number): number {
  const withBuddies = measure(users, buddies);
  const without = measure(users, 0);
  const perEdge = (withBuddies.bytes - without.bytes) / withBuddies.edges;
  const perUser = without.bytes / without.users;
  console.log(
    `memory: ${withBuddies.users} users, ${withBuddies.edges} subscription edges: ${perEdge.toFixed(1)} bytes per edge, ${perUser.toFixed(1)} bytes per user ` +
      `(whole model state after garbage collection: ${(withBuddies.bytes / 1e6).toFixed(1)} MB with buddies, ${(without.bytes / 1e6).toFixed(1)} MB without)`,
  );
  return 0;
}
