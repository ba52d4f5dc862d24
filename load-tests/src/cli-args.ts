import { parseArgs } from 'node:util';
import { parseDuration } from './duration.js';

export interface CliArgs {
  scenario?: string;
  list: boolean;
  help: boolean;
  /** Peak rate per second of the scenario's first entry (capacity: the first step). */
  ratePerSecond?: number;
  /** Run length (capacity: the length of each step). */
  durationMs?: number;
  /** Capacity scenarios: the last rate to try. */
  maxRate?: number;
  /** Unmeasured traffic before the run; 0 turns the scenario's warm-up off. */
  warmupMs?: number;
  target?: string;
  out?: string;
  params: Record<string, string>;
  autocannon: boolean;
}

export const USAGE = `usage: npm run load -- <scenario> [options]
       npm run load -- --list

options:
  --rate N          peak rate per second of the scenario's first entry (others keep their share);
                    for a capacity scenario, the first step's rate
  --duration S      run length: seconds or 30s / 2m / 1m30s (capacity: each step's length)
  --max-rate N      capacity scenarios: the highest rate to try
  --warmup S        unmeasured traffic at the opening rate before the run (0 = none;
                    default: the scenario's warmup, 5s for the shipped ones)
  --target URL      base URL of the service, or host:port[,host:port] Kafka brokers
                    (default: REC_API_URL, TXN_API_URL or KAFKA_BROKERS, else the stack's ports)
  --param k=v       a scenario parameter (repeatable); --list shows them
  --out DIR         where <scenario>.json and <scenario>.html go (default: load-tests/reports)
  --kill SERVICE    fraud-availability: SIGKILL fraud-scorer or feature-engine during the run
                    (npm start restarts it); none = no fault (the default)
  --kill-at S       fraud-availability: when, seconds into the measured run (default 20)
  --autocannon      after the run, run autocannon at the same rate against the same endpoint
                    and report its p50/p99 next to the runner's (HTTP scenarios)

exit status: 0 thresholds held, 1 a threshold failed, 2 the run could not start,
             3 the run is invalid (the load generator was the bottleneck)`;

export class UsageError extends Error {
  override name = 'UsageError';
}

function positiveNumber(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new UsageError(`${flag} must be a number above 0, got "${raw}"`);
  return value;
}

function duration(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  try {
    return parseDuration(raw, flag);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function parseCliArgs(argv: string[]): CliArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError(`one scenario at a time, got ${positionals.join(' ')}`);
  const params: Record<string, string> = {};
  for (const pair of values.param ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param takes name=value, got "${pair}"`);
    params[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  // Fault flags are shorthands for the scenario's own parameters, so a scenario without them refuses them by name.
  if (values.kill !== undefined) params.kill = values.kill;
  const killAtMs = duration('--kill-at', values['kill-at']);
  if (killAtMs !== undefined) params.killAt = String(killAtMs / 1000);
  const durationMs = duration('--duration', values.duration);
  if (durationMs !== undefined && durationMs <= 0) throw new UsageError('--duration must be longer than 0');
  const warmupMs = duration('--warmup', values.warmup);
  const args: CliArgs = {
    list: values.list ?? false,
    help: values.help ?? false,
    params,
    autocannon: values.autocannon ?? false,
  };
  if (positionals[0] !== undefined) args.scenario = positionals[0];
  const rate = positiveNumber('--rate', values.rate);
  if (rate !== undefined) args.ratePerSecond = rate;
  if (durationMs !== undefined) args.durationMs = durationMs;
  if (warmupMs !== undefined) args.warmupMs = warmupMs;
  const maxRate = positiveNumber('--max-rate', values['max-rate']);
  if (maxRate !== undefined) args.maxRate = maxRate;
  if (values.target !== undefined) args.target = values.target;
  if (values.out !== undefined) args.out = values.out;
  return args;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      rate: { type: 'string' },
      duration: { type: 'string' },
      'max-rate': { type: 'string' },
      warmup: { type: 'string' },
      target: { type: 'string' },
      out: { type: 'string' },
      param: { type: 'string', multiple: true },
      autocannon: { type: 'boolean' },
      kill: { type: 'string' },
      'kill-at': { type: 'string' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
