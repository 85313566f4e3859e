/**
 * What every live run of test/fixtures/live/live-20.yaml must show, whatever the server: 20
 * users who all watch each other and stay online, so each presence change reaches exactly the 19
 * others, and every IM is delivered with its receipt.
 */
import { expect } from 'vitest';
import type { LiveReport } from '../../sim/live/live-report.js';

export function expectEveryChangeAndReceipt(report: LiveReport): void {
  expect(report.setup.logins).toBe(20);
  expect(report.sessions.loginFailures).toBe(0);
  expect(report.presence.publishes).toBeGreaterThan(0);
  expect(report.presence.notifications.sent).toBe(19 * report.presence.publishes);
  expect(report.presence.notifications.delivered).toBe(report.presence.notifications.sent);
  expect(report.latency.notification.count).toBe(report.presence.notifications.delivered);
  expect(report.im.sent).toBeGreaterThan(0);
  expect(report.im.delivered).toBe(report.im.sent);
  expect(report.im.reports).toBe(report.im.sent);
  expect(report.im.failed).toBe(0);
  expect(report.latency.im.count).toBe(report.im.sent);
  expect(report.server.cpuSeconds).not.toBeNull();
  expect(report.server.rssBytes).toBeGreaterThan(0);
}
