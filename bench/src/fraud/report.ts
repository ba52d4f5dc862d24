// The fraud stream bench's results file: the pipeline's figures at the SLO's rate, its ratios to
// the pass-throughs measured in the same run, every row, and the notes a reader needs.
import { availableParallelism, loadavg } from 'node:os';
import { SLO } from '@mlsys/load-tests';
import { buildResult, type RunResult } from '@mlsys/results';
import { repoRoot } from '../paths.js';
import { round } from './round.js';
import type { RateRow } from './rows.js';
import { DATA_PROFILE, type Settings } from './settings.js';
import type { DesignRow } from './state-designs.js';

/** Above this send lag p99 the generator, not the pipeline, set the latencies. */
const GENERATOR_LIMITED_LAG_MS = 20;

export function fraudResult(
  settings: Settings,
  rows: RateRow[],
  designs: DesignRow[],
  startedAt: Date,
): RunResult {
  const target = SLO.fraud.throughput.target;
  const pipeline = rows.filter((r) => r.mode === 'pipeline');
  // The SLO's rate when it was run, else the highest pipeline rate.
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
    `artifacts ${settings.artifactsDir.replace(`${repoRoot}/`, '')}; payments from the ${DATA_PROFILE} simulation profile, event time = due time`,
    `feature state checkpointed to Redis every ${settings.checkpointMs} ms`,
    `host has ${availableParallelism()} cpus shared by broker, Redis, services and this generator; load average at the end ${round(loadavg()[0]!, 2)}`,
  ];
  const generatorLimited = rows.filter((r) => r.generator_lag_p99_ms > GENERATOR_LIMITED_LAG_MS);
  if (generatorLimited.length > 0) {
    notes.push(
      `the generator fell behind (send lag p99 > ${GENERATOR_LIMITED_LAG_MS} ms) at ${generatorLimited.map((r) => `${r.mode} ${r.offered_tps}`).join(', ')} tx/s: those latencies include it`,
    );
  }
  return buildResult({
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
}
