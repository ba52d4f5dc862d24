import type { Chargeback, Decision } from '@mlsys/contracts';
import type { RedisClient } from '@mlsys/redis';
import type { LabelReport, LabelStore, LabelWindows } from '../domain/label-store.js';
import {
  addCounts,
  calibrationOf,
  countDecision,
  emptyCounts,
  qualityOf,
  scoreBin,
  type WindowCounts,
} from '../domain/window-counts.js';

export interface RedisLabelStoreOptions {
  redis: RedisClient;
  windows: LabelWindows;
  /** Prefix of every key (`fm` in the stack; tests use a unique one). */
  namespace: string;
  /** Width of the counter buckets of decision event time. */
  bucketMs: number;
  /** How long a chargeback may come after its payment (90 days): with the longest window, every key's TTL. */
  labelHorizonMs: number;
}

/**
 * One decision, atomically: its record (created once: a redelivered decision
 * finds it and changes nothing) and its bucket's counters, including the
 * label when its chargeback was read first. KEYS: record, bucket counters,
 * bucket ids. ARGV: transaction id, event time, flagged (0/1), score bin,
 * score, TTL ms.
 */
const ADD_DECISION = `
if redis.call('HEXISTS', KEYS[1], 't') == 1 then return 0 end
local charged = redis.call('HEXISTS', KEYS[1], 'cb') == 1
local flagged = ARGV[3] == '1'
local bin = ARGV[4]
redis.call('HSET', KEYS[1], 't', ARGV[2], 'f', ARGV[3], 'b', bin, 's', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('HINCRBY', KEYS[2], 'n', 1)
redis.call('HINCRBY', KEYS[2], 'c' .. bin, 1)
redis.call('HINCRBYFLOAT', KEYS[2], 's' .. bin, ARGV[5])
if flagged then redis.call('HINCRBY', KEYS[2], 'fl', 1) end
if charged then
  redis.call('HINCRBY', KEYS[2], 'fr', 1)
  redis.call('HINCRBY', KEYS[2], 'f' .. bin, 1)
  if flagged then redis.call('HINCRBY', KEYS[2], 'tp', 1) end
end
redis.call('SADD', KEYS[3], ARGV[1])
return 1
`;

/**
 * One chargeback, atomically: marks the record (once: a redelivered
 * chargeback finds the mark and changes nothing); when the decision is
 * already there, counts the label in the decision's bucket. KEYS: record,
 * the bucket counters of the chargeback's event time. ARGV: reported at,
 * TTL ms, that bucket's start, bucket width. Returns 0 (already counted),
 * 1 (waiting for its decision), 2 (counted), or the decision's event time as
 * a string when it lies in another bucket (the caller retries with that one).
 */
const ADD_CHARGEBACK = `
local rec = redis.call('HMGET', KEYS[1], 't', 'f', 'b', 'cb')
if rec[4] then return 0 end
if rec[1] then
  local t = tonumber(rec[1])
  if t - t % tonumber(ARGV[4]) ~= tonumber(ARGV[3]) then return rec[1] end
end
redis.call('HSET', KEYS[1], 'cb', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if not rec[1] then return 1 end
redis.call('HINCRBY', KEYS[2], 'fr', 1)
redis.call('HINCRBY', KEYS[2], 'f' .. rec[3], 1)
if rec[2] == '1' then redis.call('HINCRBY', KEYS[2], 'tp', 1) end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 2
`;

/** The stream time only moves forward (a replay of older decisions leaves it). KEYS: stream. ARGV: time. */
const ADVANCE_STREAM_TIME = `
local now = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) > now then redis.call('SET', KEYS[1], ARGV[1]) return 1 end
return 0
`;

type Scripted = {
  fmAddDecision(...args: (string | number)[]): unknown;
  fmAddChargeback(...args: (string | number)[]): unknown;
  fmAdvanceStreamTime(...args: (string | number)[]): unknown;
};

