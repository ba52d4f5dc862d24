// `npm run bench -- fraud-sync [--rates 100,250,500,1000,1500,2000] [--seconds 30] [--warmup-seconds 5]
//                              [--returning-share 0.5] [--batch-window-ms 1] [--modes sync,floor]
//                              [--compare-batching] [--compare-rate 1000] [--connections 256]
//                              [--timeout-ms 10000] [--saturated-p99-ms 1000] [--artifacts DIR]
//                              [--kafka host:port] [--redis redis://host:port] [--out FILE]
//                              [--cpu-prof DIR] [--stage-node-args='--max-semi-space-size=64']`
//
// The synchronous fraud decision, `POST /v1/transactions?wait=true` on txn-api, at rising open-model
// rates: request i is due at t0 + i / rate and is sent then whatever happened to earlier ones; its
// latency runs from that due time and its event time is that due time. Payments come from the
// Handbook simulator with their cards fresh (no history) or returning (paid earlier in the run),
// `--returning-share` of them returning. Per rate: p50/p95/p99, availability, the share of `full`
// decisions (rules + model, not the rules-only fallback), the generator's send lag, each process's
// CPU per decision (/proc) and the load average. A rate holds when p99 < 50 ms with >= 99 % full
// decisions; climbing stops once p99 passes --saturated-p99-ms.
//
// The same rates against the floor: a server that validates the body, produces it acks=all (the
// idempotent producer, keyed by card) and answers 200, with no features and no model. The decision
// API's highest holding rate over the floor's is the figure a noisy shared host moves least.
// `--compare-batching` also runs the decision API at --compare-rate with the feature engine's sync
// batch window at 1 ms and at 0 (one model call per payment), restarting the feature engine between.
//
// Each mode starts its own feature-engine, fraud-scorer and txn-api (or floor) processes from
// source under a run id of its own (topics, consumer groups, state namespace, Redis keys), so a
// running `npm start` stack is never touched, and deletes what it created afterwards. Kafka and Redis
// are the ones given (the stack's by default; the test servers with KAFKA_BROKERS=127.0.0.1:19092
// REDIS_URL=redis://127.0.0.1:16379). `--cpu-prof DIR` runs each of those processes with
// `node --cpu-prof` (profiles written to DIR when it stops); `--stage-node-args` adds node flags.
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fraud } from '@mlsys/datagen';
import { createKafka, type Kafka } from '@mlsys/kafka';
import { buildResult, type RunResult, writeResult } from '@mlsys/results';
import { DECISION_PATH, Load } from '../fraud-sync/load.js';
import {
  HOLD_FULL_SHARE,
  HOLD_P99_MS,
  type Mode,
  maxHoldingRate,
  type RateRow,
  ratioToFloor,
} from '../fraud-sync/rows.js';
import { startFloorStack, startSyncStack } from '../fraud-sync/stacks.js';
import { tableHeader, tableLine } from '../fraud-sync/table.js';
import { repoRoot, resultsDir } from '../paths.js';
import { checkInfra, fraudArtifactsDir } from '../stack/infra.js';
import type { NodeLaunch } from '../stack/services.js';

/** Issue 9's targets for the synchronous path: the rate it sustains, and that rate over the floor's. */
const TARGET_MAX_RATE = 1000;
const TARGET_RATIO_TO_FLOOR = 0.5;
/** Between rates: the asynchronous path behind the answers finishes what the last rate left. */
const SETTLE_MS = 2000;
/** Batch windows --compare-batching runs, in this order: the default, then one model call per payment. */
const COMPARED_WINDOWS = [1, 0] as const;
const MODES: readonly Mode[] = ['sync', 'floor'];

interface Settings {
  rates: number[];
  seconds: number;
  warmupSeconds: number;
  returningShare: number;
  batchWindowMs: number;
  modes: Mode[];
  compareRate: number | null;
  connections: number;
  timeoutMs: number;
  saturatedP99Ms: number;
  artifactsDir: string;
  dataProfile: string;
  brokers: string[];
  redisUrl: string;
  out: string;
  launch: NodeLaunch;
}

