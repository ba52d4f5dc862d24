// `npm run drill -- <name> [--param name=value ...] [--out DIR]`, `npm run drill -- --list`.
// The only file of the drills that reads the environment: the stack's addresses, its ports as defaults
// (the same as infra/src/manifest.ts gives `npm start`).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { env, loadConfig } from '@mlsys/config';
import { DRILLS } from './registry.js';
import { DRILL_EXIT, runDrill } from './run-drill.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const reportsDir = join(here, '..', '..', 'reports', 'drills');

export const DRILL_USAGE = `usage:
  npm run drill -- <name> [--param name=value ...] [--out DIR]
  npm run drill -- --list        the drills and their --param settings
drills: ${DRILLS.map((d) => d.name).join(', ')}
The stack must be running (npm start); the drill refuses otherwise.`;

function listing(): string {
  const lines: string[] = [];
  for (const drill of DRILLS) {
    lines.push(`${drill.name.padEnd(12)} ${drill.question}`, `${''.padEnd(12)} ${drill.summary}`);
    for (const [name, spec] of Object.entries(drill.params)) {
      const fallback = 'fallback' in spec ? ` (default ${String(spec.fallback)})` : '';
      lines.push(`${''.padEnd(16)}--param ${name}=...  ${spec.description}${fallback}`);
    }
  }
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const print = (line: string) => process.stdout.write(`${line}\n`);
  let values: { list?: boolean; help?: boolean; out?: string; param?: string[] };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        out: { type: 'string' },
        param: { type: 'string', multiple: true },
      },
    }));
  } catch (error) {
    process.stderr.write(`✖ ${(error as Error).message}\n\n${DRILL_USAGE}\n`);
    return DRILL_EXIT.refused;
  }
  if (values.help || values.list) {
    print(values.help ? DRILL_USAGE : listing());
    return DRILL_EXIT.done;
  }
  const [name, ...extra] = positionals;
  const drill = DRILLS.find((d) => d.name === name);
  if (!drill || extra.length > 0) {
    process.stderr.write(
      `✖ ${name ? `no drill named ${[name, ...extra].join(' ')}` : 'name a drill'}\n\n${DRILL_USAGE}\n`,
    );
    return DRILL_EXIT.refused;
  }
  const given: Record<string, string> = {};
  for (const pair of values.param ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      process.stderr.write(`✖ --param takes name=value, got "${pair}"\n`);
      return DRILL_EXIT.refused;
    }
    given[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const url = (description: string, fallback: string) =>
    env.url({ description, default: fallback, protocols: ['http', 'https'] });
  const config = loadConfig(
    'drill',
    {
      REC_API_URL: url('rec-api base URL', 'http://127.0.0.1:8080'),
      TXN_API_URL: url('txn-api base URL', 'http://127.0.0.1:8090'),
      FRAUD_MONITOR_URL: url('fraud-monitor base URL', 'http://127.0.0.1:8093'),
      KAFKA_BROKERS: env.list({ description: 'Kafka bootstrap brokers', default: ['127.0.0.1:9092'] }),
      REDIS_URL: env.url({
        description: "the stack's Redis",
        default: 'redis://127.0.0.1:6379',
        protocols: ['redis'],
      }),
    },
    process.env,
  );
  const outcome = await runDrill(
    {
      drill,
      given,
      root,
      targets: {
        'rec-api': config.REC_API_URL,
        'txn-api': config.TXN_API_URL,
        'fraud-monitor': config.FRAUD_MONITOR_URL,
        kafka: config.KAFKA_BROKERS.join(','),
        redis: config.REDIS_URL,
      },
    },
    {
      print,
      progress: (line) => process.stderr.write(`${line}\n`),
      outDir: values.out === undefined ? reportsDir : resolve(values.out),
    },
  );
  // An overrun drill's load is abandoned on purpose (the limit is the promise to the reader): leave now.
  if (outcome.overran) process.exit(outcome.exit);
  return outcome.exit;
}

process.exitCode = await main(process.argv.slice(2));
