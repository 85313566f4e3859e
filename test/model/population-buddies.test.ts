/**
 * Buddy lists and population.federatedFraction: each buddy is federated with that probability
 * (one draw per buddy), a federated buddy lives in another domain (chosen by size), and only when
 * no other domain has a free presentity left does it come from the watcher's own domain.
 */
import { describe, expect, it } from 'vitest';
import { buildPopulation, type Population } from '../../sim/model/population.js';
import { parseScenario } from '../../sim/scenario/index.js';

function population(domains: string, population: string, seed = 3): Population {
  const sc = parseScenario(`
name: buddies
seed: ${seed}
duration: 1min
domains: [${domains}]
population: { ${population} }
`);
  return buildPopulation(sc, sc.seed);
}

/** [buddies in the watcher's own domain, buddies in another], and list lengths per watcher. */
function split(pop: Population) {
  let own = 0;
  let other = 0;
  const lengths: number[] = [];
  for (let w = 0; w < pop.totalUsers; w++) {
    lengths.push(pop.fwdStart[w + 1] - pop.fwdStart[w]);
    for (let i = pop.fwdStart[w]; i < pop.fwdStart[w + 1]; i++) {
      if (pop.domainOf[pop.edgePresentity[pop.fwdEdge[i]]] === pop.domainOf[w]) own++;
      else other++;
    }
  }
  return { own, other, lengths };
}

describe('population: federated buddies', () => {
  it('federatedFraction 1 puts every buddy in another domain, even when the watcher\'s own domain is by far the largest', () => {
    const pop = population('{ name: big.example, users: 900 }, { name: small.example, users: 100 }, { name: mid.example, users: 300 }', 'federatedFraction: 1, buddies: { dist: powerlaw, min: 3, max: 60, alpha: 2.2 }');
    const { own, other } = split(pop);
    expect(other).toBeGreaterThan(5000);
    expect(own).toBe(0);
  });

  it('the other domain is chosen by size: big.example watchers pick mid.example three times as often as small.example', () => {
    const pop = population('{ name: big.example, users: 900 }, { name: small.example, users: 100 }, { name: mid.example, users: 300 }', 'federatedFraction: 1, buddies: 4, popularity: 0');
    const n = [0, 0, 0];
    for (let w = pop.domainStart[0]; w < pop.domainStart[1]; w++) for (let i = pop.fwdStart[w]; i < pop.fwdStart[w + 1]; i++) n[pop.domainOf[pop.edgePresentity[pop.fwdEdge[i]]]]++;
    expect(n[0]).toBe(0);
    // 3,600 buddies: binomial share 0.75 of mid, standard deviation 0.007
    expect(n[2] / (n[1] + n[2])).toBeGreaterThan(0.72);
    expect(n[2] / (n[1] + n[2])).toBeLessThan(0.78);
  });

  it('the share of federated buddies is federatedFraction even where own-domain draws keep colliding', () => {
    // 200 domains of 5 users, 4 buddies each: own-domain draws hit taken users often, and those
    // retries must not turn a buddy federated (4,000 buddies: standard deviation of the share 0.008)
    const domains = Array.from({ length: 200 }, (_, i) => `{ name: d${i}.example, users: 5 }`).join(', ');
    const pop = population(domains, 'federatedFraction: 0.5, buddies: 4, principals: { both: 1 }');
    const { own, other, lengths } = split(pop);
    expect(lengths.every((n) => n === 4)).toBe(true);
    expect(other / (own + other)).toBeGreaterThan(0.475);
    expect(other / (own + other)).toBeLessThan(0.525);
  });

  it('a federated buddy comes from the own domain only when the other domains have no free presentity left', () => {
    // few.example has 3 presentities: a list of 5 for a many.example watcher holds all 3 and two
    // of its own domain; few.example watchers find their 5 in many.example
    const pop = population('{ name: many.example, users: 50 }, { name: few.example, users: 3 }', 'federatedFraction: 1, buddies: 5, principals: { both: 1 }');
    for (let w = 0; w < pop.totalUsers; w++) {
      const ds = [0, 0];
      for (let i = pop.fwdStart[w]; i < pop.fwdStart[w + 1]; i++) ds[pop.domainOf[pop.edgePresentity[pop.fwdEdge[i]]]]++;
      if (pop.domainOf[w] === 0) expect(ds, `watcher ${w}`).toEqual([2, 3]);
      else expect(ds, `watcher ${w}`).toEqual([5, 0]);
    }
  });
});