export async function run(args: string[]): Promise<RunResult> {
  const settings = parseSettings(args);
  const startedAt = new Date();
  const kafka = createKafka({
    clientId: 'bench-fraud-sync',
    brokers: settings.brokers,
    silent: true,
    retries: 2,
  });
  await checkInfra(kafka, settings);
  const perMode = 15 + settings.warmupSeconds + settings.rates.length * (settings.seconds + SETTLE_MS / 1000);
  const compare = settings.compareRate === null ? 0 : 30 + 2 * (settings.warmupSeconds + settings.seconds);
  console.log(
    `fraud-sync bench: POST ${DECISION_PATH}, ${settings.modes.join(' + ') || 'no sweep'} at ${settings.rates.join(', ')} req/s x ${settings.seconds} s` +
      `${settings.compareRate === null ? '' : `, batch windows ${COMPARED_WINDOWS.join(' vs ')} ms at ${settings.compareRate} req/s`}; ` +
      `up to ${Math.ceil((settings.modes.length * perMode + compare) / 60)} min`,
  );
  console.log(
    `  ${(100 * settings.returningShare).toFixed(0)} % returning cards, payments from the ${settings.dataProfile} simulation, ` +
      `artifacts ${settings.artifactsDir.replace(`${repoRoot}/`, '')}`,
  );
  const notes: string[] = [];
  const rows: RateRow[] = [];
  for (const mode of settings.modes) {
    rows.push(...(await sweep(kafka, settings, mode, notes)));
  }
  const batching =
    settings.compareRate === null ? [] : await compareBatching(kafka, settings, settings.compareRate);
  return report(settings, rows, batching, notes, startedAt);
}

function parseSettings(args: string[]): Settings {
  const { values } = parseArgs({
    args,
    options: {
      rates: { type: 'string', default: '100,250,500,1000,1500,2000' },
      seconds: { type: 'string', default: '30' },
      'warmup-seconds': { type: 'string', default: '5' },
      'returning-share': { type: 'string', default: '0.5' },
      'batch-window-ms': { type: 'string', default: '1' },
      modes: { type: 'string', default: MODES.join(',') },
      'compare-batching': { type: 'boolean', default: false },
      'compare-rate': { type: 'string', default: '1000' },
      connections: { type: 'string', default: '256' },
      'timeout-ms': { type: 'string', default: '10000' },
      'saturated-p99-ms': { type: 'string', default: '1000' },
      artifacts: { type: 'string' },
      kafka: { type: 'string', default: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092' },
      redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
      out: { type: 'string', default: join(resultsDir, 'fraud-sync.json') },
      'cpu-prof': { type: 'string' },
      'stage-node-args': { type: 'string', default: '' },
    },
  });
  const number = (name: string, text: string, min: number, max = Number.POSITIVE_INFINITY) => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max)
      throw new Error(
        `--${name} must be a number from ${min}${Number.isFinite(max) ? ` to ${max}` : ' up'}, got ${text}`,
      );
    return value;
  };
  const wholeNumber = (name: string, text: string, min: number, max?: number) => {
    const value = number(name, text, min, max);
    if (!Number.isInteger(value)) throw new Error(`--${name} must be a whole number, got ${text}`);
    return value;
  };
  const artifactsDir = fraudArtifactsDir(values.artifacts);
  return {
    rates: values.rates
      .split(',')
      .map((r) => number('rates', r, 1))
      .sort((a, b) => a - b),
    seconds: number('seconds', values.seconds, 1),
    warmupSeconds: number('warmup-seconds', values['warmup-seconds'], 0),
    returningShare: number('returning-share', values['returning-share'], 0, 1),
    // The feature engine's SYNC_BATCH_WINDOW_MS takes whole milliseconds from 0 to 50.
    batchWindowMs: wholeNumber('batch-window-ms', values['batch-window-ms'], 0, 50),
    modes: values.modes
      .split(',')
      .filter((mode) => mode !== '')
      .map((mode) => {
        if (!MODES.includes(mode as Mode)) throw new Error(`--modes takes ${MODES.join(', ')}, got ${mode}`);
        return mode as Mode;
      }),
    compareRate: values['compare-batching'] ? number('compare-rate', values['compare-rate'], 1) : null,
    connections: wholeNumber('connections', values.connections, 1),
    timeoutMs: number('timeout-ms', values['timeout-ms'], 1),
    saturatedP99Ms: number('saturated-p99-ms', values['saturated-p99-ms'], 1),
    artifactsDir,
    dataProfile: dataProfileOf(artifactsDir),
    brokers: values.kafka.split(','),
    redisUrl: values.redis,
    out: values.out,
    launch: {
      ...(values['cpu-prof'] ? { cpuProfileDir: values['cpu-prof'] } : {}),
      stageNodeArgs: values['stage-node-args'].split(' ').filter((arg) => arg !== ''),
    },
  };
}

