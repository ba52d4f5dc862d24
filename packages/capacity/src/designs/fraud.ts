// The fraud sheet: POST /v1/transactions?wait=true answered by the
// feature-engine instance that owns the card's partition (txn-api ->
// owner: append, apply, rules + GBM in-process -> answer), with the two
// exactly-once stream hops still carrying every payment to log its decision.
//
// Inputs, all from the results files:
// - fraud-sync.json: CPU per decision of txn-api, feature-engine and
//   fraud-scorer at each rate (fitted into fixed cores + marginal per
//   decision over the rows where at most 5 % of answers were rules-only),
//   and the end-to-end p50/p99 at the lightest load;
// - fraud.json: the scorer's cores at 2,500-10,000 tx/s on the stream, used
//   when the synchronous rows show no rising CPU line for it; Redis CPU per
//   payment of the chosen state design (in memory, checkpointed from a
//   replica thread);
// - fraud-offline.json: bytes of one entity's checkpoint snapshot.
//
// Not in any results file, so "not measured" on the sheet: per-stage times
// on the request path (fraud-sync records end to end only), bytes per Kafka
// message (so Kafka MB/s), the Redis cost of the decision journal and the
// decision store, fraud-monitor's CPU, the broker's CPU.
import { SLO } from '@mlsys/load-tests/slo';
import { type Figure, given, model, notMeasured } from '../figure.js';
import { DEFAULTS, setting } from '../givens.js';
import { type Pool, sizePool } from '../pool.js';
import { RESULT_FILES, type Results } from '../results.js';
import type { LatencyRow, Sheet, SheetRow } from '../sheet.js';
import { fmtCount, latencyRow, monthlyCost, sum } from './common.js';
import { decisionLatency, FRAUD_SERVICES, fraudInputs, OWNER_DEADLINE_MS } from './fraud-inputs.js';

export { OWNER_DEADLINE_MS } from './fraud-inputs.js';
/** The state design the feature engine runs (fraud design, section 8.1): its row of fraud.json's state_designs. */
export const STATE_DESIGN = 'memory-replica-thread-5s';
/** Each entity has two checkpoint slots in Redis (services/feature-engine/src/adapters/redis-state-store.ts). */
export const SLOTS_PER_ENTITY = 2;

export interface FraudTarget {
  tps: number;
  peak: number;
  utilisation: number;
  /** Cards + terminals + devices + IPs whose state the engine keeps; sizes the Redis checkpoints. */
  entities?: number;
}

const SERVICES = FRAUD_SERVICES;
const GIB = 2 ** 30;

