import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseScenario, validateScenarioText, type ScenarioProblem } from '../../sim/scenario/index.js';
import { SimError } from '../../sim/errors.js';

/** A valid two-domain document to break one field at a time. */
function base(): Record<string, any> {
  return {
    name: 'test',
    duration: '1h',
    domains: [
      { name: 'a.example', users: 100 },
      { name: 'b.example', users: 50 },
    ],
    population: { buddies: 5 },
  };
}

function problems(doc: unknown): ScenarioProblem[] {
  const text = typeof doc === 'string' ? doc : stringify(doc);
  const r = validateScenarioText(text);
  if (r.ok) throw new Error('expected problems, the scenario is valid');
  return r.errors;
}

function only(doc: unknown): ScenarioProblem {
  const list = problems(doc);
  expect(list).toHaveLength(1);
  return list[0]!;
}

describe('parseScenario errors', () => {
  it('the base document is valid', () => {
    expect(validateScenarioText(stringify(base())).ok).toBe(true);
  });

  it('parseScenario throws SIM_ERR_SCENARIO_INVALID naming the source, the count and every path', () => {
    const doc = base();
    doc.duration = 'soon';
    doc.domains[1].users = -1;
    let err: unknown;
    try {
      parseScenario(stringify(doc), 'my.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SimError);
    const e = err as SimError;
    expect(e.code).toBe('SIM_ERR_SCENARIO_INVALID');
    expect(e.message).toBe(
      'SIM_ERR_SCENARIO_INVALID: my.yaml: 2 problems: duration: expected a duration like "20ms" or "1h", got "soon"; ' +
        'domains[1].users: expected a whole number from 1 to 50,000,000, got -1',
    );
    expect(e.details?.errors).toEqual([
      { path: 'duration', message: 'expected a duration like "20ms" or "1h", got "soon"' },
      { path: 'domains[1].users', message: 'expected a whole number from 1 to 50,000,000, got -1' },
    ]);
  });

  it('an unknown field is reported with a suggestion', () => {
    const doc = base();
    doc.behavour = { imRate: '2/h' };
    expect(only(doc)).toEqual({ path: 'behavour', message: "unknown field 'behavour' at the top level; did you mean 'behaviour'?" });
    const doc2 = base();
    doc2.behaviour = { imrate: '2/h' };
    expect(only(doc2)).toEqual({ path: 'behaviour.imrate', message: "unknown field 'imrate' in behaviour; did you mean 'imRate'?" });
    const doc3 = base();
    doc3.domains[0].servers = { cpus: 4 };
    expect(only(doc3)).toEqual({ path: 'domains[0].servers.cpus', message: "unknown field 'cpus' in domains[0].servers; expected one of count, cores, queueLimit, clusterLatency" });
  });

  it('an unknown field of a distribution names the fields it takes', () => {
    const doc = base();
    doc.domains[0].serviceTimes = { publish: { dist: 'exponential', median: '2ms' } };
    expect(problems(doc)).toEqual([
      { path: 'domains[0].serviceTimes.publish.median', message: "unknown field 'median' for an exponential distribution (it takes mean); did you mean 'mean'?" },
      { path: 'domains[0].serviceTimes.publish.mean', message: "missing field 'mean' of the exponential distribution" },
    ]);
    const doc2 = base();
    doc2.behaviour = { pendingDecisionDelay: { dist: 'expo', mean: '1s' } };
    expect(only(doc2)).toEqual({
      path: 'behaviour.pendingDecisionDelay.dist',
      message: 'unknown duration distribution "expo"; expected one of fixed, exponential, lognormal, uniform; did you mean \'exponential\'?',
    });
  });

  it('a wrong type says what was expected and what was given', () => {
    const doc = base();
    doc.domains[0].users = '100';
    doc.domains[1].presence = 'yes';
    doc.population.tuples = 2.5;
    doc.trace = true;
    doc.domains[0].servers = [];
    expect(problems(doc)).toEqual([
      { path: 'domains[0].users', message: 'expected a whole number from 1 to 50,000,000, got "100"' },
      { path: 'domains[0].servers', message: 'expected a mapping with fields count, cores, queueLimit, clusterLatency, got a list' },
      { path: 'domains[1].presence', message: 'expected true or false, got "yes"' },
      { path: 'population.tuples', message: 'expected a whole number from 1 to 8, got 2.5' },
      { path: 'trace', message: 'expected a mapping with fields enabled, limit, maxBytes, got true' },
    ]);
    expect(only({ ...base(), domains: { name: 'a.example' } })).toEqual({ path: 'domains', message: 'expected a list of domains, got a mapping' });
    expect(only('- 1\n- 2\n')).toEqual({
      path: '',
      message: 'a scenario must be a mapping with fields name, description, seed, duration, warmup, domains, links, federation, access, faults, population, behaviour, trace, got a list',
    });
  });

  it('an empty value (null) is named as such', () => {
    const doc = base();
    doc.behaviour = { imRate: null };
    expect(only(doc)).toEqual({ path: 'behaviour.imRate', message: 'imRate is empty (null); give a value or leave the field out for its default' });
  });

  it('a missing required field is reported with its meaning', () => {
    const doc = base();
    delete doc.duration;
    delete doc.domains[1].users;
    expect(problems(doc)).toEqual([
      { path: 'duration', message: "missing required field 'duration' (simulated time)" },
      { path: 'domains[1].users', message: "missing required field 'users' (principals (users) of the domain)" },
    ]);
  });

  it('out-of-range values name the limit', () => {
    const doc = base();
    doc.domains[0].users = 1e12;
    doc.domains[0].servers = { count: 0, cores: 0 };
    doc.population.tuples = 9;
    doc.behaviour = { imRate: '1000/s', imBodyBytes: '1GB' };
    doc.duration = '400d';
    expect(problems(doc)).toEqual([
      { path: 'duration', message: 'the duration must be at most 366d, got "400d"' },
      { path: 'domains[0].users', message: 'expected a whole number from 1 to 50,000,000, got 1000000000000' },
      { path: 'domains[0].servers.count', message: 'expected a whole number from 1 to 10,000, got 0' },
      { path: 'domains[0].servers.cores', message: 'expected a whole number from 1 to 1024, got 0' },
      { path: 'population.tuples', message: 'expected a whole number from 1 to 8, got 9' },
      { path: 'behaviour.imRate', message: 'the rate must be at most 100/s, got "1000/s"' },
      { path: 'behaviour.imBodyBytes', message: 'the size must be at most 16MiB, got "1GB"' },
    ]);
    const doc2 = base();
    doc2.duration = 0;
    expect(only(doc2)).toEqual({ path: 'duration', message: 'the duration must be greater than 0, got 0' });
    const doc3 = base();
    doc3.federation = { transactionTimeout: 0 };
    expect(only(doc3)).toEqual({ path: 'federation.transactionTimeout', message: 'the duration must be greater than 0, got 0' });
    const doc4 = base();
    doc4.federation = { forgedNotifyRate: '1000/s' };
    expect(only(doc4)).toEqual({ path: 'federation.forgedNotifyRate', message: 'the rate must be at most 100/s, got "1000/s"' });
    const doc5 = base();
    doc5.population = { ...doc5.population, classes: [{ name: 'family', share: 0.7 }, { name: 'co-workers', share: 0.5, among: 'same-domain' }] };
    expect(only(doc5)).toEqual({ path: 'population.classes', message: 'the shares of the classes that apply to same-domain pairs add up to 1.2; at most 1' });
  });

  it('the users of all domains together are limited', () => {
    const doc = base();
    doc.domains[0].users = 30_000_000;
    doc.domains[1].users = 30_000_000;
    expect(only(doc)).toEqual({ path: 'domains', message: 'the domains have 60,000,000 users in all; at most 50,000,000 are allowed' });
  });

  it('a mix whose fractions do not sum to 1 is reported at the mix', () => {
    const doc = base();
    doc.population.access = { allow: 0.9, deny: '5%' };
    expect(only(doc)).toEqual({
      path: 'population.access',
      message: 'the fractions must sum to 1, but allow 0.9 + deny 0.05 + politeBlock 0 + pending 0 = 0.95',
    });
    const doc2 = base();
    doc2.population.watchers = { subscriber: 0.5, poller: 0.5, fetcher: 0.5 };
    expect(only(doc2).path).toBe('population.watchers');
    const doc3 = base();
    doc3.population.principals = { both: 1 }; // left-out kinds are 0
    expect(validateScenarioText(stringify(doc3)).ok).toBe(true);
    const doc4 = base();
    doc4.population.visibility = { full: 0.8, firstTuple: 0.2 };
    expect(only(doc4)).toEqual({
      path: 'population.visibility.firstTuple',
      message: "unknown field 'firstTuple' in population.visibility; did you mean 'firstTupleOnly'? (fields: full, firstTupleOnly)",
    });
  });

  it('a duplicate domain name is reported at the second one', () => {
    const doc = base();
    doc.domains[1].name = 'a.example';
    expect(only(doc)).toEqual({ path: 'domains[1].name', message: "duplicate domain name 'a.example' (also domains[0].name)" });
  });

  it('a domain name must be DNS-like', () => {
    const doc = base();
    doc.domains[0].name = 'Corp.Example';
    doc.domains[1].name = 'under_score.example';
    expect(problems(doc)).toEqual([
      {
        path: 'domains[0].name',
        message: 'expected a DNS-like domain name of lower-case letters, digits, \'-\' and \'.\' such as "corp.example", got "Corp.Example" (lower case: write "corp.example")',
      },
      {
        path: 'domains[1].name',
        message: 'expected a DNS-like domain name of lower-case letters, digits, \'-\' and \'.\' such as "corp.example", got "under_score.example"',
      },
    ]);
  });

  it('a link to an unknown domain is reported with the known ones', () => {
    const doc = base();
    doc.links = { pairs: [{ from: 'a.example', to: 'c.example', latency: '10ms' }, { from: 'b.exampel', to: 'a.example', latency: '10ms', symmetric: false }] };
    expect(problems(doc)).toEqual([
      { path: 'links.pairs[0].to', message: "unknown domain 'c.example'; did you mean 'a.example'? (domains: a.example, b.example)" },
      { path: 'links.pairs[1].from', message: "unknown domain 'b.exampel'; did you mean 'b.example'? (domains: a.example, b.example)" },
    ]);
  });

  it('a link is still checked when another field of a domain is wrong', () => {
    const doc = base();
    doc.domains[0].users = 0;
    doc.links = { pairs: [{ from: 'a.example', to: 'x.example', latency: '10ms' }] };
    expect(problems(doc).map((p) => p.path)).toEqual(['domains[0].users', 'links.pairs[0].to']);
  });

  it('a link pair given twice, or from a domain to itself, is reported', () => {
    const doc = base();
    doc.links = {
      pairs: [
        { from: 'a.example', to: 'b.example', latency: '10ms' },
        { from: 'b.example', to: 'a.example', latency: '12ms' },
        { from: 'a.example', to: 'a.example', latency: '12ms' },
      ],
    };
    expect(problems(doc)).toEqual([
      { path: 'links.pairs[1]', message: 'the latency b.example -> a.example is given twice (also by links.pairs[0]); pairs are symmetric unless symmetric: false' },
      { path: 'links.pairs[1]', message: 'the latency a.example -> b.example is given twice (also by links.pairs[0]); pairs are symmetric unless symmetric: false' },
      { path: 'links.pairs[2].to', message: "a link joins two different domains, but from and to are both 'a.example'" },
    ]);
    const ok = base();
    ok.links = { pairs: [{ from: 'a.example', to: 'b.example', latency: '10ms', symmetric: false }, { from: 'b.example', to: 'a.example', latency: '30ms', symmetric: false }] };
    const r = validateScenarioText(stringify(ok));
    expect(r.ok && r.scenario.links).toEqual([
      { from: 'a.example', to: 'b.example', latency: { dist: 'fixed', value: 10 }, bandwidthMbps: 0, loss: 0 },
      { from: 'b.example', to: 'a.example', latency: { dist: 'fixed', value: 30 }, bandwidthMbps: 0, loss: 0 },
    ]);
  });

  it('a zero link latency is refused because it is the lookahead of parallel runs', () => {
    const why = 'an inter-domain latency must be greater than 0: the smallest one is the lookahead of parallel runs; got 0';
    const doc = base();
    doc.links = {
      default: 0,
      pairs: [
        { from: 'a.example', to: 'b.example', latency: { dist: 'uniform', min: 0, max: '5ms' } },
        { from: 'b.example', to: 'a.example', latency: { dist: 'fixed', value: '0ms' }, symmetric: false },
      ],
    };
    expect(problems(doc)).toEqual([
      { path: 'links.default', message: why },
      { path: 'links.pairs[0].latency.min', message: why },
      { path: 'links.pairs[1].latency.value', message: why },
    ]);
    const doc2 = base();
    doc2.links = { default: { dist: 'exponential', mean: 0 } };
    expect(only(doc2)).toEqual({ path: 'links.default.mean', message: 'the duration must be greater than 0, got 0' });
  });

  it('distributions are checked: uniform min <= max, lognormal sigma, power-law alpha', () => {
    const doc = base();
    doc.domains[0].serviceTimes = { fetch: { dist: 'uniform', min: '3ms', max: '1ms' }, notify: { dist: 'lognormal', median: '1ms', sigma: -1 } };
    doc.population.buddies = { dist: 'powerlaw', min: 0, max: 10, alpha: 0 };
    expect(problems(doc)).toEqual([
      { path: 'domains[0].serviceTimes.fetch.max', message: 'max (1ms) must not be less than min (3ms)' },
      { path: 'domains[0].serviceTimes.notify.sigma', message: 'the value must be at least 0, got -1' },
      { path: 'population.buddies.min', message: 'expected a whole number from 1 to 100,000, got 0' },
      { path: 'population.buddies.alpha', message: 'the value must be greater than 0, got 0' },
    ]);
  });

  it('cross-field rules: refreshBefore, celebrity domain, federatedFraction, buddies, login window', () => {
    const doc = base();
    doc.behaviour = { subscriptionDuration: '10min', maxSubscriptionDuration: '5min', refreshBefore: '5min', loginWindow: '1min', loginStart: '2h' };
    doc.population.celebrity = { domain: 'z.example', subscribers: 10 };
    doc.population.buddies = 200;
    expect(problems(doc)).toEqual([
      { path: 'population.buddies', message: 'a user needs at least 200 buddies but there are only 149 other users' },
      { path: 'population.celebrity.domain', message: "unknown domain 'z.example'; did you mean 'a.example'? (domains: a.example, b.example)" },
      { path: 'behaviour.refreshBefore', message: 'must be less than maxSubscriptionDuration (5min), the granted subscription duration, got 5min' },
      { path: 'behaviour.loginStart', message: 'the login window starts at 2h, at or after the end of the run (duration 1h)' },
    ]);
    const one = base();
    one.domains = [one.domains[0]];
    one.population.federatedFraction = 0.1;
    expect(only(one)).toEqual({ path: 'population.federatedFraction', message: 'must be 0 with a single domain (there is no other domain to draw buddies from), got 0.1' });
    const off = base();
    off.domains[1].presence = false;
    off.population.celebrity = { domain: 'b.example', subscribers: 10 };
    expect(only(off)).toEqual({ path: 'population.celebrity.domain', message: "domain 'b.example' has presence: false, so it cannot host a celebrity presentity" });
  });

  it('a YAML syntax error is SIM_ERR_SCENARIO_PARSE with line and column', () => {
    const text = 'name: x\nduration: 1h\ndomains:\n  - name: a.example\n    users: [1, 2\nseed: 3\n';
    let err: SimError | undefined;
    try {
      parseScenario(text, 'broken.yaml');
    } catch (e) {
      err = e as SimError;
    }
    expect(err?.code).toBe('SIM_ERR_SCENARIO_PARSE');
    expect(err?.details).toMatchObject({ source: 'broken.yaml', line: 6, column: 1 });
    expect(err?.message).toMatch(/^SIM_ERR_SCENARIO_PARSE: broken\.yaml: not valid YAML or JSON at line 6, column 1: /);
    expect(problems(text)[0]!.message).toMatch(/^line 6, column 1: /);
  });

  it('duplicate keys, several documents and collection keys are parse errors with a position', () => {
    const dup = problems('name: x\nname: y\n');
    expect(dup).toEqual([{ path: '', message: "line 2, column 1: the key 'name' appears twice in the same mapping" }]);
    expect(problems('name: x\ndomains: [{name: a.example, users: 1, users: 2}]\n')).toEqual([
      { path: '', message: "line 2, column 39: the key 'users' appears twice in the same mapping" },
    ]);
    expect(problems('name: x\n---\nname: y\n')[0]!.message).toMatch(/^line 2, column 1: a scenario is one YAML document/);
    expect(problems('name: x\n? [a, b]\n: 1\n')[0]!.message).toBe('line 2, column 3: a mapping key must be a plain word, not a list or a mapping');
    // a mapping as key whose own key is a merge key (found by the fuzzer: it used to escape as a plain Error)
    expect(problems('? <<: ')[0]!.message).toMatch(/a mapping key must be a plain word, not a list or a mapping$/);
  });

  it('YAML anchors, aliases and merge keys work; top-level x- keys hold anchors and are ignored', () => {
    const text = [
      'name: merged',
      'duration: 1h',
      'x-domain: &dom { users: 10, servers: { count: 2, cores: 2 } }',
      'domains:',
      '  - { <<: *dom, name: a.example }',
      '  - { <<: *dom, name: b.example, users: 20 }',
      'population: { buddies: 3 }',
    ].join('\n');
    const r = validateScenarioText(text);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.scenario.domains.map((d) => [d.name, d.users, d.servers.count])).toEqual([['a.example', 10, 2], ['b.example', 20, 2]]);
      expect(Object.keys(r.scenario)).not.toContain('x-domain');
    }
    expect(only({ ...base(), domains: [{ 'x-note': 1, name: 'a.example', users: 3 }] }).message).toMatch(/^unknown field 'x-note' in domains\[0\]/);
  });

  it('JSON text is accepted and its syntax errors are reported with a line', () => {
    const r = validateScenarioText(JSON.stringify(base(), null, 2));
    expect(r.ok).toBe(true);
    const bad = problems('{\n  "name": "x",\n  "duration": "1h",\n  "domains": [\n}\n');
    expect(bad[0]!.message).toMatch(/^line \d+, column \d+: /);
  });

  it('the message lists at most 20 problems but details.errors has all', () => {
    const doc = base();
    doc.domains = Array.from({ length: 30 }, (_, i) => ({ name: `d${i}.example`, users: 0 }));
    try {
      parseScenario(stringify(doc));
      expect.unreachable();
    } catch (e) {
      const err = e as SimError;
      expect(err.message).toMatch(/<scenario>: 30 problems: .*; \.\.\. and 10 more$/);
      expect((err.details?.errors as unknown[]).length).toBe(30);
    }
  });

  it('a protocol binding that does not exist is refused, and so are fields an XMPP domain has no meaning for', () => {
    const doc = base();
    doc.domains[1].protocol = 'smtp';
    const p = only(doc);
    expect(p.path).toBe('domains[1].protocol');
    expect(p.message).toMatch(/cpim, sip or xmpp/);
    const x = base();
    x.domains[1].protocol = 'xmpp';
    x.federation = { listSubscriptions: true };
    x.population.visibility = { full: 1 };
    x.population.watchers = { subscriber: 1 };
    const q = only(x);
    expect(q.path).toBe('federation.listSubscriptions');
    expect(q.message).toMatch(/no XMPP meaning for domain 'b.example' \(protocol: xmpp\)/);
  });
});
