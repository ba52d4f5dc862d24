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
  /** How long a chargeback may come after its payment (90 days): with the longest window, every key's TTL. */
  labelHorizonMs: number;
  /** Told what each batch's events did (new, or redelivered and ignored...), for the metrics. */
  onWritten?: (event: 'decision' | 'chargeback', outcome: WriteOutcome, count: number) => void;
}

/** A decision is `new` or a `duplicate`; a chargeback `labelled` its decision, is `waiting` for it, or is a `duplicate`. */
export type WriteOutcome = 'new' | 'duplicate' | 'labelled' | 'waiting';

const SECOND = 1_000;
const MINUTE = 60_000;
/** Bumped when the key layout changes: `open` refuses keys of another layout. */
const LAYOUT = '1';

/**
 * Counter updates shared by both scripts: `tally(key, bin, flagged, ...)`.
 * Counter fields: n decisions, fl flagged, fr charged back, tp flagged and
 * charged back; per score bin b: c<b> decisions, s<b> score sum, f<b> charged back.
 */
const TALLY = `
local function decided(key, bin, flagged, score, charged)
  redis.call('HINCRBY', key, 'n', 1)
  redis.call('HINCRBY', key, 'c' .. bin, 1)
  redis.call('HINCRBYFLOAT', key, 's' .. bin, score)
  if flagged then redis.call('HINCRBY', key, 'fl', 1) end
end
local function charged(key, bin, flagged)
  redis.call('HINCRBY', key, 'fr', 1)
  redis.call('HINCRBY', key, 'f' .. bin, 1)
  if flagged then redis.call('HINCRBY', key, 'tp', 1) end
end
`;

/**
 * One decision, atomically: its record in its second's hash (created once:
 * a redelivered decision finds it and changes nothing) and the counters of
 * its minute and its second, with the label when its chargeback was read
 * first (the record is then the mark `cb`). KEYS: records of the second,
 * counters of the minute, counters of the second. ARGV: transaction id,
 * event time, flagged (0/1), score bin, score.
 */
const ADD_DECISION = `${TALLY}
local previous = redis.call('HGET', KEYS[1], ARGV[1])
if previous and previous ~= 'cb' then return 0 end
local flagged = ARGV[3] == '1'
local label = previous == 'cb'
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[3] .. '|' .. ARGV[4] .. '|' .. ARGV[5] .. '|' .. (label and '1' or '0'))
for k = 2, 3 do
  decided(KEYS[k], ARGV[4], flagged, ARGV[5])
  if label then charged(KEYS[k], ARGV[4], flagged) end
end
return 1
`;

/**
 * One chargeback, atomically: marks its decision's record as charged back
 * and counts the label in the decision's minute and second (once: a
 * redelivered chargeback finds the mark and changes nothing); with no
 * decision yet, leaves the mark `cb` for it. KEYS: as for a decision, of the
 * chargeback's event time (the transaction's, as the decision's). ARGV:
 * transaction id. Returns 0 (already counted), 1 (waiting for its decision),
 * 2 (counted).
 */
const ADD_CHARGEBACK = `${TALLY}
local previous = redis.call('HGET', KEYS[1], ARGV[1])
if previous == 'cb' then return 0 end
if not previous then
  redis.call('HSET', KEYS[1], ARGV[1], 'cb')
  return 1
end
local t, f, bin, score, label = string.match(previous, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
if label == '1' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], t .. '|' .. f .. '|' .. bin .. '|' .. score .. '|1')
for k = 2, 3 do charged(KEYS[k], bin, f == '1') end
return 2
`;

/** The stream time only moves forward (a replay of older decisions leaves it). KEYS: stream. ARGV: time. */
const ADVANCE_STREAM_TIME = `
local now = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) > now then redis.call('SET', KEYS[1], ARGV[1]) return 1 end
return 0
`;

interface Scripted {
  fmAddDecision(...args: (string | number)[]): unknown;
  fmAddChargeback(...args: (string | number)[]): unknown;
  fmAdvanceStreamTime(...args: (string | number)[]): unknown;
  pexpire(key: string, ms: number): unknown;
  exec(): Promise<[Error | null, unknown][] | null>;
}

/** Results of a pipeline, throwing the first command error (the batch is then replayed, not committed). */
async function run(pipeline: { exec(): Promise<[Error | null, unknown][] | null> }): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  for (const [error] of results) if (error) throw error;
  return results.map(([, value]) => value);
}

const floorTo = (time: number, width: number) => time - (time % width);

/**
 * The labelled-decision join in Redis (layout in the README, State): per
 * second of decision event time, a hash of the decisions' records by
 * transaction id; counters per minute and per second, updated in the same
 * script as the record, so a replay counts once. A window's report sums the
 * counters of the whole minutes inside it, then the whole seconds of the
 * minute its start cuts, then the records of the second its start cuts:
 * windows are exact to the millisecond, as `LabelledDecisions`' are, and a
 * report reads at most 10,080 + 61 hashes per window length for 7 days.
 * A chargeback finds its decision by its event time (the transaction's,
 * which the decision carries too) and transaction id.
 * Single-node Redis: the scripts touch keys of several hash slots.
 */
export class RedisLabelStore implements LabelStore {
  private readonly redis: RedisClient;
  private readonly ttlMs: number;
  private readonly longestMs: number;

