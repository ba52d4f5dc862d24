// The recommendations sheet: GET /v1/recommendations through the gateway,
// four stages in series (features from Redis, candidates from the HNSW
// index, ranker, rules), each with its deadline and fallback, for a target
// rate and catalogue.
//
// Inputs, all from the results files:
// - recs.json: CPU per request of every service at each rate (fitted into
//   fixed cores + marginal ms per request over the rows below saturation),
//   and each stage's mean and p95 as the gateway saw it at the lightest load;
// - recs-offline.json: the serving index's size and its ANN query time (to
//   take the 100k-song query out of the candidates stage when the catalogue
//   is sharded);
// - ann.json: the largest measured index (songs, memory, and the query time
//   at its chosen ef), which becomes the shard: a catalogue larger than the
//   serving index is split into shards of that size, each request visits
//   every shard, and the stage waits for the slowest.
//
// Not in any results file, so "not measured" on the sheet: Redis memory
// per user and CPU per read, the gateway's catalogue memory at N songs,
// listen-event traffic (the feature store's writes, the listens topic), the
// cost of merging the shards' answers.
import { SLO } from '@mlsys/load-tests/slo';
import type { CpuCost } from '../cpu-fit.js';
import { lognormalCv2, lognormalFromP50P99 } from '../distributions.js';
import { type Figure, given, model, notMeasured } from '../figure.js';
import { DEFAULTS, setting } from '../givens.js';
import { type Pool, sizePool } from '../pool.js';
import { RESULT_FILES, type Results } from '../results.js';
import type { Sheet, SheetRow } from '../sheet.js';
import { fmtCount, monthlyCost, sum } from './common.js';
import { recsInputs } from './recs-inputs.js';
import { recsLatency } from './recs-latency.js';

export { RECS_DEADLINES_MS } from './recs-latency.js';

export interface RecsTarget {
  users: number;
  songs: number;
  /** Requests per second at the design load. */
  rps: number;
  /** Peak over the design load; the fleet is sized for rps x peak. */
  peak: number;
  utilisation: number;
  /** True when rps was not given and is the default. */
  rpsDefaulted?: boolean;
}

/** The design load when --rps is not given: issue 14's example for 100M users. */
export const DEFAULT_RECS_RPS = 20_000;

const GIB = 2 ** 30;

