// The payments the fraud stream bench sends, and the open-loop generator that produces them to
// Kafka on schedule.
import type { Transaction } from '@mlsys/contracts';
import { fraud } from '@mlsys/datagen';
import { CompressionTypes, type Producer } from 'kafkajs';
import { DATA_PROFILE } from './settings.js';

/** Payments are sent every tick in one batch: the generator's own granularity. */
const TICK_MS = 2;
/** Produce requests the generator keeps open at once. */
const SENDS_IN_FLIGHT = 4;
/** Most payments in one produce request. */
const MAX_SEND_MESSAGES = 2000;

/** The simulation's payments in time order; their event times are replaced by due times when sent. */
export function simulatedPayments(count: number): Transaction[] {
  const payments: Transaction[] = [];
  for (const event of fraud.simulateFraud(fraud.fraudProfile(DATA_PROFILE))) {
    if (event.kind !== 'transaction') continue;
    payments.push(event.transaction);
    if (payments.length === count) break;
  }
  return payments;
}

/**
 * Open loop: payment i is due at t0 + i / rate and goes out with the first tick at or after
 * that, whatever happened to earlier ones; its event time is its due time. Up to
 * SENDS_IN_FLIGHT produce requests overlap, so a slow round trip delays the payments of
 * one request, not the schedule. Resolves with the send lag (ms after the due time) of every
 * 100th payment.
 */
export async function produceAtRate(
  producer: Producer,
  topic: string,
  payments: readonly Transaction[],
  ids: readonly string[],
  rate: number,
  t0: number,
): Promise<number[]> {
  const lags: number[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let next = 0;
  while (next < payments.length) {
    const now = Date.now();
    const messages = [];
    // Capped per request: a generator that fell behind (a stalled host) would otherwise send
    // seconds of payments at once, over the broker's 1 MiB per partition.
    while (
      next < payments.length &&
      messages.length < MAX_SEND_MESSAGES &&
      t0 + Math.floor((next * 1000) / rate) <= now
    ) {
      const due = t0 + Math.floor((next * 1000) / rate);
      const payment = { ...payments[next]!, transactionId: ids[next]!, eventTime: due };
      messages.push({ key: payment.cardId, value: JSON.stringify(payment), timestamp: String(due) });
      if (next % 100 === 0) lags.push(now - due);
      next += 1;
    }
    if (messages.length > 0) {
      const send = producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages });
      inFlight.add(send);
      const settled = () => inFlight.delete(send);
      // The failure itself surfaces through the race / all below.
      send.then(settled, settled);
      if (inFlight.size >= SENDS_IN_FLIGHT) await Promise.race(inFlight);
    } else {
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
  }
  await Promise.all(inFlight);
  return lags;
}
