import type { Random } from '../random.js';

/**
 * Merchant category codes (ISO 18245) for the simulated terminals, with the
 * share of terminals of each channel that carry them. Web merchants lean to
 * digital goods, electronics and cash-like services: the places card testers
 * and account takers go.
 */
const POS_CATEGORIES: readonly [code: string, weight: number][] = [
  ['5411', 25], // grocery
  ['5814', 12], // fast food
  ['5812', 20], // restaurants
  ['5541', 10], // fuel
  ['5912', 8], // pharmacy
  ['5691', 8], // clothing
  ['5311', 7], // department stores
  ['4111', 4], // local transport
  ['5732', 3], // electronics
  ['7011', 2], // hotels
  ['5944', 1], // jewellery
];

const ECOM_CATEGORIES: readonly [code: string, weight: number][] = [
  ['5999', 20], // miscellaneous retail
  ['5691', 15], // clothing
  ['5732', 12], // electronics
  ['5942', 10], // books
  ['5816', 8], // digital games
  ['4814', 8], // telecom top-ups
  ['4722', 6], // travel
  ['7995', 5], // gambling
  ['8398', 5], // donations
  ['4829', 4], // money transfer
  ['5967', 4], // direct marketing
  ['6051', 3], // crypto, quasi-cash
];

/** Where card testers try a stolen card: cheap, instant, rarely checked purchases. */
export const CARD_TESTING_CATEGORIES: ReadonlySet<string> = new Set(['5816', '4814', '8398', '5999']);
/** Where a tested or taken-over card is cashed out: goods and services that resell. */
export const CASH_OUT_CATEGORIES: ReadonlySet<string> = new Set(['5732', '4829', '6051', '7995', '5967']);

export function drawMerchantCategory(random: Random, channel: 'pos' | 'ecom'): string {
  const categories = channel === 'pos' ? POS_CATEGORIES : ECOM_CATEGORIES;
  return categories[random.weighted(categories.map(([, weight]) => weight))]![0];
}
