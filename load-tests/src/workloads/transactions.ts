import type { ConfigOf } from '@mlsys/config';
import type { Transaction } from '@mlsys/contracts';
import { formatId, param } from '../params.js';
import { normal, type Random, seededRandom } from './random.js';

/** `--param` settings shared by the fraud scenarios: who pays where. */
export const transactionParams = {
  cards: param.int({ description: 'distinct cards paying', default: 10_000, min: 1 }),
  cardPattern: param.idPattern({ description: 'card token template', default: 'c{n}' }),
  terminals: param.int({ description: 'distinct terminals', default: 5_000, min: 1 }),
  terminalPattern: param.idPattern({ description: 'terminal id template', default: 't{n}' }),
  ecomShare: param.number({
    description: 'share of card-not-present payments',
    default: 0.3,
    min: 0,
    max: 1,
  }),
  seed: param.int({ description: 'seed of the transaction mix', default: 1 }),
};

export type TransactionMixParams = ConfigOf<typeof transactionParams>;

/** Common merchant category codes (grocery, restaurants, misc retail, transit, electronics, department, fuel, hotels). */
const MERCHANT_CATEGORIES = ['5411', '5812', '5999', '4111', '5732', '5311', '5541', '7011'] as const;

function pick<T>(items: readonly T[], random: Random): T {
  return items[Math.floor(random() * items.length)] as T;
}

/**
 * Valid `Transaction` bodies in the spirit of the Fraud Detection Handbook's
 * simulator: each card has its own mean amount (5 to 100) with a spread of
 * half of it; card-not-present payments carry the card's usual device and an IP.
 * Ids start with the run id, so the decisions of this run can be told apart.
 */
export function transactionMix(
  params: TransactionMixParams,
  runId: string,
): (seq: number, eventTime: number) => Transaction {
  const random = seededRandom(params.seed);
  return (seq, eventTime) => {
    const card = Math.floor(random() * params.cards);
    // A fixed mean per card (from its number), as the simulator draws one per customer.
    const mean = 5 + ((card * 7919) % 96);
    const amount = Math.max(0.01, Math.round((mean + (mean / 2) * normal(random)) * 100) / 100);
    const transaction: Transaction = {
      transactionId: `${runId}-${seq}`,
      eventTime: Math.round(eventTime),
      cardId: formatId(params.cardPattern, card),
      terminalId: formatId(params.terminalPattern, Math.floor(random() * params.terminals)),
      amount,
      currency: 'EUR',
      channel: random() < params.ecomShare ? 'ecom' : 'pos',
      merchantCategory: pick(MERCHANT_CATEGORIES, random),
    };
    if (transaction.channel === 'ecom') {
      transaction.deviceId = `d${card}`;
      transaction.ip = `10.${(card >> 16) & 255}.${(card >> 8) & 255}.${card & 255}`;
    }
    return transaction;
  };
}
