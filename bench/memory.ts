/**
 * `bench memory`: bytes of the whole model state per subscription edge and per user, measured after
 * garbage collection (not computed from column sizes). The model is built twice in this process,
 * once with the buddy lists and once without; each time the kernel and the model's state (every
 * concern's columns, tables and sizes) are created, garbage is collected, and the growth of the
 * heap and of array buffers is read. Per edge = (with - without) / edges; per user = without / users.
 * The per-edge figure is then split by owner: the typed arrays the model exposes to the inspector
 * (population, subscriptions, watchers, access decisions, the gateways' SubscriptIDs), their byte
 * lengths summed as allocated, and the rest (measured total minus those). The population build is
 * timed (CPU time) on its own.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Kernel } from '../sim/engine/kernel.js';
import type { ModelColumns } from '../sim/model/entity-inspection.js';
import { model, type ImppParams } from '../sim/model/impp.js';
import { buildPopulation } from '../sim/model/population.js';
import { loadScenario } from '../sim/scenario/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function used(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** bytes of the typed arrays that are own fields of `o` */
function typedBytes(o: object | undefined): number {
  if (o === undefined) return 0;
  if (ArrayBuffer.isView(o)) return o.byteLength;
  let n = 0;
  for (const v of Object.values(o)) if (ArrayBuffer.isView(v)) n += v.byteLength;
  return n;
}

const OWNERS = ['population', 'subscriptions', 'watchers', 'access', 'cpim ids', 'rest'] as const;

interface Measured {
  bytes: number;
  edges: number;
  users: number;
  owners: number[];
  buildCpuMs: number;
}

/** Bytes held by one model instance of `users` users with `buddies` each, and its edge count. */
function measure(users: number, buddies: number): Measured {
  const sc = loadScenario('office', [`domains[0].users=${users}`, `population.buddies=${buddies}`]);
  const params: ImppParams = { scenario: sc, seed: 1 };
  const c0 = process.cpuUsage();
  buildPopulation(sc, 1);
  const cpu = process.cpuUsage(c0);
  const before = used();
  const kernel = new Kernel({ lpCount: model.lpCount(params), seed: 1, capacity: 1024 });
  const instance = model.create(kernel, params);
  const bytes = used() - before;
  const c = (instance as unknown as { columns(): ModelColumns }).columns();
  const owners = [typedBytes(c.pop), typedBytes(c.subs), typedBytes(c.views), typedBytes(c.decision), typedBytes(c.cpim)];
  owners.push(bytes - owners.reduce((a, b) => a + b, 0));
  const part = instance.finish();
  kernel.dispose();
  return { bytes, edges: part.memory.edges, users: part.memory.users, owners, buildCpuMs: (cpu.user + cpu.system) / 1000 };
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
  const split = OWNERS.map((name, i) => `${name} ${((withBuddies.owners[i] - without.owners[i]) / withBuddies.edges).toFixed(1)}`);
  console.log(`  per edge by owner: ${split.join(', ')} (typed arrays as allocated; rest = measured total minus those)`);
  console.log(`  population build: ${withBuddies.buildCpuMs.toFixed(0)} ms CPU with buddies, ${without.buildCpuMs.toFixed(0)} ms without`);
  console.log('  (pending-timer storage is not model state: timer records, and the refresh sweep\'s 16 bytes per filed edge, made as edges are filed; `bench scale` measures whole runs)');
  return 0;
}
