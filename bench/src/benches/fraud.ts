// `npm run bench -- fraud [--rates 2500,5000,10000] [--seconds 60] [--warmup-seconds 5]
//                         [--drain-seconds 120] [--checkpoint-ms 30000] [--artifacts DIR]
//                         [--kafka host:port] [--redis redis://host:port]
//                         [--modes pipeline,passthrough,eos-passthrough] [--no-designs]
//                         [--cpu-prof DIR] [--stage-node-args '--max-semi-space-size=64']`
//
// `--cpu-prof DIR` runs every stage process with `node --cpu-prof` and writes their profiles
// (one .cpuprofile per process, written when it stops) to DIR: where each stage's CPU goes.
// `--stage-node-args` adds node flags to every stage process (services and pass-through workers),
// to measure a launch setting (e.g. a larger young generation) before the stack adopts it.
//
// The fraud stream end to end at fixed arrival rates: simulated payments (the Handbook simulator
// with card-not-present signals, `default` profile) are produced to `transactions`, keyed by card,
// each stamped with the wall-clock time it is due; the feature engine and the scorer turn them
// into `decisions`, which this process reads back (read committed). Per rate:
//
// - decision latency = time the decision is read - the payment's event time (its due time), so a
//   generator or pipeline falling behind shows up as latency; p50 / p95 / p99 over the payments due
//   after the warm-up;
// - throughput: payments decided / time from the first due payment to the last decision;
// - lost and duplicated decisions, which must both be 0. After producing stops, the run waits
//   while decisions keep coming (a pipeline behind its input drains its backlog) up to
//   --drain-seconds; a payment still undecided once decisions stopped coming for 10 s is lost,
//   one still undecided at the drain limit while decisions were still coming is a backlog;
// - the same run through a plain Kafka consume-and-produce pass-through with the same two hops
//   (at-least-once, records copied as bytes), for the ratio pipeline / pass-through on this machine
//   at this moment, which is what survives a noisy shared host.
//
// The services run as child processes from their TypeScript sources (node + tsx), as `npm start`
// runs them from their build: feature-engine and fraud-scorer for the pipeline, two copies of this
// file in `--passthrough-worker` mode for the pass-through. Each rate gets fresh topics, a fresh
// feature-state namespace and fresh processes, so one rate's backlog never leaks into the next.
// Kafka and Redis are the ones given (the stack's by default; the test servers with
// KAFKA_BROKERS=127.0.0.1:19092 REDIS_URL=redis://127.0.0.1:16379).
import { randomUUID } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Transaction } from '@mlsys/contracts';
import { fraud } from '@mlsys/datagen';
import {
  CheckpointReplica,
  type EngineEvent,
  FeatureTask,
  InlineCheckpointer,
  RedisFeatureStateStore,
  WorkerCheckpointer,
} from '@mlsys/feature-engine/state';
import { FraudFeatureEngine, loadFraudArtifacts, toCents } from '@mlsys/fraud-core';
import { createKafka, type Kafka } from '@mlsys/kafka';
import { TransactionalStream } from '@mlsys/kafka/stream';
import { SLO } from '@mlsys/load-tests';
import {
  closeRedis,
  connectRedis,
  createRedis,
  defineLuaScript,
  type RedisClient,
  unlinkMatching,
} from '@mlsys/redis';
import { buildResult, percentile, type RunResult, writeResult } from '@mlsys/results';
import { CompressionTypes, Partitioners, type Producer } from 'kafkajs';
import { resultsDir, repoRoot as root } from '../paths.js';
import { cpuSeconds } from '../stack/cpu.js';
import { checkInfra, createRunTopics, deleteRun, fraudArtifactsDir } from '../stack/infra.js';
import { type Stage, spawnNode, stageOf, startService } from '../stack/services.js';

const DATA_PROFILE = 'default';
/** Payments the state-design comparison replays (20 s of the stream at 10,000/s). */
const DESIGN_PAYMENTS = 200_000;
/** Payments are sent every tick in one batch: the generator's own granularity. */
const TICK_MS = 2;
/** After producing stops, no new decision for this long means the undecided ones are lost. */
const STALL_MS = 10_000;
/** Produce requests the generator keeps open at once. */
const SENDS_IN_FLIGHT = 4;
/** Most payments in one produce request. */
const MAX_SEND_MESSAGES = 2000;

