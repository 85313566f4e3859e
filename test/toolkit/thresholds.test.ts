import { describe, expect, it } from 'vitest';
import { evaluateThresholds, formatThresholds, formatWithUnit, parseThreshold } from '../../sim/toolkit/thresholds.js';
import type { Report } from '../../sim/run.js';

const report = {
  scenario: 't',
  seed: 1,
  parameters: { duration: 10_000, domains: 2, users: 10, subscriptionEdges: 0, tuples: 2 },
  engine: { events: 1, wallMs: 1, eventsPerSec: 1, workers: 1, windows: 1, lookahead: 1 },
  presence: {
    publishes: 10, fetches: 0, polls: 0, watcherInfo: 0,
    subscriptions: { created: 0, refreshed: 0, expired: 0, terminated: 0, rejected: 0, politeBlocked: 0, pending: 0, pendingAllowed: 0, pendingDenied: 0 },
    notifications: { sent: 50, delivered: 40, undelivered: 10, dropped: 0 },
  },
  im: { sent: 1000, delivered: 990, failed: 2, duplicates: 0, inFlight: 8, failedBy: {} },
  latency: { notification: { count: 40, mean: 100, p50: 90, p90: 200, p95: 300, p99: 450, max: 600 }, im: { count: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 } },
  latencyCdf: { notification: [], im: [] },
  domains: {
    'alpha.example': { users: 5, servers: 1, cores: 1, operations: {}, utilisation: 0.5, maxQueue: 1, rejectedOverload: 0 },
    'beta-1.example': { users: 5, servers: 1, cores: 1, operations: {}, utilisation: 0.8, maxQueue: 1, rejectedOverload: 0 },
  },
  pairs: [{ from: 'alpha.example', to: 'beta-1.example', messages: {}, total: 3, bytes: 3000 }],
  security: { rejectedAuth: 0, denied: 0, politeBlocked: 0, leaks: 0 },
  sessions: { logins: 0, logouts: 0, crashes: 0 },
} as unknown as Report;

const one = (t: string) => evaluateThresholds([parseThreshold(t)], report)[0];

describe('thresholds', () => {
  it('compares figures with units', () => {
    expect(one('latency.notification.p99 < 500ms').passed).toBe(true);
    expect(one('latency.notification.p99 < 0.4s').passed).toBe(false);
    expect(one('latency.notification.max <= 600 ms').passed).toBe(true);
    expect(one('im.failed / im.sent < 0.001').passed).toBe(false);
    expect(one('im.failed / im.sent < 0.5%').passed).toBe(true);
    expect(one('(im.sent - im.delivered) / im.sent >= 1%').passed).toBe(true);
    expect(one('pairs.*.bytes / 10 < 1kB').passed).toBe(true);
    expect(one('maxUtilisation < 0.9').passed).toBe(true);
    expect(one('leaks == 0').passed).toBe(true); // a key figure (figures.ts)
    expect(one('security.leaks == 0').passed).toBe(true);
  });
  it('checks every wildcard match, names the worst', () => {
    const o = one('domains.*.utilisation < 0.7');
    expect(o.passed).toBe(false);
    expect(o.worst).toMatchObject({ binding: 'beta-1.example', left: 0.8 });
    expect(one('domains.*.utilisation / domains.*.cores <= 0.8').passed).toBe(true);
    expect(one('domains.alpha.example.utilisation < 0.7').passed).toBe(true);
    expect(one('domains[beta-1.example].utilisation < 0.7').passed).toBe(false);
    expect(formatThresholds([o])).toMatch(/FAIL {2}domains\.\*\.utilisation < 0\.7 {2}beta-1\.example: 0\.8 vs 0\.7/);
  });
  it('formatThresholds prints the deciding values in the unit of the bound (29.86 s vs 5 s)', () => {
    const o = { threshold: 'latency.notification.p99 < 5s', passed: false, values: [], worst: { binding: '', left: 29_860, right: 5000, passed: false } };
    expect(formatThresholds([o])).toContain('29.86 s vs 5 s');
    const pct = { threshold: 'maxUtilisation < 70%', passed: false, values: [], worst: { binding: '', left: 0.83, right: 0.7, passed: false } };
    expect(formatThresholds([pct])).toContain('83 % vs 70 %');
    expect(formatWithUnit(0.83, 'maxUtilisation < 0.7')).toBe('0.83');
    expect(formatWithUnit(250, 'latency.im.p99 < 500 ms')).toBe('250 ms');
  });
  it('gives clear errors for bad expressions and unknown figures', () => {
    expect(() => parseThreshold('latency.notification.p99')).toThrow(/expected a comparison/);
    expect(() => parseThreshold('latency.notification.p99 < 5 parsecs')).toThrow(/unknown unit 'parsecs'/);
    expect(() => parseThreshold('a = 1')).toThrow(/write '=='/);
    expect(() => parseThreshold('(a < 1')).toThrow(/threshold '\(a < 1'/);
    expect(() => one('latency.notification.p98 < 1')).toThrow(/latency.notification has no field 'p98'.*p99/);
    expect(() => one('latency.notification < 1')).toThrow(/is a mapping/);
  });
});
