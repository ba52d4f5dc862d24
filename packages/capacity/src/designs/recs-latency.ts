// The recs request in time: four stages in series, each cut at rec-api's
// deadline with its fallback, and the gateway's own work. A stage's
// unloaded time is a lognormal on its mean and p95 as the gateway saw it at
// the lightest load; the waits are those of the pools it calls, at peak.
// With a sharded catalogue, the candidates stage loses its serving-index
// query and gains the slowest of the shards' queries (a lognormal on the
// measured shard's p50 and p99, the k-th order statistic for k shards).
import { lognormalFromMeanP95, lognormalFromP50P99, lognormalQuantile } from '../distributions.js';
import { type Figure, model } from '../figure.js';
import { DEFAULTS } from '../givens.js';
import { type QueueVisit, type StageSpec, simulatePipeline, slowestOf } from '../pipeline.js';
import type { Pool } from '../pool.js';
import type { LatencyRow } from '../sheet.js';
import { latencyRow } from './common.js';

/** rec-api's stage deadlines, its env defaults (services/rec-api/src/main.ts; a test keeps them equal). */
export const RECS_DEADLINES_MS = { features: 15, candidates: 25, ranker: 30, rules: 15 } as const;

export const STAGES = ['features', 'candidates', 'ranker', 'rules'] as const;

export interface RecsLatencyInputs {
  /** Stage means of the four stages and the gateway's `total`. */
  stageMean: Record<string, Figure>;
  stageP95: Record<string, Figure>;
  gateway: Pool;
  /** candidate-gen, or the router and the index shards. */
  candidatePools: Pool[];
  ranker: Pool;
  rules: Pool;
  /** Present when the catalogue is sharded. */
  shard?: { servingQueryMs: Figure; p50: Figure; p99: Figure; count: Figure };
}

const visit = (p: Pool): QueueVisit => ({ wait: p.wait!, copies: p.copies.value ?? 1 });

export function recsLatency(inputs: RecsLatencyInputs): { latency: LatencyRow[]; degradedShare: Figure } {
  const { stageMean, stageP95, gateway, candidatePools, ranker, rules, shard } = inputs;
  const stageInputs: Figure[] = [...Object.values(stageMean), ...Object.values(stageP95)];
  const shardInputs = shard ? [shard.servingQueryMs, shard.p50, shard.p99, shard.count] : [];
  const pools = [gateway, ...candidatePools, ranker, rules];
  const gatewayOwn = model(
    'ms',
    'gateway total - the four stages (means)',
    [stageMean.total!, ...STAGES.map((s) => stageMean[s]!)],
    (t, ...s) => Math.max(0, t - s.reduce((a, b) => a + b, 0)),
  );
  const everything = [...stageInputs, gatewayOwn, ...shardInputs, ...pools.map((p) => p.waitP99Ms)];
  const ready = everything.every((f) => f.value !== null) && pools.every((p) => p.wait !== undefined);
  if (!ready) {
    const rows = [...STAGES, 'gateway own work', 'end to end (gateway)'].map((s) =>
      latencyRow(s, 'not computed', everything, undefined),
    );
    return { latency: rows, degradedShare: model('share', 'not computed', everything, () => Number.NaN) };
  }

  const dist = (s: string) => lognormalFromMeanP95(stageMean[s]!.value!, stageP95[s]!.value!);
  const draw = (s: string) => {
    const d = dist(s);
    return (u: () => number) => lognormalQuantile(d, u());
  };
  let candidatesDraw = draw('candidates');
  if (shard) {
    const perShard = lognormalFromP50P99(shard.p50.value!, shard.p99.value!);
    const stage = dist('candidates');
    const count = shard.count.value!;
    const servingQuery = shard.servingQueryMs.value!;
    candidatesDraw = (u) => {
      const slowest = slowestOf((p) => lognormalQuantile(perShard, p), count, u());
      return Math.max(slowest, lognormalQuantile(stage, u()) - servingQuery + slowest);
    };
  }
  const stages: StageSpec[] = [
    { name: 'features', draw: draw('features'), queues: [], deadlineMs: RECS_DEADLINES_MS.features },
    {
      name: 'candidates',
      draw: candidatesDraw,
      queues: candidatePools.map(visit),
      deadlineMs: RECS_DEADLINES_MS.candidates,
      skipsOnFallback: ['ranker'],
    },
    { name: 'ranker', draw: draw('ranker'), queues: [visit(ranker)], deadlineMs: RECS_DEADLINES_MS.ranker },
    { name: 'rules', draw: draw('rules'), queues: [visit(rules)], deadlineMs: RECS_DEADLINES_MS.rules },
    { name: 'gateway own work', draw: () => gatewayOwn.value!, queues: [visit(gateway)] },
  ];
  const sim = simulatePipeline(stages, DEFAULTS.samples, DEFAULTS.seed);

  const own = (s: string) => [stageMean[s]!, stageP95[s]!];
  const explain: Record<string, { formula: string; inputs: Figure[] }> = {
    features: {
      formula: `lognormal(stage mean, p95), cut at ${RECS_DEADLINES_MS.features} ms; Redis queueing not modelled`,
      inputs: own('features'),
    },
    candidates: {
      formula: shard
        ? `stage - serving-index query + slowest shard query + waits, cut at ${RECS_DEADLINES_MS.candidates} ms`
        : `lognormal(stage mean, p95) + wait, cut at ${RECS_DEADLINES_MS.candidates} ms`,
      inputs: [...own('candidates'), ...shardInputs, ...candidatePools.map((p) => p.waitP99Ms)],
    },
    ranker: {
      formula: `lognormal(stage mean, p95) + wait, cut at ${RECS_DEADLINES_MS.ranker} ms`,
      inputs: [...own('ranker'), ranker.waitP99Ms],
    },
    rules: {
      formula: `lognormal(stage mean, p95) + wait, cut at ${RECS_DEADLINES_MS.rules} ms`,
      inputs: [...own('rules'), rules.waitP99Ms],
    },
    'gateway own work': {
      formula: 'total - stages (means) + wait at rec-api',
      inputs: [gatewayOwn, gateway.waitP99Ms],
    },
  };
  const latency = sim.stages.map((s) =>
    latencyRow(s.name, explain[s.name]!.formula, explain[s.name]!.inputs, s),
  );
  latency.push(latencyRow('end to end (gateway)', 'sum of the stages per draw', everything, sim.total));
  const degradedShare = model(
    'share',
    'share of draws with a stage past its deadline',
    everything,
    () => sim.fallbackShare,
  );
  return { latency, degradedShare };
}
