import type { LoadRun } from '../run-load.js';
import type { ScenarioDefinition } from '../scenario.js';
import fraudAvailability from '../scenarios/fraud-availability.js';
import recsSteady from '../scenarios/recs-steady.js';
import { SLO } from '../slo.js';
import { type SheetJson, sheetValue } from './estimate.js';
import { ANSWER_CLASSES } from './fraud-phases.js';
import { figuresOf } from './phases.js';
import { ms, percent } from './table.js';

/** One rate's figures on this box, whichever design. */
export interface Measured {
  rate: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Answers that did not come from the full pipeline: recs degraded, fraud rules-only or worse. */
  fellBack: number | null;
  availability: number | null;
}

export interface Predicted {
  rate: number;
  sheet: SheetJson;
}

/** The drill's settings a design reads (see `params` in traffic-10x.ts). */
export interface DesignSettings {
  users: number;
  fleetUsers: string;
  fleetSongs: string;
  peak: number;
}

/**
 * What traffic-10x does differently per design: the load it sends, what
 * "held" means there (the design's SLO plus the share of answers that fell
 * back), the capacity model's sheet for the fleet, and the talking point.
 */
export interface TenXDesign {
  service: 'rec-api' | 'txn-api';
  scenario: ScenarioDefinition;
  scenarioParams(settings: DesignSettings): Record<string, string>;
  /** The SLO the search holds the box to, as the step line says it. */
  sloText: string;
  measured(rate: number, run: LoadRun): Measured;
  /** Whether the design's own latency SLO held (availability and the fallback share are judged beside it). */
  latencyHeld(m: Measured): boolean;
  estimateArgs(settings: DesignSettings, rate: number): string[];
  fleetText(settings: DesignSettings): string;
  /** The sheet's row with the share that falls back at the fleet. */
  fellBackRow: string;
  talkingPoint(
    box: { base: Measured; held: boolean; overload: Measured },
    model: [Predicted, Predicted],
    multiplier: number,
  ): string;
}

const heldText = (base: Measured, held: boolean) =>
  held ? `held ${base.rate}/s` : `held no rate tried, not even ${base.rate}/s`;

const below = (value: number | null, target: number) => value !== null && value < target;

export const recsTenX: TenXDesign = {
  service: 'rec-api',
  scenario: recsSteady,
  scenarioParams: (s) => ({ users: String(s.users) }),
  sloText: `p95 ${SLO.recs.endToEndP95.op} ${SLO.recs.endToEndP95.target} ms, availability ${SLO.recs.availability.op} ${SLO.recs.availability.target}`,
  measured(rate, run) {
    const figures = figuresOf(run.recorder, { filter: { scenario: 'recommendations' } });
    return {
      rate,
      p50: figures.p50_ms,
      p95: figures.p95_ms,
      p99: figures.p99_ms,
      fellBack: run.recorder.share('degraded'),
      availability: run.recorder.share('availability'),
    };
  },
  latencyHeld: (m) => below(m.p95, SLO.recs.endToEndP95.target),
  estimateArgs: (s, rate) => [
    '--design',
    'recs',
    '--users',
    s.fleetUsers,
    '--songs',
    s.fleetSongs,
    '--rps',
    String(rate),
  ],
  fleetText: (s) => `${s.fleetUsers} users, ${s.fleetSongs} songs`,
  fellBackRow: 'degraded answers (a stage fell back)',
  talkingPoint({ base, held, overload }, [oneX, tenX], multiplier) {
    const instances1 = sheetValue(oneX.sheet, 'instances, all services');
    const instances10 = sheetValue(tenX.sheet, 'instances, all services');
    const shardInstances = sheetValue(tenX.sheet, 'index shard instances');
    const indexShare = shardInstances !== null && instances10 ? shardInstances / instances10 : null;
    return (
      `On this box the pipeline ${heldText(base, held)}; at ${overload.rate}/s the p95 was ${ms(overload.p95) ?? 'not measured'} ms ` +
      `with ${percent(overload.fellBack) ?? 'an unmeasured share'} of answers from fallbacks and ${percent(overload.availability) ?? 'an unmeasured share'} available. ` +
      'Read the fallback share beside the p95: rec-api cuts each stage at its deadline and falls back, so overload shows as degraded answers before it shows as latency. ' +
      'The fix is horizontal: the recs services keep no state of their own (features live in Redis, the index is loaded from a file), so each scales by instances; ' +
      `the model sizes ${instances1 ?? '?'} instances at 1x and ${instances10 ?? '?'} at ${multiplier}x, ` +
      `${percent(indexShare) ?? 'an unknown share'} of them index shard replicas at ${multiplier}x, because every request visits every shard. ` +
      'So the levers past more instances are fewer, larger shards (measure one first) and caching candidates per user.'
    );
  },
};

export const fraudTenX: TenXDesign = {
  service: 'txn-api',
  // fraud-availability classes every answer (pipeline, rules-only, held, late, failed); no kill, no reconciliation here.
  scenario: fraudAvailability,
  scenarioParams: () => ({ reconcile: 'none' }),
  sloText: `decision p99 ${SLO.fraud.decisionP99.op} ${SLO.fraud.decisionP99.target} ms, availability ${SLO.fraud.availability.op} ${SLO.fraud.availability.target}`,
  measured(rate, run) {
    const figures = figuresOf(run.recorder, { shareTag: 'answer', shareValues: ANSWER_CLASSES });
    return {
      rate,
      p50: figures.p50_ms,
      p95: figures.p95_ms,
      p99: figures.p99_ms,
      fellBack: figures.requests === 0 ? null : 1 - (figures.shares.pipeline ?? 0),
      availability: figures.availability,
    };
  },
  latencyHeld: (m) => below(m.p99, SLO.fraud.decisionP99.target),
  estimateArgs: (s, rate) => ['--design', 'fraud', '--tps', String(rate), '--peak', String(s.peak)],
  fleetText: (s) => `peak ${s.peak}x`,
  fellBackRow: 'rules-only answers (past the owner deadline)',
  talkingPoint({ base, held, overload }, [oneX, tenX], multiplier) {
    const owners10 = sheetValue(tenX.sheet, 'feature-engine instances');
    const instances1 = sheetValue(oneX.sheet, 'instances, all services');
    const instances10 = sheetValue(tenX.sheet, 'instances, all services');
    return (
      `On this box the synchronous decision ${heldText(base, held)}; at ${overload.rate}/s the p99 was ${ms(overload.p99) ?? 'not measured'} ms ` +
      `with ${percent(overload.fellBack) ?? 'an unmeasured share'} of payments answered by the rules alone and ${percent(overload.availability) ?? 'an unmeasured share'} available. ` +
      'Overload shows as rules-only answers first: txn-api waits for the partition owner only up to its deadline, then answers with the payment-level rules, flagged, ' +
      'and the pipeline still logs the full decision later, so no payment waits and none goes undecided. ' +
      `The model sizes ${instances1 ?? '?'} instances at 1x and ${instances10 ?? '?'} at ${multiplier}x (${owners10 ?? '?'} feature-engine owners, so at least that many partitions of transactions). ` +
      'What does not scale by adding processes is the feature engine past one instance: terminal, device and IP features need every payment of that counterparty, ' +
      'so more owners need repartition topics by counterparty (one more Kafka hop per entity kind).'
    );
  },
};

export const TEN_X_DESIGNS = { recs: recsTenX, fraud: fraudTenX } as const;
