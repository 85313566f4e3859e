/**
 * impp-sim command-line tool. `npm run sim -- <command> ...` or, installed, `impp-sim <command>`.
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { runModel } from './engine/parallel.js';
import { SimError } from './errors.js';
import type { PholdParams, PholdResult } from '../bench/phold.js';

const USAGE = `impp-sim: simulate and load-test presence and instant messaging systems (IETF IMPP model)

usage: impp-sim <command> [options]

commands:
  demo [--workers W]     run the PHOLD kernel benchmark at 1 and W workers (default 2) and
                         show that both give the same checksum
  version                print the version
  help                   this text

Benchmarks: npm run bench -- phold --help
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function demo(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { workers: { type: 'string' } } });
  const workers = values.workers === undefined ? 2 : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new SimError('SIM_ERR_CLI_USAGE', `--workers must be an integer between 1 and 64, got '${values.workers}'`);
  }
  const params: PholdParams = { lps: 1000, events: 16, remote: 0.1, lookahead: 1, mean: 1, until: 1000 };
  const model = new URL('../bench/phold.js', import.meta.url).href;
  for (const w of workers === 1 ? [1] : [1, workers]) {
    const out = await runModel<PholdParams, unknown, PholdResult>(model, params, { workers: w, seed: 1, until: params.until });
    console.log(
      `PHOLD 1000 LPs x 16 events, until 1000, ${w} worker(s): ${out.events} events, ` +
        `${(out.eventsPerSec / 1e6).toFixed(2)} M events/s, checksum ${out.result.checksum}`,
    );
  }
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return cmd === undefined ? 2 : 0;
    case 'version':
    case '--version':
      console.log(version());
      return 0;
    case 'demo':
      return demo(rest);
    default:
      process.stderr.write(`impp-sim: unknown command '${cmd}'\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`impp-sim: ${msg}\n`);
    process.exit(e instanceof SimError || (e as { code?: string })?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? 2 : 1);
  },
);