/**
 * `passthrough`: plain consume-and-produce, at-least-once, bytes copied;
 * `eos-passthrough`: the same hops through the pipeline's exactly-once stream
 * (one Kafka transaction per batch) with nothing computed, which isolates what
 * exactly-once delivery costs from what features and scoring cost.
 */
type Mode = 'pipeline' | 'passthrough' | 'eos-passthrough';
const MODES: readonly Mode[] = ['pipeline', 'passthrough', 'eos-passthrough'];

interface RateRow {
  mode: Mode;
  offered_tps: number;
  payments: number;
  measured: number;
  throughput_tps: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  lost: number;
  /** Undecided when the drain limit came while decisions were still arriving: behind, not lost. */
  backlog_at_end: number;
  duplicated: number;
  /** How late the generator sent payments after their due time: above a few ms it, not the pipeline, limits. */
  generator_lag_p99_ms: number;
  /** CPU of the stage processes during the run, in cores (1 = one core busy all the time). */
  cpu_cores: Record<string, number>;
  load_avg_1m: number;
  /** Per service: batches, mean records per batch, mean ms to process and to commit one batch. */
  stages?: Record<string, Record<string, number>>;
}

interface Settings {
  rates: number[];
  seconds: number;
  warmupSeconds: number;
  drainSeconds: number;
  checkpointMs: number;
  artifactsDir: string;
  brokers: string[];
  redisUrl: string;
  modes: Mode[];
  /** Also compare the state designs (per-transaction Redis Lua, in-memory with checkpoints). */
  designs: boolean;
  /** Where the stage processes write their CPU profiles (node --cpu-prof), if profiling. */
  cpuProfileDir?: string;
  /** Extra node flags for every stage process. */
  stageNodeArgs: string[];
}

