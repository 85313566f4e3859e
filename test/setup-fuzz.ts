/**
 * Property tests run on a fixed seed, so that `npm test` gives the same verdict every time (in CI
 * too). To explore, set FUZZ_SEED to a number, or to "random" for a fresh seed on each run; a
 * failure prints its seed and path, and FUZZ_SEED=<that seed> replays it.
 */
import fc from 'fast-check';

const raw = process.env.FUZZ_SEED;
const seed = raw === 'random' ? Date.now() ^ (Math.random() * 0x7fffffff) : raw !== undefined && raw !== '' ? Number(raw) : 20_261_121;
if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer or "random", got '${raw}'`);
fc.configureGlobal({ seed });
