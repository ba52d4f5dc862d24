import type { Chargeback, Decision } from '@mlsys/contracts';
import type { RedisClient } from '@mlsys/redis';
import { delayDay, delayDayCount, delayDaysRead, paymentDay } from '../domain/label-delay.js';
import {
  buildLabelReport,
  type LabelMaturityOptions,
  type LabelReport,
  type LabelWindows,
  rangeKey,
  reportRanges,
} from '../domain/label-report.js';
import type { LabelStore } from '../domain/label-store.js';
import { coverRange, type RangeCover } from '../domain/range-cover.js';
import {
  addCounts,
  countDecision,
  emptyCounts,
  scoreBin,
  type WindowCounts,
} from '../domain/window-counts.js';
import type { AgeRange } from '../domain/windows.js';
import { openLayout } from './redis-label-layout.js';
import { defineLabelScripts, LabelKeys, run, type Scripted } from './redis-label-scripts.js';

export interface RedisLabelStoreOptions {
  redis: RedisClient;
  windows: LabelWindows;
  maturity: LabelMaturityOptions;
  /** Prefix of every key (`fm` in the stack; tests use a unique one). */
  namespace: string;
  /**
   * How long a chargeback may come after its payment (90 days): with the
   * longest window, every key's TTL. Cohorts must not reach further back.
   */
  labelHorizonMs: number;
  /** Told what each batch's events did (new, or redelivered and ignored...), for the metrics. */
  onWritten?: (event: 'decision' | 'chargeback', outcome: WriteOutcome, count: number) => void;
}

/** A decision is `new` or a `duplicate`; a chargeback `labelled` its decision, is `waiting` for it, or is a `duplicate`. */
export type WriteOutcome = 'new' | 'duplicate' | 'labelled' | 'waiting';

/**
 * The labelled-decision join in Redis (layout in the README, State): per
 * second of decision event time, a hash of the decisions' records by
 * transaction id; counters per hour, minute and second, updated in the same
 * script as the record, so a replay counts once; per payment day, the
 * chargebacks' delays. A range of decision ages sums the counters of its
 * whole hours, then the whole minutes and seconds at its edges, then the
 * records of the seconds it cuts (`coverRange`): exact to the millisecond,
 * as `LabelledDecisions` is, and read in one pipeline for all ranges.
 * A chargeback finds its decision by its event time (the transaction's,
 * which the decision carries too) and transaction id.
 * Single-node Redis: the scripts touch keys of several hash slots.
 */
export class RedisLabelStore implements LabelStore {
  private readonly redis: RedisClient;
  private readonly keys: LabelKeys;
  private readonly ttlMs: number;

  constructor(private readonly options: RedisLabelStoreOptions) {
    const { redis, windows } = options;
    defineLabelScripts(redis);
    this.redis = redis;
    this.keys = new LabelKeys(options.namespace);
    const longestWindow = Math.max(...windows.quality.map((w) => w.ms), windows.calibration.ms);
    this.ttlMs = options.labelHorizonMs + longestWindow;
  }

  /** Checks (and upgrades) the stored layout and score bins: see `openLayout`. */
  async open(): Promise<void> {
    await openLayout(this.redis, this.keys, this.options.windows.calibrationBins, this.ttlMs);
  }

  async addDecisions(decisions: readonly Decision[]): Promise<void> {
    if (decisions.length === 0) return;
    const bins = this.options.windows.calibrationBins;
    const pipeline = this.scripted();
    const touched = new Set<string>();
    let latest = -1;
    for (const d of decisions) {
      const keys = this.keys.at(d.eventTime);
      for (const key of keys) touched.add(key);
      latest = Math.max(latest, d.eventTime);
      pipeline.fmAddDecision(
        ...keys,
        d.transactionId,
        d.eventTime,
        d.decision === 'approve' ? 0 : 1,
        scoreBin(d.score, bins),
        String(d.score),
      );
    }
    this.expire(pipeline, touched);
    pipeline.fmAdvance(this.keys.key('stream'), latest);
    const results = await run(pipeline);
    this.tell('decision', results.slice(0, decisions.length), ['duplicate', 'new']);
  }

  async addChargebacks(chargebacks: readonly Chargeback[]): Promise<void> {
    if (chargebacks.length === 0) return;
    const horizon = this.options.labelHorizonMs;
    const pipeline = this.scripted();
    const touched = new Set<string>();
    let latest = -1;
    for (const c of chargebacks) {
      const keys = [...this.keys.at(c.eventTime), this.keys.delays(paymentDay(c.eventTime))];
      for (const key of keys) touched.add(key);
      latest = Math.max(latest, c.reportedAt);
      pipeline.fmAddChargeback(...keys, c.transactionId, delayDay(c, horizon));
    }
    this.expire(pipeline, touched);
    pipeline.fmAdvance(this.keys.key('labels'), latest);
    const results = await run(pipeline);
    this.tell('chargeback', results.slice(0, chargebacks.length), ['duplicate', 'waiting', 'labelled']);
  }

