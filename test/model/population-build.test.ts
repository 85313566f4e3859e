/**
 * buildPopulation's draws are pinned: the columns of the shipped scenarios' populations hash to
 * the values the former build (JavaScript Set per buddy list, binary search over the whole Zipf
 * table, a separate array of watchers and a copy for the watcher-major index) gave. A faster
 * build must give the very same users, lists and edge ids.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildPopulation, type Population } from '../../sim/model/population.js';
import { loadScenario } from '../../sim/scenario/index.js';

function digest(pop: Population): string {
  const h = createHash('sha1');
  for (const k of Object.keys(pop).sort()) {
    const v = (pop as unknown as Record<string, unknown>)[k];
    h.update(k);
    if (ArrayBuffer.isView(v)) h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    else h.update(String(v));
  }
  return h.digest('hex');
}

describe('population: the build keeps its draws', () => {
  it.each([
    ['office', ['domains[0].users=20000'], 221230, '860242db9baf527d4ead2244f1eb32d551193eda'],
    ['federation', [], 75283, 'ca9919269505e763e589e0da6d8ce02a01ff92c5'],
    ['celebrity', [], 105500, '3a4ae53469a2a1be8245eda891cee98ffe6d93ed'],
    ['mixed-federation', [], 29318, 'aee930f78d85579a6c746364a5fc9b84ba48a369'],
    ['office', ['domains[0].users=3000', 'population.buddies={dist: powerlaw, min: 1, max: 400, alpha: 2}'], 16822, '97b16c47503e13731f72e12fab44ae8448b9fabe'],
    ['office', ['domains[0].users=5000', 'population.buddies=25'], 125000, null],
  ] as const)('%s %j: %d edges, columns as before', (name, sets, edges, hash) => {
    const sc = loadScenario(name, [...sets]);
    const pop = buildPopulation(sc, sc.seed);
    expect(pop.edges).toBe(edges);
    if (hash !== null) expect(digest(pop)).toBe(hash);
    // the index arrays are exactly as long as the edges (no slack of a growing list kept alive)
    expect(pop.fwdEdge.length).toBe(edges);
    expect(pop.fwdEdge.buffer.byteLength).toBe(edges * 4);
    expect(pop.edgeWatcher.length).toBe(edges);
    // the watcher-major index is a permutation of the edge ids, each pointing back at its watcher
    const hit = new Uint8Array(edges);
    let twice = 0;
    let foreign = 0;
    for (let w = 0; w < pop.totalUsers; w++) {
      for (let i = pop.fwdStart[w]; i < pop.fwdStart[w + 1]; i++) {
        const e = pop.fwdEdge[i];
        if (hit[e]++ !== 0) twice++;
        if (pop.edgeWatcher[e] !== w) foreign++;
      }
    }
    expect({ twice, foreign }).toEqual({ twice: 0, foreign: 0 });
  });
});
