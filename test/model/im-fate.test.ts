/**
 * The fate of an instant message at its sender (RFC 2779 5.4.2: the copies of one message, client
 * retransmissions with the same message id, give it one outcome): once the message has failed for
 * good, a copy of it is suppressed before it looks for a way across; the fates are kept under the
 * message id in typed arrays (im.ts, message-ids.ts), not under string keys.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/run.js';
import { parseScenario } from '../../sim/scenario/index.js';

const doc = (retries: number) => `
name: im-fate
seed: 3
duration: 20min
domains:
  - { name: a.example, users: 30 }
  - { name: b.example, users: 30, srv: { records: [{ service: im, target: "." }] } }
links:
  default: { dist: uniform, min: 20ms, max: 40ms }
federation: { imRetries: ${retries}, retryBackoff: 2s }
population: { federatedFraction: 1, buddies: 4, online: 1 }
behaviour:
  presenceChangeRate: 0
  imRate: 30/h
  imContacts: 0
  sessionLength: 366d
  authFailureFraction: 0
  duplicateFraction: 1
  unknownRecipientFraction: 0
  crashFraction: 0
`;

describe('IM fate at the sender', () => {
  for (const retries of [0, 2]) {
    it(`a message to a domain that offers no IM fails once; once it has failed its copy is a duplicate that looks up no SRV (imRetries ${retries})`, async () => {
      const r = await runScenario(parseScenario(doc(retries)), { workers: 1 });
      const unreachable = r.im.failedBy.unreachable;
      expect(r.im.copies).toBe(r.im.sent);
      expect(unreachable).toBeGreaterThan(100);
      // every copy ends as a duplicate of its message (delivered, or failed once)
      expect(r.im.duplicates).toBe(r.im.copies);
      if (retries === 0) expect(r.federation.unreachable).toBe(unreachable);
      // a copy looks for a way across only while its message still retries (the tries are shared)
      else expect(r.federation.unreachable).toBeLessThanOrEqual(unreachable * (retries + 2));
    });
  }
});
