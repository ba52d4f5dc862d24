import type { Chargeback, Transaction } from '@mlsys/contracts';
import { CHARGEBACK_DELAY } from './chargebacks.js';
import type { FraudLabel } from './labels.js';
import type { FraudProfile } from './profiles.js';
import { simulateFraud } from './simulate.js';

const DAY_MS = 86_400_000;

export interface FraudStreamOptions {
  profile: FraudProfile;
  /** Wall-clock time (ms) at which the first payment is due. */
  startAt: number;
  /** Payments per second: payment i is due at `startAt + i * 1000 / ratePerSecond`. */
  ratePerSecond: number;
  /** Prepended to transaction ids so that runs against the same broker never share an id. */
  idPrefix?: string;
}

/** `at` is when the event is due on the wall clock; the payload's times are on that same clock. */
export type FraudStreamEvent =
  | { kind: 'transaction'; at: number; transaction: Transaction; label: FraudLabel }
  | { kind: 'chargeback'; at: number; chargeback: Chargeback };

/**
 * The simulation as a live feed for load tests and the pipeline benchmark:
 * payments at an exact rate from `startAt`, their event time set to when
 * they are due, so "decision time - event time" is a latency. Chargebacks
 * keep their place in the sequence (after the payments simulated before
 * their report time) and are due with the payment that follows them, so the
 * labels' delay is compressed with the rest of simulated time. Chargebacks
 * reported after the last payment come last. The caller paces the sending;
 * this only says when each event is due.
 */
export function* streamFraudEvents(options: FraudStreamOptions): Generator<FraudStreamEvent> {
  const { startAt, ratePerSecond, idPrefix = '' } = options;
  if (!(ratePerSecond > 0)) throw new Error(`ratePerSecond must be > 0, got ${ratePerSecond}`);
  // Frauds awaiting their chargeback: simulated id -> [simulated time, stream time], insertion (= time) order.
  const frauds = new Map<string, [number, number]>();
  const forgetAfter = CHARGEBACK_DELAY.maxDays * DAY_MS;
  let sent = 0;
  const dueAt = (index: number) => startAt + Math.floor((index * 1_000) / ratePerSecond);

  for (const event of simulateFraud(options.profile)) {
    if (event.kind === 'chargeback') {
      const original = event.chargeback;
      const fraud = frauds.get(original.transactionId);
      if (!fraud) continue;
      frauds.delete(original.transactionId);
      const at = dueAt(sent);
      yield {
        kind: 'chargeback',
        at,
        chargeback: {
          ...original,
          transactionId: idPrefix + original.transactionId,
          eventTime: fraud[1],
          reportedAt: at,
        },
      };
      continue;
    }
    const at = dueAt(sent);
    sent += 1;
    const simulatedTime = event.transaction.eventTime;
    if (event.label.isFraud) frauds.set(event.transaction.transactionId, [simulatedTime, at]);
    forgetUnreported(frauds, simulatedTime - forgetAfter);
    yield {
      kind: 'transaction',
      at,
      transaction: {
        ...event.transaction,
        transactionId: idPrefix + event.transaction.transactionId,
        eventTime: at,
      },
      label: event.label,
    };
  }
}

/** Frauds older than the longest reporting delay will never be charged back: stop remembering them. */
function forgetUnreported(frauds: Map<string, [number, number]>, cutoff: number): void {
  for (const [id, [simulatedTime]] of frauds) {
    if (simulatedTime >= cutoff) return;
    frauds.delete(id);
  }
}
