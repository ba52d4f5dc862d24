import type { Transaction } from '@mlsys/contracts';

/** Cards the made-up payments are spread over: each pays several times, so the windows have history. */
const CARDS = 4;
const HOUR_MS = 3_600_000;

/**
 * A made-up payment for a service's warm-up before ready (the fraud services share it): its id and
 * card say so, its times reach back over the last 40 hours so the windows fill, and the warm-ups
 * never admit, produce or store it.
 */
export function warmUpPayment(i: number, nowMs: number, terminalId = 'warm-up-terminal'): Transaction {
  return {
    transactionId: `warm-up-${i}`,
    eventTime: nowMs - Math.max(0, 40 - i) * HOUR_MS,
    cardId: `warm-up-card-${i % CARDS}`,
    terminalId,
    amount: 5 + ((i * 37) % 500),
    currency: 'EUR',
    channel: i % 2 === 0 ? 'pos' : 'ecom',
    merchantCategory: '5411',
    deviceId: `warm-up-device-${i % 3}`,
    ip: `192.0.2.${i % 7}`,
  };
}
