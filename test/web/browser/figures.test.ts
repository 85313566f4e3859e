/** The dashboard's headline figures (web/public/js/figures.js), tested without a browser. */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the page, without type declarations
import { busiestOf, headline } from '../../../web/public/js/figures.js';

const report = {
  parameters: { duration: 100_000 },
  presence: { notifications: { delivered: 4200 } },
  im: { delivered: 50 },
  pairs: [
    { from: 'a', to: 'b', total: 300 },
    { from: 'b', to: 'a', total: 100 },
  ],
  domains: { a: { utilisation: 0.2 }, b: { utilisation: 0.45 } },
};

describe('headline figures', () => {
  it('headline({ report }) gives whole-run rates over the measured period and the busiest domain by name', () => {
    const h = headline({ report });
    expect(h.notifRun).toBe(42);
    expect(h.msgRun).toBe(4);
    expect(h.imRun).toBe(0.5);
    expect(h.busiest).toEqual({ name: 'b', utilisation: 0.45 });
    expect(h.notifNow).toBeNaN();
    expect(h.busiestNow).toBeNull();
  });

  it('headline({ snap }) gives both the last interval (now) and the run so far', () => {
    const snap = {
      clock: 10_000,
      counters: { notifyDelivered: 420, imDelivered: 5 },
      pairs: [{ from: 'a', to: 'b', messages: 40 }],
      domains: [
        { name: 'a', utilisation: 0.3 },
        { name: 'b', utilisation: 0.1 },
      ],
      rates: { notificationsPerSec: 185, messagesPerSec: 9, domains: [{ name: 'a', utilisation: 0.05 }, { name: 'b', utilisation: 0.6 }] },
    };
    const h = headline({ snap });
    expect(h.notifNow).toBe(185);
    expect(h.notifRun).toBe(42);
    expect(h.msgRun).toBe(4);
    expect(h.busiest).toEqual({ name: 'a', utilisation: 0.3 });
    expect(h.busiestNow).toEqual({ name: 'b', utilisation: 0.6 });
  });

  it('busiestOf(pairs) skips figures that are not numbers', () => {
    expect(busiestOf([['x', NaN], ['y', 0.1]])).toEqual({ name: 'y', utilisation: 0.1 });
    expect(busiestOf([])).toBeNull();
  });
});