export function fraudSheet(results: Results, target: FraudTarget): Sheet {
  const R = RESULT_FILES;
  const rows: SheetRow[] = [];
  const add = (section: string, what: string, figure: Figure) => rows.push({ section, what, figure });

  const tps = setting(target.tps, 'tx/s', '--tps');
  const peakFactor = setting(target.peak, 'x', '--peak');
  const peak = model('tx/s', 'tps x peak', [tps, peakFactor], (t, p) => t * p);
  const utilisation = setting(target.utilisation, 'share', '--utilisation');
  const minInstances = given(
    DEFAULTS.minInstances,
    'instances',
    'at least two of each service, for availability (fraud design 8.4)',
  );
  const entities =
    target.entities === undefined
      ? notMeasured(
          'entities',
          'not given: pass --entities N (cards + terminals + devices + IPs at the target scale)',
        )
      : setting(target.entities, 'entities', '--entities');
  add('load', 'payments/s (design)', tps);
  add('load', 'payments/s (peak, sized for)', peak);
  add('load', 'target CPU utilisation', utilisation);
  add('load', 'entities in the feature state', entities);

  // CPU per decision on the synchronous path and the decision at the lightest load (fraud-sync.json).
  const { cpu, serviceCv2: cs2, calibration, p50, p99 } = fraudInputs(results);
  const pools: Record<(typeof SERVICES)[number], Pool> = {
    'txn-api': sizePool({
      service: 'txn-api',
      arrivals: peak,
      cpu: cpu['txn-api'],
      serviceCv2: cs2,
      fleet: { utilisation, minInstances },
    }),
    // A payment can only be decided by the owner of its card's partition: no pooling.
    'feature-engine': sizePool({
      service: 'feature-engine',
      arrivals: peak,
      cpu: cpu['feature-engine'],
      serviceCv2: cs2,
      fleet: { utilisation, minInstances },
      routing: 'owned',
    }),
    'fraud-scorer': sizePool({
      service: 'fraud-scorer',
      arrivals: peak,
      cpu: cpu['fraud-scorer'],
      serviceCv2: cs2,
      fleet: { utilisation, minInstances },
    }),
  };
  for (const service of SERVICES) {
    const p = pools[service];
    add('compute', `${service} CPU per decision (marginal)`, p.cpu.marginalMs);
    add('compute', `${service} fixed cores per instance`, p.cpu.fixedCores);
    add('compute', `${service} cores at peak`, p.cores);
    add('compute', `${service} instances`, p.instances);
  }
  add('compute', 'fraud-monitor cores', notMeasured('cores', 'no bench records fraud-monitor CPU'));
  const instances = sum(
    'instances',
    'instances of every service',
    SERVICES.map((s) => pools[s].instances),
  );
  add('compute', 'instances, all services', instances);
  add(
    'compute',
    'cores in use at peak, all services',
    sum(
      'cores',
      'cores of every service',
      SERVICES.map((s) => pools[s].cores),
    ),
  );

  // Kafka: partitions bound the consumers of each group; size them for the peak's consumers.
  const fe = pools['feature-engine'].instances;
  add(
    'kafka',
    'transactions partitions (feature-engine owners)',
    model('partitions', 'feature-engine instances (a partition per owner)', [fe], (n) => n),
  );
  add(
    'kafka',
    'transactions.enriched partitions (scorers)',
    model('partitions', 'fraud-scorer instances at peak', [pools['fraud-scorer'].instances], (n) => n),
  );
  add(
    'kafka',
    'decisions partitions (txn-api consumers)',
    model('partitions', 'txn-api instances at peak', [pools['txn-api'].instances], (n) => n),
  );
  add('kafka', 'bytes per payment message', notMeasured('bytes', 'no results file records message sizes'));
  add(
    'kafka',
    'MB/s into the brokers',
    model(
      'MB/s',
      'peak x bytes per message x 3 topics',
      [peak, notMeasured('bytes', 'bytes per Kafka message')],
      (t, b) => (t * b * 3) / 1e6,
    ),
  );

  // Redis: checkpoints of the in-memory state (measured), journal and decision store (not).
  const statePath = `metrics.state_designs[design=${STATE_DESIGN}]`;
  const redisUs = results.figure(R.fraud, `${statePath}.redis_cpu_us_per_tx`, 'µs');
  const redisCores = model(
    'cores',
    'peak x Redis CPU per payment',
    [peak, redisUs],
    (t, us) => (t * us) / 1e6,
  );
  const bytesPerEntity = results.figure(R.fraudOffline, 'metrics.snapshot_bytes_per_entity', 'bytes');
  const slots = given(SLOTS_PER_ENTITY, 'slots', 'two checkpoint slots per entity (redis-state-store.ts)');
  const redisMemory = model(
    'GiB',
    'entities x snapshot bytes x slots (no Redis overhead)',
    [entities, bytesPerEntity, slots],
    (n, b, s) => (n * b * s) / GIB,
  );
  const shardMax = given(DEFAULTS.redisShardMaxGiB, 'GiB', 'memory cap per Redis shard');
  add('redis', 'Redis CPU per payment (checkpoints)', redisUs);
  add('redis', 'Redis cores at peak (checkpoints)', redisCores);
  add(
    'redis',
    'Redis CPU per answer journalled and decision stored',
    notMeasured('µs', 'fraud-sync does not record Redis CPU'),
  );
  add('redis', 'checkpoint bytes per entity', bytesPerEntity);
  add('redis', 'checkpoint memory', redisMemory);
  const shardsByCpu = model(
    'shards',
    'ceil(Redis cores / util), one core a shard',
    [redisCores, utilisation],
    (c, u) => Math.max(1, Math.ceil(c / u)),
  );
  add('redis', 'Redis shards by CPU', shardsByCpu);
  add(
    'redis',
    'Redis shards by memory',
    model('shards', 'ceil(checkpoint memory / memory cap per shard)', [redisMemory, shardMax], (m, cap) =>
      Math.max(1, Math.ceil(m / cap)),
    ),
  );

  // Latency: the measured end to end at the lightest load plus the queueing waits at peak.
  const waited = [pools['txn-api'], pools['feature-engine']];
  const latency: LatencyRow[] = [];
  const inputs = [p50, p99, ...waited.map((p) => p.waitP99Ms)];
  for (const p of waited) {
    const w = p.wait;
    latency.push(
      latencyRow(
        `${p.service} queue wait`,
        p.service === 'feature-engine'
          ? 'M/G/1 wait per owner at peak (Allen-Cunneen = P-K)'
          : 'M/G/c wait at peak (Erlang C, Allen-Cunneen)',
        [p.waitP99Ms],
        w ? { p50: w.quantileMs(0.5), p95: w.quantileMs(0.95), p99: w.quantileMs(0.99) } : undefined,
      ),
    );
  }
  const stageGap = notMeasured('ms', 'fraud-sync records end to end only, not per stage');
  latency.push({ stage: 'txn-api / owner stage times', p50: stageGap, p95: stageGap, p99: stageGap });
  let pastDeadline: Figure;
  const sim = decisionLatency(p50, p99, waited);
  if (sim) {
    latency.push(
      latencyRow(
        'decision end to end',
        'lognormal(p50, p99 at lightest load) + waits at txn-api and owner',
        inputs,
        sim.total,
      ),
    );
    const deadline = given(OWNER_DEADLINE_MS, 'ms', "txn-api's wait for the owner (decision-budget.ts)");
    pastDeadline = model('share', 'share of draws past the owner deadline', [...inputs, deadline], (...v) =>
      sim.totalShareAbove(v.at(-1)!),
    );
  } else {
    latency.push(latencyRow('decision end to end', 'not computed', inputs, undefined));
    pastDeadline = model('share', 'not computed', inputs, () => Number.NaN);
  }
  add('latency', 'rules-only answers (past the owner deadline)', pastDeadline);
  add(
    'latency',
    'SLO: decision p99 below',
    given(SLO.fraud.decisionP99.target, 'ms', 'design SLO (load-tests/src/slo.ts)'),
  );
  add(
    'latency',
    'SLO: throughput at least',
    given(SLO.fraud.throughput.target, 'tx/s', 'design SLO (load-tests/src/slo.ts)'),
  );

  // Cost.
  const vcpus = model(
    'vCPUs',
    'instances + Redis shards (one vCPU each)',
    [instances, shardsByCpu],
    (a, b) => a + b,
  );
  add('cost', 'vCPUs', vcpus);
  add(
    'cost',
    'monthly cost',
    monthlyCost(vcpus, [
      { what: 'Redis checkpoint memory', gib: redisMemory },
      { what: 'service process memory', gib: notMeasured('GiB', 'process memory of the services') },
      { what: 'Kafka brokers', gib: notMeasured('GiB', 'broker sizing') },
    ]),
  );

  const notes = [
    'more than one feature-engine instance needs the repartitioned design (fraud design 8.3: by-terminal, by-device and by-IP topics, one more Kafka hop each); those hops are not in these figures',
    `Redis CPU per payment is the ${STATE_DESIGN} row of fraud.json (checkpoints every 5 s); the service checkpoints every 30 s by default, so this is an upper bound`,
    'latencies start from this machine at its lightest measured load (services, Kafka, Redis and the generator on one 2-core host); `npm run bench -- capacity-model` (issue 14, item 2) is where the model meets measured runs',
    'an instance is one Node process on one vCPU; memory of the service processes and the brokers is not measured and not in the cost',
  ];
  notes.push(
    "CPU per decision is fitted over the fraud-sync rows the stack kept up with (p99 under the bench's saturation mark), rules-only answers included: their payments are still decided in full by the pipeline, so they cost at least as much",
  );
  if (calibration === undefined)
    notes.push(
      `no sync row of fraud-sync.json had at most ${DEFAULTS.maxFallbackShare * 100} % rules-only answers: the decision's latency at the lightest load, and so every predicted latency, is not measured`,
    );
  return {
    design: 'fraud',
    title: `Fraud detection: ${fmtCount(target.tps)} payments/s, peak x${target.peak}, sized at ${Math.round(target.utilisation * 100)} % CPU`,
    rows,
    latency,
    notes,
  };
}
