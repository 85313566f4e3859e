import { describe, expect, it } from 'vitest';
import { parseQueueAddress, queueAddressFrom } from '../../sim/toolkit/queue/url.js';

describe('queue address', () => {
  it('keeps the password in the connection options only; what is shown reads ***', () => {
    const a = parseQueueAddress('redis://user:s%40cret@10.0.0.5:6380/2');
    expect(a.connection).toEqual({ host: '10.0.0.5', port: 6380, db: 2, username: 'user', password: 's@cret' });
    expect(a.shown).toBe('redis://user:***@10.0.0.5:6380/2');
    expect(parseQueueAddress('redis://:pw@h').shown).toBe('redis://:***@h');
    expect(parseQueueAddress('redis://127.0.0.1:6379').connection).toEqual({ host: '127.0.0.1', port: 6379, db: 0 });
    expect(parseQueueAddress('rediss://h:1').connection.tls).toEqual({});
  });

  it('refuses a malformed address without echoing it (it may hold a password)', () => {
    for (const bad of ['redis://:hunter2@h:6379/99', 'http://:hunter2@h:1', 'not a url hunter2', 'redis://:hunter2@h:1/?x=1']) {
      let msg = '';
      try {
        parseQueueAddress(bad);
      } catch (e) {
        msg = (e as Error).message;
      }
      expect(msg, bad).toMatch(/^SIM_ERR_CLI_USAGE: --queue \(or IMPP_SIM_QUEUE\): /);
      expect(msg, bad).not.toContain('hunter2');
    }
  });

  it('--queue wins over IMPP_SIM_QUEUE; neither: run locally', () => {
    expect(queueAddressFrom(undefined, { IMPP_SIM_QUEUE: 'redis://a:1' })?.shown).toBe('redis://a:1');
    expect(queueAddressFrom('redis://b:2', { IMPP_SIM_QUEUE: 'redis://a:1' })?.shown).toBe('redis://b:2');
    expect(queueAddressFrom(undefined, {})).toBeNull();
  });
});