  private tell(event: 'decision' | 'chargeback', results: unknown[], outcomes: WriteOutcome[]): void {
    const onWritten = this.options.onWritten;
    if (!onWritten) return;
    const counts = new Array<number>(outcomes.length).fill(0);
    for (const result of results) counts[Number(result)]! += 1;
    counts.forEach((count, i) => {
      if (count > 0) onWritten(event, outcomes[i]!, count);
    });
  }

  /**
   * Reads the clocks, then every hash the report needs in one pipeline: the
   * delay counts of the payment days read and the cover of every range
   * (a hash shared by ranges is read once, and all ranges are summed from
   * that read, so a shorter range never counts a decision a longer one
   * missed). Not a snapshot: while decisions flow, the newest hour may hold
   * a few decisions later than the stream time read first.
   */
  async report(): Promise<LabelReport> {
    const { windows, labelHorizonMs, maturity } = this.options;
    const bins = windows.calibrationBins;
    const [stream, labels] = await this.redis.mget(this.keys.key('stream'), this.keys.key('labels'));
    const streamTime = stream === null ? null : Number(stream);
    const labelTime = labels === null ? null : Number(labels);
    const reads = new HashReads(this.redis);
    const days = labelTime === null ? [] : delayDaysRead(labelTime, labelHorizonMs);
    for (const day of days) reads.add(this.keys.delays(day));
    const covers = new Map<string, RangeCover>();
    if (streamTime !== null) {
      for (const range of reportRanges(windows)) {
        const cover = coverRange(streamTime - range.toMs, streamTime - range.fromMs, range.fromMs === 0);
        for (const bucket of cover.buckets) reads.add(this.keys.counters(bucket.width, bucket.start));
        for (const cut of cover.cutSeconds) reads.add(this.keys.key('r', cut.start));
        covers.set(rangeKey(range), cover);
      }
    }
    const hash = await reads.run();

    const delays = new Map<number, number[]>();
    for (const day of days) {
      const byDelay = new Array<number>(delayDayCount(labelHorizonMs)).fill(0);
      for (const [k, n] of Object.entries(hash(this.keys.delays(day)))) byDelay[Number(k)] = Number(n);
      delays.set(day, byDelay);
    }
    const counters = new Map<string, WindowCounts>();
    const countersOf = (key: string) => {
      let parsed = counters.get(key);
      if (!parsed) {
        parsed = parseCounters(hash(key), bins);
        counters.set(key, parsed);
      }
      return parsed;
    };
    const countsOf = (range: AgeRange, coverage: (eventTime: number) => number): WindowCounts => {
      const cover = covers.get(rangeKey(range))!;
      const total = emptyCounts(bins);
      for (const { width, start } of cover.buckets) {
        const bucket = countersOf(this.keys.counters(width, start));
        // A bucket lies within one hour, the unit coverage is taken at.
        addCounts(total, { ...bucket, coverageSum: bucket.decisions * coverage(start) });
      }
      for (const cut of cover.cutSeconds) {
        for (const record of Object.values(hash(this.keys.key('r', cut.start)))) {
          if (record === 'cb') continue;
          const [t, flagged, , score, label] = record.split('|');
          const time = Number(t);
          if (time > cut.from && time <= cut.to) {
            countDecision(total, Number(score), flagged === '1', label === '1', coverage(time));
          }
        }
      }
      return total;
    };
    return buildLabelReport({ streamTime, labelTime, delays, countsOf }, windows, maturity, labelHorizonMs);
  }

  /** A pipeline with the scripts defined in the constructor (ioredis adds them at run time). */
  private scripted(): Scripted {
    return this.redis.pipeline() as unknown as Scripted;
  }

  /** TTLs once per key per batch rather than per event: a batch touches a few seconds and minutes. */
  private expire(pipeline: Scripted, keys: Set<string>): void {
    for (const key of keys) pipeline.pexpire(key, this.ttlMs);
  }
}

/** HGETALLs of distinct keys in one pipeline, each key read once. */
class HashReads {
  private readonly at = new Map<string, number>();
  private readonly pipeline: {
    hgetall(key: string): unknown;
    exec(): Promise<[Error | null, unknown][] | null>;
  };

  constructor(redis: RedisClient) {
    this.pipeline = redis.pipeline() as unknown as HashReads['pipeline'];
  }

  add(key: string): void {
    if (this.at.has(key)) return;
    this.at.set(key, this.at.size);
    this.pipeline.hgetall(key);
  }

  async run(): Promise<(key: string) => Record<string, string>> {
    const values = this.at.size === 0 ? [] : await run(this.pipeline);
    return (key) => values[this.at.get(key)!] as Record<string, string>;
  }
}

function parseCounters(fields: Record<string, string>, bins: number): WindowCounts {
  const counts = emptyCounts(bins);
  const int = (name: string) => Number(fields[name] ?? 0);
  counts.decisions = int('n');
  counts.flagged = int('fl');
  counts.frauds = int('fr');
  counts.truePositives = int('tp');
  counts.bins.forEach((bin, b) => {
    bin.count = int(`c${b}`);
    bin.scoreSum = int(`s${b}`);
    bin.frauds = int(`f${b}`);
  });
  return counts;
}
