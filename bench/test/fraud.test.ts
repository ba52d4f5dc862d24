import { describe, expect, it } from 'vitest';
import type { Arrival } from '../src/fraud/decision-reader.js';
import { fraudResult } from '../src/fraud/report.js';
import { type RateMeasurement, type RateRow, summarise } from '../src/fraud/rows.js';
import { parseSettings, type Settings } from '../src/fraud/settings.js';
import { breakdownOf } from '../src/fraud/stage-breakdown.js';

// Given, so the settings never look for built artifacts.
const artifacts = ['--artifacts', '/tmp/fraud-artifacts'];

describe('parseSettings', () => {
  it('when only the artifacts are given, then the defaults are the committed run', () => {
    const settings = parseSettings([...artifacts, '--kafka', 'k:1', '--redis', 'redis://r:2']);
    expect(settings).toEqual({
      rates: [2500, 5000, 10_000],
      seconds: 60,
      warmupSeconds: 5,
      drainSeconds: 120,
      checkpointMs: 30_000,
      artifactsDir: '/tmp/fraud-artifacts',
      brokers: ['k:1'],
      redisUrl: 'redis://r:2',
      modes: ['pipeline', 'passthrough'],
      designs: true,
      launch: { stageNodeArgs: [] },
    });
  });

  it('when every flag is given, then each lands in its setting', () => {
    const settings = parseSettings([
      ...artifacts,
      '--rates',
      '100,200',
      '--seconds',
      '3',
      '--warmup-seconds',
      '0',
      '--drain-seconds',
      '20',
      '--checkpoint-ms',
      '5000',
      '--kafka',
      'a:1,b:2',
      '--modes',
      'eos-passthrough',
      '--no-designs',
      '--cpu-prof',
      '/tmp/prof',
      // With `=`: node's parseArgs takes a value starting with a dash no other way.
      '--stage-node-args=--max-semi-space-size=64  --trace-gc',
    ]);
    expect(settings).toMatchObject({
      rates: [100, 200],
      seconds: 3,
      warmupSeconds: 0,
      drainSeconds: 20,
      checkpointMs: 5000,
      brokers: ['a:1', 'b:2'],
      modes: ['eos-passthrough'],
      designs: false,
      launch: { cpuProfileDir: '/tmp/prof', stageNodeArgs: ['--max-semi-space-size=64', '--trace-gc'] },
    });
  });

  it('when a rate is not a positive number, then the error names the flag and the value', () => {
    expect(() => parseSettings([...artifacts, '--rates', '100,0'])).toThrow(
      '--rates must be a positive number, got 0',
    );
  });

  it('when a mode is unknown, then the error lists the modes', () => {
    expect(() => parseSettings([...artifacts, '--modes', 'pipeline,kafka'])).toThrow(
      '--modes takes pipeline, passthrough, eos-passthrough, got kafka',
    );
  });
});

const measurement = (overrides: Partial<RateMeasurement>): RateMeasurement => {
  // 100 payments due 10 ms apart from t0 = 0, each decided 5 ms (+ i / 10 ms) after it was due.
  const firstSeen = new Map<string, Arrival>();
  const ids = Array.from({ length: 100 }, (_, i) => `t${i}`);
  for (const [i, id] of ids.entries()) firstSeen.set(id, { eventTime: i * 10, readAt: i * 10 + 5 + i / 10 });
  return {
    mode: 'pipeline',
    rate: 100,
    warmupSeconds: 0,
    ids,
    t0: 0,
    arrivals: { firstSeen, duplicates: 0 },
    lags: [3, 1, 2],
    cpuCores: { 'feature-engine': 0.5 },
    drain: 'complete',
    loadAvg1m: 1.234,
    ...overrides,
  };
};

describe('summarise', () => {
  it('when every payment was decided, then latencies are read time - event time and nothing is lost', () => {
    const row = summarise(measurement({}));
    expect(row).toMatchObject({
      mode: 'pipeline',
      offered_tps: 100,
      payments: 100,
      measured: 100,
      lost: 0,
      backlog_at_end: 0,
      duplicated: 0,
      generator_lag_p99_ms: 3,
      cpu_cores: { 'feature-engine': 0.5 },
      load_avg_1m: 1.23,
    });
    expect(row.p50_ms).toBeCloseTo(9.9);
    expect(row.p99_ms).toBeCloseTo(14.8);
    expect(row.max_ms).toBeCloseTo(14.9);
    // 100 decided between t0 and the last read at 1004.9 ms: one second.
    expect(row.throughput_tps).toBe(100);
  });

  it('when the warm-up lasts half the run, then only payments due after it are measured', () => {
    const row = summarise(measurement({ warmupSeconds: 0.5 }));
    expect(row.measured).toBe(50);
    expect(row.p50_ms).toBeCloseTo(12.4);
  });

  it('when decisions stopped coming with payments undecided, then those are lost, not a backlog', () => {
    const m = measurement({ drain: 'stalled' });
    const firstSeen = new Map(m.arrivals.firstSeen);
    for (const id of ['t97', 't98', 't99']) firstSeen.delete(id);
    const row = summarise({ ...m, arrivals: { firstSeen, duplicates: 2 } });
    expect([row.lost, row.backlog_at_end, row.duplicated]).toEqual([3, 0, 2]);
  });

  it('when the drain limit came while decisions were still coming, then the undecided are a backlog', () => {
    const m = measurement({ drain: 'deadline' });
    const firstSeen = new Map(m.arrivals.firstSeen);
    firstSeen.delete('t99');
    const row = summarise({ ...m, arrivals: { firstSeen, duplicates: 0 } });
    expect([row.lost, row.backlog_at_end]).toEqual([0, 1]);
  });
});

