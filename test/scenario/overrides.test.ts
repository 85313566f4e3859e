import { describe, expect, it } from 'vitest';
import { applyOverrides, loadScenario, parseScenario } from '../../sim/scenario/index.js';
import { SimError } from '../../sim/errors.js';

const TWO = `
name: two
duration: 1h
domains:
  - name: corp.example
    users: 100
    servers: { count: 1 }
    serviceTimes:
      publish: 2ms
  - name: other.example
    users: 50
population:
  buddies: 5
`;

function thrown(f: () => unknown): SimError {
  try {
    f();
  } catch (e) {
    if (e instanceof SimError) return e;
    throw e;
  }
  throw new Error('expected a SimError');
}

describe('overrides (--set path=value)', () => {
  it('parseScenario(text, source, overrides) applies values with units', () => {
    const s = parseScenario(TWO, 'two.yaml', ['behaviour.imRate=10/h', 'duration=90min', 'behaviour.imBodyBytes=1KiB', 'population.online=50%']);
    expect(s.behaviour.imRate).toBe(10);
    expect(s.duration).toBe(5_400_000);
    expect(s.behaviour.imBodyBytes).toBe(1024);
    expect(s.population.online).toBe(0.5);
    const f = parseScenario(TWO, 'two.yaml', ['federation.transactionTimeout=30s', 'federation.thirdPartyRate=6/h', 'federation.forgedNotifyRate=2/min']);
    expect([f.federation.transactionTimeout, f.federation.thirdPartyRate, f.federation.forgedNotifyRate]).toEqual([30_000, 6, 120]);
  });

  it('list items are selected by index or by domain name (names may hold dots)', () => {
    const s = parseScenario(TWO, 'two.yaml', ['domains[0].users=200', 'domains[other.example].servers.cores=8', 'domains[corp.example].presence=false']);
    expect(s.domains[0]!.users).toBe(200);
    expect(s.domains[0]!.presence).toBe(false);
    expect(s.domains[1]!.servers).toEqual({ count: 1, cores: 8, queueLimit: 0, clusterLatency: 0.5 });
  });

  it('a domain\'s protocol binding is cpim unless set, and --set chooses another', () => {
    expect(parseScenario(TWO, 'two.yaml').domains.map((d) => d.protocol)).toEqual(['cpim', 'cpim']);
    // XMPP has no pollers, fetchers or visibility classes: those are set apart
    const s = parseScenario(TWO, 'two.yaml', ['domains[corp.example].protocol=sip', 'domains[1].protocol=xmpp', 'population.watchers={ subscriber: 1 }', 'population.visibility={ full: 1 }']);
    expect(s.domains.map((d) => d.protocol)).toEqual(['sip', 'xmpp']);
  });

  it('a flow value replaces a whole mapping, and later overrides win', () => {
    const s = parseScenario(TWO, 'two.yaml', [
      'population.access={allow: 1, deny: 0, politeBlock: 0, pending: 0}',
      'population.buddies={dist: uniform, min: 1, max: 10}',
      'behaviour.imRate=1/h',
      'behaviour.imRate=3/h',
    ]);
    expect(s.population.access).toEqual({ allow: 1, deny: 0, politeBlock: 0, pending: 0 });
    expect(s.population.buddies).toEqual({ dist: 'uniform', min: 1, max: 10 });
    expect(s.behaviour.imRate).toBe(3);
  });

  it('a field of a missing object or distribution starts from its default', () => {
    const s = parseScenario(TWO, 'two.yaml', [
      'domains[0].serviceTimes.fetch.mean=3ms',
      'population.access.deny=0.05',
      'population.access.allow=0.88',
      'population.celebrity.domain=other.example',
      'population.celebrity.subscribers=1000',
      'trace.enabled=true',
    ]);
    expect(s.domains[0]!.serviceTimes.fetch).toEqual({ dist: 'exponential', mean: 3 });
    expect(s.population.access).toEqual({ allow: 0.88, deny: 0.05, politeBlock: 0.03, pending: 0.04 });
    expect(s.population.celebrity).toEqual({ domain: 'other.example', subscribers: 1000 });
    expect(s.trace).toEqual({ enabled: true, limit: 2000, maxBytes: 16 * 1024 * 1024 });
  });

  it('loadScenario(name, overrides) overrides a built-in scenario', () => {
    const s = loadScenario('office', ['domains[office.example].users=200', 'behaviour.presenceChangeRate=0.5/min']);
    expect(s.domains[0]!.users).toBe(200);
    expect(s.behaviour.presenceChangeRate).toBe(30);
  });

  it('applyOverrides(raw, overrides) returns a new document and leaves the input alone', () => {
    const raw = { name: 'x', behaviour: { imRate: '1/h' }, domains: [{ name: 'a.example', users: 1 }] };
    const out = applyOverrides(raw, ['behaviour.imRate=5/h', 'domains[0].users=7']) as typeof raw;
    expect(out.behaviour.imRate).toBe('5/h');
    expect(out.domains[0]!.users).toBe(7);
    expect(raw.behaviour.imRate).toBe('1/h');
    expect(raw.domains[0]!.users).toBe(1);
  });

  it('a bad value goes through validation and says it came from --set', () => {
    const e = thrown(() => parseScenario(TWO, 'two.yaml', ['behaviour.imRate=often']));
    expect(e.code).toBe('SIM_ERR_SCENARIO_INVALID');
    expect(e.details?.errors).toEqual([
      { path: 'behaviour.imRate', message: 'expected a rate per user like "4/h" or "0.5/min", got "often" (set by --set behaviour.imRate=often)' },
    ]);
    const mix = thrown(() => parseScenario(TWO, 'two.yaml', ['population.access.deny=0.5']));
    expect((mix.details?.errors as { path: string; message: string }[])[0]!.message).toMatch(/sum to 1.*\(set by --set population\.access\.deny=0\.5\)$/);
  });

  it('an unknown path is SIM_ERR_BAD_OVERRIDE naming the path and the valid keys at that level', () => {
    const e = thrown(() => parseScenario(TWO, 'two.yaml', ['behaviour.imRat=10/h']));
    expect(e.code).toBe('SIM_ERR_BAD_OVERRIDE');
    expect(e.message).toBe(
      "SIM_ERR_BAD_OVERRIDE: --set behaviour.imRat=10/h: unknown field 'imRat' in behaviour; did you mean 'imRate'? (valid keys in behaviour: " +
        'presenceChangeRate, imRate, pollInterval, fetchRate, subscriptionDuration, maxSubscriptionDuration, refreshBefore, publicationLease, revocationRate, sessionLength, ' +
        'offlineLength, loginWindow, loginStart, crashFraction, pendingDecisionDelay, pendingAllowFraction, authFailureFraction, ' +
        'duplicateFraction, unknownRecipientFraction, imContacts, offlineStorage, imBodyBytes)',
    );
    expect(e.details).toMatchObject({ override: 'behaviour.imRat=10/h', path: 'behaviour.imRat' });
    expect(thrown(() => parseScenario(TWO, 'x', ['colour=red'])).message).toBe(
      "SIM_ERR_BAD_OVERRIDE: --set colour=red: unknown field 'colour' at the top level (valid keys at the top level: name, description, seed, duration, warmup, domains, links, federation, access, faults, population, behaviour, trace)",
    );
    expect(thrown(() => parseScenario(TWO, 'x', ['domains[0].servers.cpus=4'])).message).toMatch(
      /unknown field 'cpus' in domains\[0\]\.servers \(valid keys in domains\[0\]\.servers: count, cores, queueLimit, clusterLatency\)$/,
    );
    expect(thrown(() => parseScenario(TWO, 'x', ['population.access.maybe=0'])).message).toMatch(/valid keys in population\.access: allow, deny, politeBlock, pending/);
  });

  it('a list item that does not exist is SIM_ERR_BAD_OVERRIDE listing the items', () => {
    expect(thrown(() => parseScenario(TWO, 'x', ['domains[5].users=1'])).message).toBe(
      'SIM_ERR_BAD_OVERRIDE: --set domains[5].users=1: domains[5] does not exist: domains has 2 items (domains[0] to domains[1], or by name: corp.example, other.example)',
    );
    expect(thrown(() => parseScenario(TWO, 'x', ['domains[corp.exampel].users=1'])).message).toMatch(
      /no item of domains has name 'corp\.exampel'; did you mean 'corp\.example'\?/,
    );
    expect(thrown(() => parseScenario(TWO, 'x', ['links.pairs[0].latency=1ms'])).message).toMatch(/links\.pairs\[0\] does not exist: links\.pairs has 0 items/);
  });

  it('malformed overrides and descending into a plain value are SIM_ERR_BAD_OVERRIDE', () => {
    const cases: [string, RegExp][] = [
      ['behaviour.imRate', /expected path=value/],
      ['=3', /expected path=value/],
      ['behaviour..imRate=1', /expected a field name/],
      ['domains[.users=1', /expected \[index\] or \[name\]/],
      ['domains.users=1', /domains is a list: select an item with domains\[0\] or domains\[name\]/],
      ['behaviour[0]=1', /behaviour is a mapping, not a list/],
      ['duration.value=1', /duration is a single value \(duration\); it has no field value/],
      ['domains[0].serviceTimes.publish.mean=1ms', /domains\[0\]\.serviceTimes\.publish is "2ms" in the scenario, not a mapping; set the whole distribution instead/],
      ['behaviour.imRate=[1, 2', /the value "\[1, 2" is not a YAML value/],
    ];
    for (const [o, re] of cases) {
      const e = thrown(() => parseScenario(TWO, 'x', [o]));
      expect(e.code, o).toBe('SIM_ERR_BAD_OVERRIDE');
      expect(e.message, o).toMatch(re);
    }
  });
});