export async function run(args: string[]): Promise<RunResult> {
  const settings = parseSettings(args);
  const startedAt = new Date();
  const kafka = createKafka({ clientId: 'bench-fraud', brokers: settings.brokers, silent: true, retries: 2 });
  await checkInfra(kafka, settings);
  const longest = Math.max(...settings.rates) * settings.seconds;
  const needed = Math.max(longest, settings.designs ? DESIGN_PAYMENTS : 0);
  const modes = settings.modes;
  const total = settings.rates.length * modes.length * (settings.seconds + 20);
  console.log(
    `fraud stream bench: rates ${settings.rates.join(', ')} tx/s x ${settings.seconds} s, ${modes.join(' + ')}; about ${Math.round(total / 60)} min`,
  );
  console.log(`  simulating ${needed.toLocaleString('en')} payments (${DATA_PROFILE} profile) ...`);
  const payments = simulatedPayments(needed);

  const designs = settings.designs ? await compareStateDesigns(settings, payments) : [];
  const rows: RateRow[] = [];
  for (const rate of settings.rates) {
    for (const mode of modes) {
      const row = await measure(kafka, settings, mode, rate, payments.slice(0, rate * settings.seconds));
      rows.push(row);
      if (row.stages) console.log(`    stages ${JSON.stringify(row.stages)}`);
      console.log(
        `  ${mode.padEnd(11)} ${String(rate).padStart(6)} tx/s: p50 ${row.p50_ms} ms, p99 ${row.p99_ms} ms, ` +
          `${row.throughput_tps} tx/s, lost ${row.lost}, backlog ${row.backlog_at_end}, duplicated ${row.duplicated}, ` +
          `cpu ${Object.entries(row.cpu_cores)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
      );
    }
  }
  return report(settings, rows, designs, startedAt);
}

function parseSettings(args: string[]): Settings {
  const { values } = parseArgs({
    args,
    options: {
      rates: { type: 'string', default: '2500,5000,10000' },
      seconds: { type: 'string', default: '60' },
      'warmup-seconds': { type: 'string', default: '5' },
      'drain-seconds': { type: 'string', default: '120' },
      'checkpoint-ms': { type: 'string', default: '30000' },
      artifacts: { type: 'string' },
      kafka: { type: 'string', default: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092' },
      redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
      modes: { type: 'string', default: 'pipeline,passthrough' },
      'no-designs': { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      'stage-node-args': { type: 'string', default: '' },
    },
  });
  const positive = (name: string, text: string) => {
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0)
      throw new Error(`--${name} must be a positive number, got ${text}`);
    return value;
  };
  const artifactsDir = fraudArtifactsDir(values.artifacts);
  return {
    rates: values.rates.split(',').map((r) => positive('rates', r)),
    seconds: positive('seconds', values.seconds),
    warmupSeconds: Number(values['warmup-seconds']),
    drainSeconds: positive('drain-seconds', values['drain-seconds']),
    checkpointMs: Number(values['checkpoint-ms']),
    artifactsDir,
    brokers: values.kafka.split(','),
    redisUrl: values.redis,
    modes: values.modes.split(',').map((mode) => {
      if (!MODES.includes(mode as Mode)) throw new Error(`--modes takes ${MODES.join(', ')}, got ${mode}`);
      return mode as Mode;
    }),
    designs: !values['no-designs'],
    ...(values['cpu-prof'] ? { cpuProfileDir: values['cpu-prof'] } : {}),
    stageNodeArgs: values['stage-node-args'].split(' ').filter((arg) => arg !== ''),
  };
}

/** The simulation's payments in time order; their event times are replaced by due times when sent. */
function simulatedPayments(count: number): Transaction[] {
  const payments: Transaction[] = [];
  for (const event of fraud.simulateFraud(fraud.fraudProfile(DATA_PROFILE))) {
    if (event.kind !== 'transaction') continue;
    payments.push(event.transaction);
    if (payments.length === count) break;
  }
  return payments;
}

async function measure(
  kafka: Kafka,
  settings: Settings,
  mode: Mode,
  rate: number,
  payments: readonly Transaction[],
): Promise<RateRow> {
  const run = `bench-${randomUUID().slice(0, 8)}`;
  const topics = await createRunTopics(kafka, run);
  const stages =
    mode === 'pipeline'
      ? await startPipeline(settings, run, topics)
      : await startPassthrough(settings, run, topics, mode === 'eos-passthrough' ? 'eos' : 'plain');
  const reader = await DecisionReader.start(kafka, topics.decisions, run);
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    const cpuBefore = stages.map((s) => cpuSeconds(s.child));
    const wallBefore = performance.now();
    const t0 = Date.now() + 500;
    const ids = payments.map((p) => `${run}-${p.transactionId}`);
    const lag = await produceAtRate(producer, topics.transactions, payments, ids, rate, t0);
    const producedUntil = Date.now();
    const drain = await reader.waitForAll(ids.length, producedUntil + settings.drainSeconds * 1000);
    const wallSeconds = (performance.now() - wallBefore) / 1000;
    const cpu_cores = Object.fromEntries(
      stages.map((s, i) => [s.name, round((cpuSeconds(s.child) - cpuBefore[i]!) / wallSeconds, 2)]),
    );
    const row = summarise(mode, rate, settings, ids, t0, reader, lag, cpu_cores, drain);
    row.stages = await stageBreakdown(stages);
    return row;
  } finally {
    await producer.disconnect();
    await reader.stop();
    await Promise.all(stages.map((s) => s.stop()));
    await deleteRun(kafka, settings.redisUrl, Object.values(topics), `${run}:*`);
  }
}

/**
 * Open loop: payment i is due at t0 + i / rate and goes out with the first tick at or after
 * that, whatever happened to earlier ones; its event time is its due time. Up to
 * SENDS_IN_FLIGHT produce requests overlap, so a slow round trip delays the payments of
 * one request, not the schedule.
 */
async function produceAtRate(
  producer: Producer,
  topic: string,
  payments: readonly Transaction[],
  ids: readonly string[],
  rate: number,
  t0: number,
): Promise<number[]> {
  const lags: number[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let next = 0;
  while (next < payments.length) {
    const now = Date.now();
    const messages = [];
    // Capped per request: a generator that fell behind (a stalled host) would otherwise send
    // seconds of payments at once, over the broker's 1 MiB per partition.
    while (
      next < payments.length &&
      messages.length < MAX_SEND_MESSAGES &&
      t0 + Math.floor((next * 1000) / rate) <= now
    ) {
      const due = t0 + Math.floor((next * 1000) / rate);
      const payment = { ...payments[next]!, transactionId: ids[next]!, eventTime: due };
      messages.push({ key: payment.cardId, value: JSON.stringify(payment), timestamp: String(due) });
      if (next % 100 === 0) lags.push(now - due);
      next += 1;
    }
    if (messages.length > 0) {
      const send = producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages });
      inFlight.add(send);
      const settled = () => inFlight.delete(send);
      // The failure itself surfaces through the race / all below.
      send.then(settled, settled);
      if (inFlight.size >= SENDS_IN_FLIGHT) await Promise.race(inFlight);
    } else {
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
  }
  await Promise.all(inFlight);
  return lags;
}

/** Reads decisions (or passed-through payments) back, remembering when each first arrived. */
class DecisionReader {
  readonly firstSeen = new Map<string, { eventTime: number; readAt: number }>();
  duplicates = 0;
  private waiter: (() => void) | undefined;

  private constructor(private readonly consumer: ReturnType<Kafka['consumer']>) {}

  static async start(kafka: Kafka, topic: string, run: string): Promise<DecisionReader> {
    const consumer = kafka.consumer({ groupId: `${run}.reader`, maxWaitTimeInMs: 20 });
    const reader = new DecisionReader(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const readAt = Date.now();
        for (const message of batch.messages) {
          // Decisions and passed-through payments both carry the transaction id and its event time.
          const { transactionId, eventTime } = JSON.parse(message.value!.toString('utf8')) as Transaction;
          if (reader.firstSeen.has(transactionId)) reader.duplicates += 1;
          else reader.firstSeen.set(transactionId, { eventTime, readAt });
        }
        reader.waiter?.();
      },
    });
    return reader;
  }

  /**
   * Waits until `count` distinct transactions were read (`complete`), or no
   * new one came for STALL_MS (`stalled`: the rest is lost), or the deadline
   * passed while they were still coming (`deadline`: the rest is a backlog).
   */
  async waitForAll(count: number, deadline: number): Promise<'complete' | 'stalled' | 'deadline'> {
    let seen = this.firstSeen.size;
    let progressAt = Date.now();
    for (;;) {
      if (this.firstSeen.size >= count) return 'complete';
      const now = Date.now();
      if (this.firstSeen.size > seen) {
        seen = this.firstSeen.size;
        progressAt = now;
      }
      if (now - progressAt > STALL_MS) return 'stalled';
      if (now > deadline) return 'deadline';
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 200);
      });
    }
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

function summarise(
  mode: Mode,
  rate: number,
  settings: Settings,
  ids: readonly string[],
  t0: number,
  reader: DecisionReader,
  lags: number[],
  cpu_cores: Record<string, number>,
  drain: 'complete' | 'stalled' | 'deadline',
): RateRow {
  const warmupEnds = t0 + settings.warmupSeconds * 1000;
  const latencies: number[] = [];
  let lastRead = t0;
  for (const id of ids) {
    const seen = reader.firstSeen.get(id);
    if (!seen) continue;
    lastRead = Math.max(lastRead, seen.readAt);
    if (seen.eventTime >= warmupEnds) latencies.push(seen.readAt - seen.eventTime);
  }
  latencies.sort((a, b) => a - b);
  lags.sort((a, b) => a - b);
  const decided = ids.filter((id) => reader.firstSeen.has(id)).length;
  return {
    mode,
    offered_tps: rate,
    payments: ids.length,
    measured: latencies.length,
    throughput_tps: Math.round(decided / Math.max(1, (lastRead - t0) / 1000)),
    p50_ms: percentile(latencies, 50),
    p95_ms: percentile(latencies, 95),
    p99_ms: percentile(latencies, 99),
    max_ms: latencies.at(-1) ?? Number.NaN,
    lost: drain === 'stalled' ? ids.length - decided : 0,
    backlog_at_end: drain === 'deadline' ? ids.length - decided : 0,
    duplicated: reader.duplicates,
    generator_lag_p99_ms: percentile(lags, 99),
    cpu_cores,
    load_avg_1m: round(loadavg()[0]!, 2),
  };
}

async function startPipeline(
  settings: Settings,
  run: string,
  topics: Record<'transactions' | 'chargebacks' | 'enriched' | 'decisions' | 'dlq', string>,
): Promise<Stage[]> {
  const common = {
    KAFKA_BROKERS: settings.brokers.join(','),
    ARTIFACTS_DIR: settings.artifactsDir,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    DLQ_TOPIC: topics.dlq,
    ENRICHED_TOPIC: topics.enriched,
    INSTANCE_ID: run,
  };
  return Promise.all([
    startService(settings, 'feature-engine', {
      ...common,
      REDIS_URL: settings.redisUrl,
      STATE_NAMESPACE: run,
      CHECKPOINT_INTERVAL_MS: String(settings.checkpointMs),
      TRANSACTIONS_TOPIC: topics.transactions,
      CHARGEBACKS_TOPIC: topics.chargebacks,
      CONSUMER_GROUP: `${run}.feature-engine`,
    }),
    startService(settings, 'fraud-scorer', {
      ...common,
      DECISIONS_TOPIC: topics.decisions,
      CONSUMER_GROUP: `${run}.fraud-scorer`,
    }),
  ]);
}

async function startPassthrough(
  settings: Settings,
  run: string,
  topics: Record<'transactions' | 'enriched' | 'decisions', string>,
  delivery: Delivery,
): Promise<Stage[]> {
  const hop = (name: string, from: string, to: string) => {
    const child = spawnNode(
      [
        fileURLToPath(import.meta.url),
        '--passthrough-worker',
        delivery,
        settings.brokers.join(','),
        from,
        to,
        `${run}.${name}`,
      ],
      {},
      'pipe',
      settings,
    );
    return new Promise<Stage>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`pass-through ${name} exited (code ${code})`)));
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve(stageOf(name, child));
      });
    });
  };
  return Promise.all([
    hop('passthrough-1', topics.transactions, topics.enriched),
    hop('passthrough-2', topics.enriched, topics.decisions),
  ]);
}

/** What each service's own metrics say about its batches: where the time goes inside the pipeline. */
async function stageBreakdown(stages: readonly Stage[]): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const stage of stages) {
    if (!stage.metricsUrl) continue;
    const text = await fetch(stage.metricsUrl).then((r) => r.text());
    const sample = (name: string) => {
      let total = 0;
      for (const line of text.split('\n')) if (line.startsWith(name)) total += Number(line.split(' ').at(-1));
      return total;
    };
    const prefix = stage.name === 'feature-engine' ? 'feature_engine' : 'fraud_scorer';
    const batches = sample(`${prefix}_batch_commit_seconds_count`);
    const records =
      stage.name === 'feature-engine'
        ? sample('feature_engine_transactions_total')
        : sample('fraud_scorer_decisions_total');
    const breakdown: Record<string, number> = {
      batches,
      records_per_batch: round(records / Math.max(1, batches), 1),
      commit_ms_mean: round((1000 * sample(`${prefix}_batch_commit_seconds_sum`)) / Math.max(1, batches), 2),
    };
    if (stage.name === 'feature-engine') {
      breakdown.process_ms_mean = round(
        (1000 * sample('feature_engine_batch_process_seconds_sum')) / Math.max(1, batches),
        2,
      );
      breakdown.checkpoints = sample('feature_engine_checkpoint_seconds_count');
      breakdown.checkpoint_ms_mean = round(
        (1000 * sample('feature_engine_checkpoint_seconds_sum')) /
          Math.max(1, sample('feature_engine_checkpoint_seconds_count')),
        1,
      );
      breakdown.alignment_timeouts = sample('feature_engine_alignment_timeouts_total');
    } else {
      breakdown.model_ms_mean = round(
        (1000 * sample('fraud_scorer_model_seconds_sum')) / Math.max(1, batches),
        2,
      );
    }
    out[stage.name] = breakdown;
  }
  return out;
}

function report(settings: Settings, rows: RateRow[], designs: DesignRow[], startedAt: Date): RunResult {
  const target = SLO.fraud.throughput.target;
  const pipeline = rows.filter((r) => r.mode === 'pipeline');
  const atTarget = pipeline.find((r) => r.offered_tps === target) ?? pipeline.at(-1)!;
  const passthrough = rows.find((r) => r.mode === 'passthrough' && r.offered_tps === atTarget.offered_tps);
  const metrics: Record<string, unknown> = {
    offered_tps: atTarget.offered_tps,
    throughput_tps: atTarget.throughput_tps,
    decision_p50_ms: atTarget.p50_ms,
    decision_p95_ms: atTarget.p95_ms,
    decision_p99_ms: atTarget.p99_ms,
    lost_decisions: rows.reduce((sum, r) => sum + r.lost, 0),
    backlog_at_end: rows.reduce((sum, r) => sum + r.backlog_at_end, 0),
    duplicated_decisions: rows.reduce((sum, r) => sum + r.duplicated, 0),
    rows,
  };
  if (designs.length > 0) metrics.state_designs = designs;
  const eos = rows.find((r) => r.mode === 'eos-passthrough' && r.offered_tps === atTarget.offered_tps);
  if (eos) {
    metrics.eos_passthrough_p50_ms = eos.p50_ms;
    metrics.eos_passthrough_p99_ms = eos.p99_ms;
    metrics.p99_over_eos_passthrough = round(atTarget.p99_ms / eos.p99_ms, 2);
  }
  if (passthrough) {
    metrics.passthrough_p99_ms = passthrough.p99_ms;
    metrics.p99_over_passthrough = round(atTarget.p99_ms / passthrough.p99_ms, 2);
    metrics.p50_over_passthrough = round(atTarget.p50_ms / passthrough.p50_ms, 2);
    metrics.throughput_over_passthrough = round(atTarget.throughput_tps / passthrough.throughput_tps, 3);
  }
  const notes = [
    `services ran as child processes (node + tsx from source); Kafka ${settings.brokers.join(',')}, Redis ${settings.redisUrl}`,
    `artifacts ${settings.artifactsDir.replace(`${root}/`, '')}; payments from the ${DATA_PROFILE} simulation profile, event time = due time`,
    `feature state checkpointed to Redis every ${settings.checkpointMs} ms`,
    `host has ${availableParallelism()} cpus shared by broker, Redis, services and this generator; load average at the end ${round(loadavg()[0]!, 2)}`,
  ];
  const generatorLimited = rows.filter((r) => r.generator_lag_p99_ms > 20);
  if (generatorLimited.length > 0) {
    notes.push(
      `the generator fell behind (send lag p99 > 20 ms) at ${generatorLimited.map((r) => `${r.mode} ${r.offered_tps}`).join(', ')} tx/s: those latencies include it`,
    );
  }
  const result = buildResult({
    name: 'fraud',
    startedAt,
    params: {
      rates: settings.rates,
      seconds: settings.seconds,
      warmup_seconds: settings.warmupSeconds,
      drain_seconds: settings.drainSeconds,
      checkpoint_ms: settings.checkpointMs,
      data_profile: DATA_PROFILE,
    },
    metrics,
    slo: [
      { ...SLO.fraud.decisionP99 },
      { ...SLO.fraud.throughput },
      { metric: 'lost_decisions', op: '<=', target: 0 },
      { metric: 'duplicated_decisions', op: '<=', target: 0 },
    ],
    notes,
  });
  writeResult(join(resultsDir, 'fraud.json'), result);
  return result;
}

interface DesignRow {
  design: string;
  payments: number;
  /** Payments per second through the state layer alone, one client process. */
  tx_per_s: number;
  /** Redis CPU per payment (INFO cpu, user + system). */
  redis_cpu_us_per_tx: number;
}

/**
 * The feature state alone (no Kafka), three ways, on the same payments
 * stamped as the stream stamps them (10,000/s of wall time):
 *
 * - `redis-lua-per-tx`: one Lua call per payment that checks its id and
 *   updates and reads bucketed 1h/24h/7d count and amount windows for its
 *   card, terminal and device (what a stateless worker over Redis does),
 *   64 calls in flight;
 * - `memory-checkpoint-every-batch`: the feature engine's own code
 *   (FeatureTask, fraud-core, RedisFeatureStateStore), batches of 500, every
 *   changed entity written to Redis with the offsets after each batch, on
 *   the stream's thread;
 * - `memory-checkpoint-5s`: the same, checkpointed every 5 s;
 * - `memory-replica-thread-5s`: what the service runs: checkpoints every 5 s
 *   written by the replica in a worker thread; throughput is the stream
 *   thread's (the replica works beside it, on the other core).
 */
async function compareStateDesigns(
  settings: Settings,
  payments: readonly Transaction[],
): Promise<DesignRow[]> {
  const redis = createRedis({ url: settings.redisUrl, commandTimeoutMs: 30_000 });
  await connectRedis(redis, settings.redisUrl);
  const namespace = `bench-${randomUUID().slice(0, 8)}`;
  const stamped = payments
    .slice(0, DESIGN_PAYMENTS)
    .map((p, i) => ({ ...p, eventTime: 1_800_000_000_000 + Math.floor(i / 10) }));
  const rows: DesignRow[] = [];
  try {
    rows.push(
      await measureDesign(redis, 'redis-lua-per-tx', () =>
        luaPerTransaction(redis, namespace, stamped.slice(0, 30_000)),
      ),
    );
    const terminals = loadFraudArtifacts(settings.artifactsDir).terminals;
    for (const [design, checkpointIntervalMs, placement] of [
      ['memory-checkpoint-every-batch', 0, 'same-thread'],
      ['memory-checkpoint-5s', 5_000, 'same-thread'],
      ['memory-replica-thread-5s', 5_000, 'replica-thread'],
    ] as const) {
      rows.push(
        await measureDesign(redis, design, () =>
          inMemoryWithCheckpoints(
            redis,
            settings,
            `${namespace}-${design}`,
            terminals,
            stamped,
            checkpointIntervalMs,
            placement,
          ),
        ),
      );
    }
  } finally {
    await unlinkMatching(redis, `${namespace}*`);
    await closeRedis(redis);
  }
  for (const row of rows) {
    console.log(
      `  state design ${row.design.padEnd(30)} ${row.tx_per_s} tx/s, Redis ${row.redis_cpu_us_per_tx} µs CPU per payment`,
    );
  }
  return rows;
}

async function measureDesign(
  redis: RedisClient,
  design: string,
  work: () => Promise<number>,
): Promise<DesignRow> {
  const cpuBefore = await redisCpuSeconds(redis);
  const started = performance.now();
  const payments = await work();
  const seconds = (performance.now() - started) / 1000;
  const redisCpu = (await redisCpuSeconds(redis)) - cpuBefore;
  return {
    design,
    payments,
    tx_per_s: Math.round(payments / seconds),
    redis_cpu_us_per_tx: round((redisCpu * 1e6) / payments, 1),
  };
}

async function redisCpuSeconds(redis: RedisClient): Promise<number> {
  const info = await redis.info('cpu');
  const value = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return value('used_cpu_user') + value('used_cpu_sys');
}

/** Windows of the Lua design: 1h of 1-minute, 24h of 15-minute and 7d of 1-hour buckets. */
const LUA_WINDOWS = [
  [60_000, 60],
  [900_000, 96],
  [3_600_000, 168],
] as const;

const updateWindows = defineLuaScript<(string | number)[], number[] | null>(
  'benchFraudUpdateWindows',
  `
  if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', 2592000000) then return nil end
  local time, cents, windows = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
  local out = {}
  for k = 2, #KEYS do
    local w = (k - 2) % windows
    local bucketMs, span = tonumber(ARGV[4 + 2 * w]), tonumber(ARGV[5 + 2 * w])
    local bucket = math.floor(time / bucketMs)
    redis.call('HINCRBY', KEYS[k], 'c' .. bucket, 1)
    redis.call('HINCRBY', KEYS[k], 's' .. bucket, cents)
    local count, sum = 0, 0
    local fields = redis.call('HGETALL', KEYS[k])
    for i = 1, #fields, 2 do
      local b = tonumber(string.sub(fields[i], 2))
      if b <= bucket - span then
        redis.call('HDEL', KEYS[k], fields[i])
      elseif string.sub(fields[i], 1, 1) == 'c' then
        count = count + tonumber(fields[i + 1])
      else
        sum = sum + tonumber(fields[i + 1])
      end
    end
    out[#out + 1] = count
    out[#out + 1] = sum
  end
  return out
  `,
);

async function luaPerTransaction(
  redis: RedisClient,
  namespace: string,
  payments: readonly Transaction[],
): Promise<number> {
  const windowArgs = LUA_WINDOWS.flat();
  const call = (p: Transaction) => {
    const entities = [
      `card:${p.cardId}`,
      `terminal:${p.terminalId}`,
      ...(p.deviceId ? [`device:${p.deviceId}`] : []),
    ];
    const keys = [`${namespace}:seen:${p.transactionId}`];
    for (const entity of entities)
      for (const [bucketMs] of LUA_WINDOWS) keys.push(`${namespace}:${entity}:${bucketMs}`);
    return updateWindows.run(redis, keys, p.eventTime, toCents(p.amount), LUA_WINDOWS.length, ...windowArgs);
  };
  const inFlight = 64;
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < payments.length) await call(payments[next++]!);
    }),
  );
  return payments.length;
}

type Placement = 'same-thread' | 'replica-thread';

async function inMemoryWithCheckpoints(
  redis: RedisClient,
  settings: Settings,
  namespace: string,
  terminals: ReturnType<typeof loadFraudArtifacts>['terminals'],
  payments: readonly Transaction[],
  checkpointIntervalMs: number,
  placement: Placement,
): Promise<number> {
  const store = new RedisFeatureStateStore(redis, namespace);
  const newEngine = () => new FraudFeatureEngine({ terminals });
  const checkpointer =
    placement === 'same-thread'
      ? new InlineCheckpointer(new CheckpointReplica(store, newEngine, checkpointIntervalMs))
      : new WorkerCheckpointer({
          redisUrl: settings.redisUrl,
          namespace,
          intervalMs: checkpointIntervalMs,
          terminals,
          events: {},
          onExit: (error) => {
            throw error;
          },
        });
  const task = new FeatureTask({ store, checkpointer, newEngine, enrichedTopic: 'unused' });
  await task.restore([]);
  const batch = 500;
  for (let offset = 0; offset < payments.length; offset += batch) {
    const records = payments.slice(offset, offset + batch).map((transaction, i) => ({
      topic: 'transactions',
      partition: 0,
      offset: BigInt(offset + i),
      key: transaction.cardId,
      value: { kind: 'transaction', transaction } as EngineEvent,
      timestamp: transaction.eventTime,
      replay: false,
    }));
    task.process(records);
    await task.afterCommit();
    // The same-thread replica runs between batches, as it would between a stream's fetches.
    if (checkpointer instanceof InlineCheckpointer) await checkpointer.settled();
  }
  await task.close();
  return payments.length;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

type Delivery = 'plain' | 'eos';

/**
 * The pass-through hop: consume a batch, produce the same records, with
 * nothing in between: what Kafka and kafkajs cost alone. `plain` copies the
 * bytes and commits after the send (at-least-once); `eos` runs the
 * pipeline's TransactionalStream with an identity task (parse, serialise,
 * one transaction per batch).
 */
async function passthroughWorker(
  delivery: Delivery,
  brokers: string,
  from: string,
  to: string,
  groupId: string,
): Promise<void> {
  const kafka = createKafka({ clientId: groupId, brokers: brokers.split(','), silent: true });
  let stop: () => Promise<void>;
  if (delivery === 'eos') {
    const stream = new TransactionalStream<{ cardId: string }>({
      kafka,
      groupId,
      transactionalId: groupId,
      topics: [from],
      decode: (_topic, value) => ({ ok: true, value: JSON.parse(value!.toString('utf8')) }),
      deadLetterTopic: to,
      ordering: { kind: 'arrival' },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      task: {
        process: (records) => ({
          messages: [{ topic: to, messages: records.map((r) => ({ key: r.key ?? '', value: r.value })) }],
        }),
      },
    });
    await stream.start();
    console.log('ready');
    stop = () => stream.stop();
  } else {
    const producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    const consumer = kafka.consumer({
      groupId,
      maxWaitTimeInMs: 100,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: from, fromBeginning: true });
    consumer.on(consumer.events.GROUP_JOIN, () => console.log('ready'));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        await producer.send({
          topic: to,
          acks: -1,
          messages: batch.messages.map((m) => ({ key: m.key, value: m.value })),
        });
      },
    });
    stop = async () => {
      await consumer.disconnect();
      await producer.disconnect();
    };
  }
  process.once('SIGTERM', async () => {
    await stop();
    process.exit(0);
  });
}

if (
  import.meta.url === pathToFileURL(process.argv[1] ?? '').href &&
  process.argv[2] === '--passthrough-worker'
) {
  const [delivery, brokers, from, to, group] = process.argv.slice(3) as [
    Delivery,
    string,
    string,
    string,
    string,
  ];
  await passthroughWorker(delivery, brokers, from, to, group);
}