describe('breakdownOf', () => {
  const featureEngine = [
    '# HELP feature_engine_batch_commit_seconds how long a batch takes to commit',
    'feature_engine_batch_commit_seconds_sum 0.5',
    'feature_engine_batch_commit_seconds_count 100',
    'feature_engine_batch_process_seconds_sum 0.25',
    'feature_engine_transactions_total{kind="transaction"} 4000',
    'feature_engine_transactions_total{kind="chargeback"} 1000',
    'feature_engine_checkpoint_seconds_sum 0.3',
    'feature_engine_checkpoint_seconds_count 2',
  ].join('\n');

  it("when the feature engine's metrics are read, then it gets means per batch and per checkpoint", () => {
    expect(breakdownOf('feature-engine', featureEngine)).toEqual({
      batches: 100,
      records_per_batch: 50,
      commit_ms_mean: 5,
      process_ms_mean: 2.5,
      checkpoints: 2,
      checkpoint_ms_mean: 150,
      alignment_timeouts: 0,
    });
  });

  it("when the scorer's metrics are read, then it gets the model's mean per batch", () => {
    const scorer = [
      'fraud_scorer_batch_commit_seconds_sum 1',
      'fraud_scorer_batch_commit_seconds_count 400',
      'fraud_scorer_decisions_total 5000',
      'fraud_scorer_model_seconds_sum 2',
    ].join('\n');
    expect(breakdownOf('fraud-scorer', scorer)).toEqual({
      batches: 400,
      records_per_batch: 12.5,
      commit_ms_mean: 2.5,
      model_ms_mean: 5,
    });
  });
});

describe('fraudResult', () => {
  const settings: Settings = {
    ...parseSettings(artifacts),
    rates: [5000, 10_000],
  };
  const row = (mode: RateRow['mode'], rate: number, p99: number, throughput: number, lag = 1) =>
    ({
      mode,
      offered_tps: rate,
      throughput_tps: throughput,
      p50_ms: p99 / 2,
      p95_ms: p99,
      p99_ms: p99,
      lost: 0,
      backlog_at_end: 0,
      duplicated: 0,
      generator_lag_p99_ms: lag,
    }) as RateRow;

  it("when the pipeline ran at the SLO's rate beside both pass-throughs, then its figures are at that rate with ratios to each", () => {
    const rows = [
      row('pipeline', 5000, 20, 5000),
      row('pipeline', 10_000, 40, 9000),
      row('passthrough', 10_000, 10, 10_000),
      row('eos-passthrough', 10_000, 20, 10_000),
    ];
    const result = fraudResult(settings, rows, [], new Date(0));
    expect(result.metrics).toMatchObject({
      offered_tps: 10_000,
      throughput_tps: 9000,
      decision_p99_ms: 40,
      p99_over_passthrough: 4,
      p50_over_passthrough: 4,
      throughput_over_passthrough: 0.9,
      p99_over_eos_passthrough: 2,
    });
    expect(result.metrics.state_designs).toBeUndefined();
    expect(result.slo.map((s) => [s.metric, s.pass])).toEqual([
      ['decision_p99_ms', true],
      ['throughput_tps', false],
      ['lost_decisions', true],
      ['duplicated_decisions', true],
    ]);
    expect(result.params).toEqual({
      rates: [5000, 10_000],
      seconds: 60,
      warmup_seconds: 5,
      drain_seconds: 120,
      checkpoint_ms: 30_000,
      data_profile: 'default',
    });
  });

  it("when the SLO's rate was not run and the generator fell behind, then the highest pipeline rate is reported with a note", () => {
    const rows = [row('pipeline', 2500, 10, 2500), row('pipeline', 5000, 30, 5000, 25)];
    const result = fraudResult(settings, rows, [], new Date(0));
    expect(result.metrics.offered_tps).toBe(5000);
    expect(result.metrics.p99_over_passthrough).toBeUndefined();
    expect(result.notes).toContainEqual(
      'the generator fell behind (send lag p99 > 20 ms) at pipeline 5000 tx/s: those latencies include it',
    );
  });
});