  constructor(private readonly options: RedisLabelStoreOptions) {
    const { redis, windows } = options;
    redis.defineCommand('fmAddDecision', { numberOfKeys: 3, lua: ADD_DECISION });
    redis.defineCommand('fmAddChargeback', { numberOfKeys: 3, lua: ADD_CHARGEBACK });
    redis.defineCommand('fmAdvanceStreamTime', { numberOfKeys: 1, lua: ADVANCE_STREAM_TIME });
    this.redis = redis;
    this.longestMs = Math.max(...windows.quality.map((w) => w.ms), windows.calibration.ms);
    this.ttlMs = options.labelHorizonMs + this.longestMs;
  }

  /** Checks the stored keys were written in this layout with these score bins (counters cannot be mixed). */
  async open(): Promise<void> {
    const key = this.key('meta');
    const want = { layout: LAYOUT, bins: String(this.options.windows.calibrationBins) };
    await this.redis.hsetnx(key, 'layout', want.layout);
    await this.redis.hsetnx(key, 'bins', want.bins);
    const [layout, bins] = await this.redis.hmget(key, 'layout', 'bins');
    if (layout !== want.layout || bins !== want.bins) {
      throw new Error(
        `the Redis keys under "${this.options.namespace}:" hold layout ${layout} with ${bins} calibration bins, ` +
          `this build writes layout ${want.layout} with ${want.bins}: set CALIBRATION_BINS=${bins} ` +
          'or start a new join under another LABELS_NAMESPACE',
      );
    }
  }

  async addDecisions(decisions: readonly Decision[]): Promise<void> {
    if (decisions.length === 0) return;
    const bins = this.options.windows.calibrationBins;
    const pipeline = this.scripted();
    const touched = new Set<string>();
    let latest = -1;
    for (const d of decisions) {
      const keys = this.keysAt(d.eventTime);
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
    pipeline.fmAdvanceStreamTime(this.key('stream'), latest);
    const results = await run(pipeline);
    this.tell('decision', results.slice(0, decisions.length), ['duplicate', 'new']);
  }

  async addChargebacks(chargebacks: readonly Chargeback[]): Promise<void> {
    if (chargebacks.length === 0) return;
    const pipeline = this.scripted();
    const touched = new Set<string>();
    for (const c of chargebacks) {
      const keys = this.keysAt(c.eventTime);
      for (const key of keys) touched.add(key);
      pipeline.fmAddChargeback(...keys, c.transactionId);
    }
    this.expire(pipeline, touched);
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
   * Every hash is read once, in one pipeline, and all windows are summed from
   * that read: while decisions flow, a shorter window never counts one a
   * longer window missed.
   */
  private async windowCounts(end: number): Promise<Map<number, WindowCounts>> {
    const bins = this.options.windows.calibrationBins;
    const lengths = [
      ...new Set([...this.options.windows.quality, this.options.windows.calibration].map((w) => w.ms)),
    ];
    const read = this.redis.pipeline() as unknown as {
      hgetall(key: string): unknown;
      exec(): Promise<[Error | null, unknown][] | null>;
    };
    let reads = 0;
    const readHash = (key: string) => {
      read.hgetall(key);
      return reads++;
    };
    // Whole minutes of the longest window, shared by all windows.
    const minutes: { start: number; at: number }[] = [];
    for (let m = floorTo(end - this.longestMs, MINUTE) + MINUTE; m <= end; m += MINUTE) {
      minutes.push({ start: m, at: readHash(this.key('m', m)) });
    }
    // Per window: the whole seconds of the minute its start cuts, and the records of the second it cuts.
    const plans = lengths.map((ms) => {
      const from = end - ms;
      const cutMinute = floorTo(from, MINUTE);
      const cutSecond = floorTo(from, SECOND);
      const seconds: number[] = [];
      for (let s = cutSecond + SECOND; s < cutMinute + MINUTE && s <= end; s += SECOND) {
        seconds.push(readHash(this.key('s', s)));
      }
      return { ms, from, cutMinute, seconds, records: readHash(this.key('r', cutSecond)) };
    });
    const values = await run(read);

    const out = new Map<number, WindowCounts>();
    for (const plan of plans) {
      const total = emptyCounts(bins);
      for (const minute of minutes) {
        if (minute.start > plan.cutMinute) addCounts(total, parseCounters(values[minute.at], bins));
      }
      for (const at of plan.seconds) addCounts(total, parseCounters(values[at], bins));
      for (const record of Object.values(values[plan.records] as Record<string, string>)) {
        if (record === 'cb') continue;
        const [t, flagged, , score, label] = record.split('|');
        if (Number(t) > plan.from) countDecision(total, Number(score), flagged === '1', label === '1');
      }
      out.set(plan.ms, total);
    }
    return out;
  }

  /** A pipeline with the scripts defined in the constructor (ioredis adds them at run time). */
  private scripted(): Scripted {
    return this.redis.pipeline() as unknown as Scripted;
  }

  /** TTLs once per key per batch rather than per event: a batch touches a few seconds and minutes. */
  private expire(pipeline: Scripted, keys: Set<string>): void {
    for (const key of keys) pipeline.pexpire(key, this.ttlMs);
  }

  /** Records of the second, counters of the minute, counters of the second. */
  private keysAt(time: number): [string, string, string] {
    const second = floorTo(time, SECOND);
    return [this.key('r', second), this.key('m', floorTo(time, MINUTE)), this.key('s', second)];
  }

  private key(...parts: (string | number)[]): string {
    return [this.options.namespace, ...parts].join(':');
  }
}

function parseCounters(value: unknown, bins: number): WindowCounts {
  const fields = value as Record<string, string>;
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