/** The simulation profile the artifacts were trained on, so the payments' terminals are ones they know. */
function dataProfileOf(artifactsDir: string): string {
  const { profile } = JSON.parse(readFileSync(join(artifactsDir, 'manifest.json'), 'utf8')) as {
    profile?: string;
  };
  return profile !== undefined && profile in fraud.FRAUD_PROFILES ? profile : 'default';
}

/** One mode over the rates, lowest first, on one set of processes, until it saturates. */
async function sweep(kafka: Kafka, settings: Settings, mode: Mode, notes: string[]): Promise<RateRow[]> {
  console.log(
    `  ${mode}: starting ${mode === 'sync' ? 'feature-engine, fraud-scorer and txn-api' : 'the floor server'} ...`,
  );
  const stack =
    mode === 'sync'
      ? await startSyncStack(kafka, settings, settings.batchWindowMs)
      : await startFloorStack(kafka, settings);
  const load = new Load(settings, mode, stack);
  const rows: RateRow[] = [];
  try {
    await load.warmUp(settings.rates[0]!);
    console.log(tableHeader());
    for (const rate of settings.rates) {
      const row = await load.measure(rate, mode === 'sync' ? settings.batchWindowMs : null);
      rows.push(row);
      console.log(tableLine(row));
      if (row.p99_ms > settings.saturatedP99Ms) {
        notes.push(
          `${mode}: stopped after ${rate} req/s, p99 ${row.p99_ms} ms > ${settings.saturatedP99Ms} ms (saturated)`,
        );
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    }
  } finally {
    await load.close();
    await stack.stop();
  }
  return rows;
}

/** The decision API at one rate with each compared batch window, restarting the feature engine between. */
async function compareBatching(kafka: Kafka, settings: Settings, rate: number): Promise<RateRow[]> {
  console.log(`  batching: starting feature-engine, fraud-scorer and txn-api ...`);
  const stack = await startSyncStack(kafka, settings, COMPARED_WINDOWS[0]);
  const load = new Load(settings, 'sync', stack);
  const rows: RateRow[] = [];
  try {
    for (const [i, window] of COMPARED_WINDOWS.entries()) {
      if (i > 0) {
        console.log(`  batching: restarting the feature engine with SYNC_BATCH_WINDOW_MS=${window} ...`);
        await stack.restartFeatureEngine(window);
      }
      await load.warmUp(rate);
      if (i === 0) console.log(tableHeader());
      const row = await load.measure(rate, window);
      rows.push(row);
      console.log(tableLine(row));
    }
  } finally {
    await load.close();
    await stack.stop();
  }
  return rows;
}

function report(
  settings: Settings,
  rows: RateRow[],
  batching: RateRow[],
  notes: string[],
  startedAt: Date,
): RunResult {
  const syncMax = maxHoldingRate(rows, 'sync');
  const floorMax = maxHoldingRate(rows, 'floor');
  const topRate = settings.rates.at(-1)!;
  const metrics: Record<string, unknown> = {
    max_rate_p99_under_50ms_full_99pct: syncMax,
    floor_max_rate_p99_under_50ms: floorMax,
    ratio_to_floor: ratioToFloor(syncMax, floorMax),
    host_load_avg_1m_at_end: Math.round(loadavg()[0]! * 10) / 10,
    rows,
  };
  if (batching.length === COMPARED_WINDOWS.length) {
    const [batched, unbatched] = batching as [RateRow, RateRow];
    metrics.batching_rows = batching;
    metrics.unbatched_over_batched_p99 = ratio(unbatched.p99_ms, batched.p99_ms);
    metrics.unbatched_over_batched_cpu = ratio(
      unbatched.cpu_us_per_decision.all!,
      batched.cpu_us_per_decision.all!,
    );
  }

  notes.push(
    `services ran as child processes (node + tsx from source) under their own run ids; Kafka ${settings.brokers.join(',')}, Redis ${settings.redisUrl}`,
    `a rate holds when p99 from the scheduled start < ${HOLD_P99_MS} ms and >= ${100 * HOLD_FULL_SHARE} % of requests got a full decision (the floor: a 2xx)`,
    `host has ${availableParallelism()} cpus shared by broker, Redis, services and this generator`,
  );
  if (floorMax === topRate)
    notes.push(
      `the floor held at the highest rate tried (${topRate} req/s): its true maximum is higher, so ratio_to_floor overstates the decision API`,
    );
  if (syncMax === topRate)
    notes.push(
      `the decision API held at the highest rate tried (${topRate} req/s): its maximum is at least that`,
    );
  for (const row of [...rows, ...batching]) notes.push(...rowNotes(row));

  const result = buildResult({
    name: 'fraud-sync',
    startedAt,
    params: {
      path: DECISION_PATH,
      rates: settings.rates,
      seconds_per_rate: settings.seconds,
      warmup_seconds: settings.warmupSeconds,
      returning_share: settings.returningShare,
      batch_window_ms: settings.batchWindowMs,
      modes: settings.modes,
      compare_batching:
        settings.compareRate === null
          ? null
          : { rate: settings.compareRate, windows_ms: [...COMPARED_WINDOWS] },
      connections: settings.connections,
      timeout_ms: settings.timeoutMs,
      saturated_p99_ms: settings.saturatedP99Ms,
      artifacts: settings.artifactsDir.replace(`${repoRoot}/`, ''),
      data_profile: settings.dataProfile,
      model: 'open (arrivals on schedule, latency from the due time)',
    },
    metrics,
    slo: [
      { metric: 'max_rate_p99_under_50ms_full_99pct', op: '>=', target: TARGET_MAX_RATE },
      { metric: 'ratio_to_floor', op: '>=', target: TARGET_RATIO_TO_FLOOR },
    ],
    notes,
  });
  writeResult(settings.out, result);
  return result;
}

/** Steal from this share up makes a row's latencies the host's as much as the stack's. */
const NOISY_STEAL_SHARE = 0.05;

/** What a reader of one row must know: a generator that fell behind, answers that were not full decisions. */
function rowNotes(row: RateRow): string[] {
  const label = `${row.mode} ${row.rate} req/s${row.batch_window_ms === null ? '' : ` (window ${row.batch_window_ms} ms)`}`;
  const notes: string[] = [];
  if (row.generator_lag_p99_ms > 5)
    notes.push(
      `${label}: the generator sent its p99 request ${row.generator_lag_p99_ms} ms late (it shares the CPU): those latencies include it`,
    );
  if (row.host && row.host.steal_share >= NOISY_STEAL_SHARE)
    notes.push(
      `${label}: the hypervisor stole ${(100 * row.host.steal_share).toFixed(0)} % of the host's CPU time: latencies include it (CPU per decision does not)`,
    );
  if (row.availability < HOLD_FULL_SHARE) {
    const reasons = Object.entries(row.failures).map(([reason, count]) => `${reason}: ${count}`);
    notes.push(
      `${label}: only ${(100 * row.availability).toFixed(1)} % of requests answered 2xx (${reasons.join(', ')})`,
    );
  } else if (row.full_share !== null && row.full_share < HOLD_FULL_SHARE) {
    notes.push(`${label}: only ${(100 * row.full_share).toFixed(1)} % full decisions, the rest rules-only`);
  }
  return notes;
}

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : null);