export function recsSheet(results: Results, target: RecsTarget): Sheet {
  const R = RESULT_FILES;
  const rows: SheetRow[] = [];
  const add = (section: string, what: string, figure: Figure) => rows.push({ section, what, figure });
  const notes: string[] = [];

  // Load.
  const users = setting(target.users, 'users', '--users');
  const songs = setting(target.songs, 'songs', '--songs');
  const rps = target.rpsDefaulted
    ? given(target.rps, 'req/s', `default design load, --rps not given (issue 14's example)`)
    : setting(target.rps, 'req/s', '--rps');
  const peakFactor = setting(target.peak, 'x', '--peak');
  const peak = model('req/s', 'rps x peak', [rps, peakFactor], (r, p) => r * p);
  const utilisation = setting(target.utilisation, 'share', '--utilisation');
  const minInstances = given(
    DEFAULTS.minInstances,
    'instances',
    'at least two of each service, for availability',
  );
  add('load', 'users', users);
  add('load', 'songs', songs);
  add('load', 'requests/s (design)', rps);
  add('load', 'requests/s (peak, sized for)', peak);
  add('load', 'target CPU utilisation', utilisation);

  // CPU per service, the stages at the lightest load and their spread (recs.json).
  const { cpu, calibration, stageMean, stageP95, serviceCv2 } = recsInputs(results);

  // The index: the serving one (recs-offline) and the largest measured one (ann), the shard.
  const servingSongs = results.figure(R.recsOffline, 'params.data.songs', 'songs');
  const hnsw = results.raw(R.recsOffline, 'params.hnsw') as {
    m?: unknown;
    efConstruction?: unknown;
    efSearch?: unknown;
  };
  const servingQueryMs = results.figure(
    R.recsOffline,
    `metrics.hnsw_sweep[m=${String(hnsw?.m)},efConstruction=${String(hnsw?.efConstruction)},ef=${String(hnsw?.efSearch)}].meanMs`,
    'ms',
  );
  const shardSongs = results.figure(R.ann, 'params.songs', 'songs');
  const shardEf = results.raw(R.ann, 'params.ef');
  const shardPath = `metrics.sweep[ef=${String(shardEf)}]`;
  const shardP50 = results.figure(R.ann, `${shardPath}.p50_ms`, 'ms');
  const shardP99 = results.figure(R.ann, `${shardPath}.p99_ms`, 'ms');
  const shardMean = results.figure(R.ann, `${shardPath}.mean_ms`, 'ms');
  const shardMemMiB = results.figure(R.ann, 'metrics.index_memory_mib', 'MiB');
  const sharded = servingSongs.value === null || target.songs > servingSongs.value;
  const shards = sharded
    ? model('shards', 'ceil(songs / songs per measured index)', [songs, shardSongs], (n, s) =>
        Math.ceil(n / s),
      )
    : given(1, 'shards', `songs within the serving index measured in recs-offline.json`);

  // Service pools at peak.
  const pool = (service: string, cpuCost: CpuCost, cv2: Figure, copies?: Figure): Pool =>
    sizePool({
      service,
      arrivals: peak,
      cpu: cpuCost,
      serviceCv2: cv2,
      fleet: { utilisation, minInstances },
      ...(copies ? { copies } : {}),
    });
  const gateway = pool('rec-api', cpu['rec-api'], serviceCv2['rec-api']);
  const ranker = pool('ranker', cpu.ranker, serviceCv2.ranker);
  const rules = pool('rules', cpu.rules, serviceCv2.rules);
  const pools: Pool[] = [gateway];
  let candidatePools: Pool[];
  if (sharded) {
    // The router keeps candidate-gen's own work per call minus its serving-index query; each shard adds its query.
    const hop = model(
      'ms',
      'candidate-gen CPU - its serving-index query (>= 0)',
      [cpu['candidate-gen'].marginalMs, servingQueryMs],
      (c, q) => Math.max(0, c - q),
    );
    const router = pool(
      'candidate router',
      { marginalMs: hop, fixedCores: cpu['candidate-gen'].fixedCores },
      serviceCv2['candidate-gen'],
    );
    const shardCpu = model(
      'ms',
      'router hop + one shard query (query time as CPU)',
      [hop, shardMean],
      (h, q) => h + q,
    );
    const shardPool = pool(
      'index shard',
      { marginalMs: shardCpu, fixedCores: cpu['candidate-gen'].fixedCores },
      model('', 'cs² of lognormal(shard p50, p99)', [shardP50, shardP99], (a, b) =>
        lognormalCv2(lognormalFromP50P99(a, b)),
      ),
      shards,
    );
    candidatePools = [router, shardPool];
  } else {
    candidatePools = [pool('candidate-gen', cpu['candidate-gen'], serviceCv2['candidate-gen'])];
  }
  pools.push(...candidatePools, ranker, rules);

  for (const p of pools) {
    add('compute', `${p.service} CPU per request (marginal)`, p.cpu.marginalMs);
    add('compute', `${p.service} fixed cores per instance`, p.cpu.fixedCores);
    add('compute', `${p.service} cores at peak`, p.cores);
    add('compute', `${p.service} instances`, p.instances);
  }
  add(
    'compute',
    'feature-store (listen writes) cores',
    notMeasured('cores', 'the recs bench sends no listen events, so the write path carries no load there'),
  );
  const instances = sum(
    'instances',
    'instances of every pool',
    pools.map((p) => p.instances),
  );
  add('compute', 'instances, all services', instances);
  add(
    'compute',
    'cores in use at peak, all services',
    sum(
      'cores',
      'cores of every pool',
      pools.map((p) => p.cores),
    ),
  );

  // Memory.
  const bytesPerVector = model(
    'bytes',
    'index memory / songs in the measured index',
    [shardMemMiB, shardSongs],
    (mib, n) => (mib * 2 ** 20) / n,
  );
  const oneCopy = model('GiB', 'songs x bytes per vector', [songs, bytesPerVector], (n, b) => (n * b) / GIB);
  add('index', 'HNSW bytes per song (graph + vector)', bytesPerVector);
  add('index', 'songs per shard (the measured index size)', sharded ? shardSongs : songs);
  add('index', 'shards', shards);
  add('index', 'HNSW memory, one copy of the catalogue', oneCopy);
  const shardPool = sharded ? candidatePools[1]! : candidatePools[0]!;
  const perProcess = sharded
    ? model('GiB', 'the measured index memory', [shardMemMiB], (mib) => mib / 1024)
    : model('GiB', 'one copy of the catalogue', [oneCopy], (g) => g);
  add('index', 'HNSW memory per index process', perProcess);
  const allCopies = model(
    'GiB',
    'index processes x memory per process',
    [shardPool.instances, perProcess],
    (n, g) => n * g,
  );
  add('index', 'HNSW memory, every index process', allCopies);

  add(
    'feature store',
    'Redis memory per user',
    notMeasured('bytes', 'no results file has it (MEMORY USAGE over a materialised version would)'),
  );
  add(
    'feature store',
    'Redis memory, all users',
    model(
      'GiB',
      'users x bytes per user',
      [users, notMeasured('bytes', 'Redis memory per user')],
      (u, b) => (u * b) / GIB,
    ),
  );
  add(
    'feature store',
    'Redis shards',
    notMeasured('shards', 'Redis memory per user and Redis CPU per feature read are not measured'),
  );
  add(
    'feature store',
    'gateway catalogue memory at N songs',
    notMeasured('GiB', 'the gateway process memory is not in any results file'),
  );
  add(
    'kafka',
    'listens topic partitions and MB/s',
    notMeasured('MB/s', 'no listen-event rate or message size is measured'),
  );

  // Latency: the four stages and the gateway's own work, at peak.
  const { latency, degradedShare } = recsLatency({
    stageMean,
    stageP95,
    gateway,
    candidatePools,
    ranker,
    rules,
    ...(sharded ? { shard: { servingQueryMs, p50: shardP50, p99: shardP99, count: shards } } : {}),
  });
  add('latency', 'degraded answers (a stage fell back)', degradedShare);
  add(
    'latency',
    'SLO: end-to-end p95 below',
    given(SLO.recs.endToEndP95.target, 'ms', 'design SLO (load-tests/src/slo.ts)'),
  );
  add(
    'latency',
    'SLO: ANN p99 at most (per shard query)',
    given(SLO.recs.annP99.target, 'ms', 'design SLO (load-tests/src/slo.ts)'),
  );
  add('latency', 'measured ANN p99 of one shard', shardP99);

  // Cost.
  const vcpus = model('vCPUs', 'one per instance (a Node process uses one core)', [instances], (n) => n);
  add('cost', 'vCPUs', vcpus);
  add(
    'cost',
    'monthly cost',
    monthlyCost(vcpus, [
      { what: 'HNSW memory', gib: allCopies },
      { what: 'Redis memory', gib: notMeasured('GiB', 'Redis memory per user') },
      { what: 'service process memory', gib: notMeasured('GiB', 'process memory of the services') },
    ]),
  );

  if (sharded)
    notes.push(
      'each request visits every shard: the candidates stage waits for the slowest shard, and the index CPU grows with the shard count',
      'shards are the size of the largest measured index; bigger shards need `npm run bench -- ann` at a larger profile first',
      'each index process loads its own copy (hnswlib-node in a single-threaded process); a multi-threaded index server sharing one copy per machine would cut the index memory, not its CPU',
    );
  notes.push(
    'latencies start from this machine at its lightest measured load (services, Redis, generator on one 2-core host); `npm run bench -- capacity-model` (issue 14, item 2) is where the model meets measured runs',
    'an instance is one Node process on one vCPU; memory of the service processes is not measured and not in the cost',
  );
  if (calibration === undefined)
    notes.push('no row of recs.json is below saturation: CPU and latency are not measured');
  return {
    design: 'recs',
    title: `Recommendations: ${fmtCount(target.users)} users, ${fmtCount(target.songs)} songs, ${fmtCount(target.rps)} req/s, peak x${target.peak}, sized at ${Math.round(target.utilisation * 100)} % CPU`,
    rows,
    latency,
    notes,
  };
}
