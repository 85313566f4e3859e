import { describe, expect, it } from 'vitest';
import { expandRange, parseParam, sweepPoints } from '../../sim/toolkit/ranges.js';
import { applyPoint } from '../../sim/toolkit/params.js';
import { loadScenario } from '../../sim/scenario/index.js';

describe('sweep parameters', () => {
  it('reads lists, linear, logarithmic and stepped ranges', () => {
    expect(parseParam('servers.count=1,2,4')).toEqual({ path: 'servers.count', values: [1, 2, 4] });
    expect(parseParam('users=1e3..1e6:log:4').values).toEqual([1000, 10000, 100000, 1000000]);
    expect(parseParam('users=1000..3000:lin:3').values).toEqual([1000, 2000, 3000]);
    expect(parseParam('x=0.1..0.5:step:0.1').values).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(parseParam('behaviour.imRate=2/h,10/h').values).toEqual(['2/h', '10/h']);
    expect(expandRange('p', '1e3..1e5:log:3')).toEqual([1000, 10000, 100000]);
  });
  it('names the bad parameter', () => {
    expect(() => parseParam('users')).toThrow(/--param 'users'/);
    expect(() => parseParam('users=0..10:log:3')).toThrow(/logarithmic range needs both ends > 0/);
    expect(() => parseParam('users=1..10:log:x')).toThrow(/whole number/);
    expect(() => parseParam('users=1,,2')).toThrow(/empty value/);
  });
  it('builds the grid (first parameter slowest) or a list of points', () => {
    const a = { path: 'a', values: [1, 2] };
    const b = { path: 'b', values: ['x', 'y'] };
    expect(sweepPoints([a, b])).toEqual([{ a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 2, b: 'x' }, { a: 2, b: 'y' }]);
    expect(sweepPoints([a, b], 'zip')).toEqual([{ a: 1, b: 'x' }, { a: 2, b: 'y' }]);
    expect(() => sweepPoints([a, { path: 'b', values: [1] }], 'zip')).toThrow(/same number of values/);
  });
  it('applies points to a scenario with units, shorthands and domain selectors', () => {
    const fed = loadScenario('federation');
    const s = applyPoint(fed, { users: 15000, 'servers.count': 3, 'behaviour.imRate': '10/h', 'domains[beta.example].servers.cores': 8, 'domains[0].serviceTimes.publish.mean': '2ms' });
    expect(s.domains.reduce((a, d) => a + d.users, 0)).toBe(15000);
    expect(s.domains.map((d) => d.users)).toEqual([8000, 4000, 2000, 1000]);
    expect(s.domains.every((d) => d.servers.count === 3)).toBe(true);
    expect(s.domains[1].servers.cores).toBe(8);
    expect(s.behaviour.imRate).toBe(10);
    expect(s.domains[0].serviceTimes.publish).toEqual({ dist: 'exponential', mean: 2 });
    expect(fed.domains[0].servers.count).toBe(2); // the original is untouched
    expect(applyPoint(fed, { 'domains[*].users': 1234.4 }).domains.map((d) => d.users)).toEqual([1234, 1234, 1234, 1234]);
    expect(() => applyPoint(fed, { 'behaviour.imRat': 1 })).toThrow(/parameter 'behaviour.imRat'/);
    expect(() => applyPoint(fed, { 'domains[zeta.example].users': 1 })).toThrow(/no item named 'zeta.example'/);
    expect(() => applyPoint(fed, { 'servers.count': 0 })).toThrow(/below the smallest/);
    expect(() => applyPoint(fed, { 'behaviour.imRate': '10/fortnight' })).toThrow(/behaviour.imRate/);
  });
});