/** Results of a pipeline, throwing the first command error (the batch is then replayed, not committed). */
async function run(pipeline: { exec(): Promise<[Error | null, unknown][] | null> }): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  for (const [error] of results) if (error) throw error;
  return results.map(([, value]) => value);
}

/**
 * The labelled-decision join in Redis (layout in the README, State): a
 * record per transaction id, counters per bucket of decision event time
 * updated in the same script as the record (so a replay counts once), and
 * the stream time. A window's report sums the counters of the buckets wholly
 * inside it and reads the records of the one bucket its start cuts, so
 * windows are exact to the millisecond, as `LabelledDecisions`' are.
 * Single-node Redis: the scripts touch keys of several hash slots.
 */
export class RedisLabelStore implements LabelStore {
  private readonly redis: RedisClient & Scripted;
  private readonly ttlMs: number;
  private readonly longestMs: number;

  constructor(private readonly options: RedisLabelStoreOptions) {
    const { redis, windows } = options;
    redis.defineCommand('fmAddDecision', { numberOfKeys: 3, lua: ADD_DECISION });
    redis.defineCommand('fmAddChargeback', { numberOfKeys: 2, lua: ADD_CHARGEBACK });
    redis.defineCommand('fmAdvanceStreamTime', { numberOfKeys: 1, lua: ADVANCE_STREAM_TIME });
    this.redis = redis as RedisClient & Scripted;
    this.longestMs = Math.max(...windows.quality.map((w) => w.ms), windows.calibration.ms);
    this.ttlMs = options.labelHorizonMs + this.longestMs;
  }

  /**
   * Checks the stored layout matches this configuration: counters bucketed
   * or binned differently cannot be summed with the new ones.
   */
  async open(): Promise<void> {
    const key = this.key('meta');
    const want = {
      bucketMs: String(this.options.bucketMs),
      bins: String(this.options.windows.calibrationBins),
    };
    await this.redis.hsetnx(key, 'bucketMs', want.bucketMs);
    await this.redis.hsetnx(key, 'bins', want.bins);
    const [bucketMs, bins] = await this.redis.hmget(key, 'bucketMs', 'bins');
    if (bucketMs !== want.bucketMs || bins !== want.bins) {
      throw new Error(
        `the Redis keys under "${this.options.namespace}:" were written with ${bucketMs} ms buckets and ${bins} calibration bins, ` +
          `this configuration has ${want.bucketMs} and ${want.bins}: restore the old QUALITY_BUCKET / CALIBRATION_BINS ` +
          'or start a new join under another LABELS_NAMESPACE',
      );
    }
  }

  async addDecisions(decisions: readonly Decision[]): Promise<void> {
    if (decisions.length === 0) return;
    const { windows } = this.options;
    const pipeline = this.redis.pipeline() as unknown as Scripted & {
      pexpire(key: string, ms: number): unknown;
      exec(): Promise<[Error | null, unknown][] | null>;
    };
    const buckets = new Set<number>();
    let latest = -1;
    for (const d of decisions) {
      const bucket = this.bucketOf(d.eventTime);
      buckets.add(bucket);
      latest = Math.max(latest, d.eventTime);
      pipeline.fmAddDecision(
        this.key('tx', d.transactionId),
        this.key('b', bucket),
        this.key('ids', bucket),
        d.transactionId,
        d.eventTime,
        d.decision === 'approve' ? 0 : 1,
        scoreBin(d.score, windows.calibrationBins),
        String(d.score),
        this.ttlMs,
      );
    }
    // Once per bucket per batch rather than per decision: a batch is mostly one or two buckets.
    for (const bucket of buckets) {
      pipeline.pexpire(this.key('b', bucket), this.ttlMs);
      pipeline.pexpire(this.key('ids', bucket), this.ttlMs);
    }
    pipeline.fmAdvanceStreamTime(this.key('stream'), latest);
    await run(pipeline);
  }

