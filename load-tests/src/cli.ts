// `npm run load -- <scenario> [--rate N] [--duration S] [--target URL] [--out DIR] ...`
// The only file of the load tests that reads the environment: the targets'
// addresses, with the stack's ports as defaults.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { env, loadConfig } from '@mlsys/config';
import { parseCliArgs } from './cli-args.js';
import { describeFailure, EXIT, runCommand } from './commands.js';

const reportsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'reports');

try {
  const args = parseCliArgs(process.argv.slice(2));
  const config = loadConfig(
    'load-tests',
    {
      REC_API_URL: env.url({
        description: 'rec-api base URL',
        default: 'http://127.0.0.1:8080',
        protocols: ['http', 'https'],
      }),
      TXN_API_URL: env.url({
        description: 'txn-api base URL',
        default: 'http://127.0.0.1:8090',
        protocols: ['http', 'https'],
      }),
      KAFKA_BROKERS: env.list({
        description: 'Kafka bootstrap brokers, host:port[,host:port]',
        default: ['127.0.0.1:9092'],
      }),
    },
    process.env,
  );
  const status = await runCommand(
    args,
    { 'rec-api': config.REC_API_URL, 'txn-api': config.TXN_API_URL, kafka: config.KAFKA_BROKERS.join(',') },
    {
      print: (line) => process.stdout.write(`${line}\n`),
      progress: (line) => process.stderr.write(`${line}\n`),
      outDir: args.out === undefined ? reportsDir : resolve(args.out),
    },
  );
  process.exitCode = status;
} catch (error) {
  process.stderr.write(`✖ ${describeFailure(error)}\n`);
  process.exitCode = EXIT.couldNotRun;
}