  async addChargebacks(chargebacks: readonly Chargeback[]): Promise<void> {
    let pending = chargebacks.map((c) => ({ chargeback: c, eventTime: c.eventTime }));
    // A chargeback normally carries its decision's event time; when not, the script names the right bucket.
    while (pending.length > 0) {
      const pipeline = this.redis.pipeline() as unknown as Scripted & {
        exec(): Promise<[Error | null, unknown][] | null>;
      };
      for (const { chargeback, eventTime } of pending) {
        const bucket = this.bucketOf(eventTime);
        pipeline.fmAddChargeback(
          this.key('tx', chargeback.transactionId),
          this.key('b', bucket),
          chargeback.reportedAt,
          this.ttlMs,
          bucket,
          this.options.bucketMs,
        );
      }
      const results = await run(pipeline);
      pending = pending.flatMap((p, i) =>
        typeof results[i] === 'string' ? [{ chargeback: p.chargeback, eventTime: Number(results[i]) }] : [],
      );
    }
  }

  async report(): Promise<LabelReport> {
    const { quality, calibration, calibrationBins } = this.options.windows;
    const stream = await this.redis.get(this.key('stream'));
    const end = stream === null ? null : Number(stream);
    const counts = end === null ? new Map<number, WindowCounts>() : await this.windowCounts(end);
    const of = (ms: number) => counts.get(ms) ?? emptyCounts(calibrationBins);
    return {
      streamTime: end,
      quality: quality.map((w) => qualityOf(w.name, of(w.ms))),
      calibration: { window: calibration.name, ...calibrationOf(of(calibration.ms)) },
    };
  }

  /**
   * Tallies of each window (by its length): the decisions with event time in
   * (end - length, end], where `end` is the stream time, so nothing is later.
   * Every bucket is read once, in one pipeline, and all windows are summed
   * from that read: while decisions flow, a shorter window never counts one
   * a longer window missed.
   */
  private async windowCounts(end: number): Promise<Map<number, WindowCounts>> {
    const { bucketMs, windows } = this.options;
    const bins = windows.calibrationBins;
    const lengths = [...new Set([...windows.quality, windows.calibration].map((w) => w.ms))];
    const last = this.bucketOf(end);
    const first = this.bucketOf(end - this.longestMs);
    const buckets: number[] = [];
    for (let bucket = first + bucketMs; bucket <= last; bucket += bucketMs) buckets.push(bucket);
    const read = this.redis.pipeline();
    for (const bucket of buckets) read.hgetall(this.key('b', bucket));
    const edges = lengths.map((ms) => this.bucketOf(end - ms));
    for (const edge of edges) read.smembers(this.key('ids', edge));
    const values = await run(read);
    const bucketCounts = buckets.map((_, i) => parseCounters(values[i] as Record<string, string>, bins));
    const edgeIds = edges.map((_, i) => values[buckets.length + i] as string[]);

    // The bucket each window's start cuts: its decisions one by one.
    const records = this.redis.pipeline();
    for (const ids of edgeIds) for (const id of ids) records.hmget(this.key('tx', id), 't', 'f', 's', 'cb');
    const recordValues = edgeIds.some((ids) => ids.length > 0) ? await run(records) : [];

    const out = new Map<number, WindowCounts>();
    let offset = 0;
    lengths.forEach((ms, w) => {
      const from = end - ms;
      const edge = edges[w]!;
      const total = emptyCounts(bins);
      buckets.forEach((bucket, i) => {
        if (bucket > edge) addCounts(total, bucketCounts[i]!);
      });
      for (const value of recordValues.slice(offset, offset + edgeIds[w]!.length)) {
        const [t, f, s, cb] = value as (string | null)[];
        if (t === null || t === undefined || Number(t) <= from) continue;
        countDecision(total, Number(s), f === '1', cb !== null && cb !== undefined);
      }
      offset += edgeIds[w]!.length;
      out.set(ms, total);
    });
    return out;
  }

  private bucketOf(time: number): number {
    return time - (time % this.options.bucketMs);
  }

  private key(...parts: (string | number)[]): string {
    return [this.options.namespace, ...parts].join(':');
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
