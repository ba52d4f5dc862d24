import { Random } from '../random.js';
import { CARD_TESTING_CATEGORIES, CASH_OUT_CATEGORIES, drawMerchantCategory } from './merchants.js';
import type { FraudProfile } from './profiles.js';
import { WORLD } from './profiles.js';
import { randomDeviceId, randomIp, uniform } from './sampling.js';

export interface Terminal {
  id: string;
  x: number;
  y: number;
  channel: 'pos' | 'ecom';
  merchantCategory: string;
}

/** A Handbook customer profile (one card) plus its card-not-present identity. */
export interface Customer {
  id: string;
  index: number;
  x: number;
  y: number;
  meanAmount: number;
  stdAmount: number;
  meanTxPerDay: number;
  /** Indexes of the terminals within the Handbook radius of home. */
  availableTerminals: Int32Array;
  /** The cardholder's own devices; the first is the one used most. */
  devices: string[];
  homeIp: string;
}

export interface World {
  profile: FraudProfile;
  customers: Customer[];
  terminals: Terminal[];
  /** Web merchants by the use fraudsters make of them (every web merchant when a world has none of a kind). */
  ecomTerminals: { cardTesting: number[]; cashOut: number[]; all: number[] };
  /** Mobile carriers' shared (CGNAT) addresses: many honest cards behind one IP, so IP features are not trivial. */
  carrierIps: string[];
  /** Midnight UTC of day 0, in ms. */
  startTime: number;
}

const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;
const pad = (n: number) => String(n).padStart(5, '0');

/** Builds the Handbook's customer and terminal tables for a profile, deterministically from its seed. */
export function buildWorld(profile: FraudProfile): World {
  const terminals = buildTerminals(profile);
  const customers = buildCustomers(profile, terminals);
  const ecomAll = terminals.flatMap((t, i) => (t.channel === 'ecom' ? [i] : []));
  const withCategory = (categories: ReadonlySet<string>) => {
    const matching = ecomAll.filter((i) => categories.has(terminals[i]!.merchantCategory));
    return matching.length > 0 ? matching : ecomAll;
  };
  const ipRandom = Random.derive(profile.seed, 'carrier-ips');
  const carrierIps = Array.from({ length: Math.max(20, Math.round(profile.customers / 25)) }, () =>
    randomIp(ipRandom),
  );
  return {
    profile,
    customers,
    terminals,
    ecomTerminals: {
      cardTesting: withCategory(CARD_TESTING_CATEGORIES),
      cashOut: withCategory(CASH_OUT_CATEGORIES),
      all: ecomAll,
    },
    carrierIps,
    startTime: Date.parse(`${profile.startDate}T00:00:00Z`),
  };
}

function buildTerminals(profile: FraudProfile): Terminal[] {
  const random = Random.derive(profile.seed, 'terminals');
  return Array.from({ length: profile.terminals }, (_, i) => {
    const x = round(uniform(random, 0, WORLD.gridSize), 4);
    const y = round(uniform(random, 0, WORLD.gridSize), 4);
    const channel = random.float() < WORLD.ecomTerminalShare ? 'ecom' : 'pos';
    return { id: `term-${pad(i)}`, x, y, channel, merchantCategory: drawMerchantCategory(random, channel) };
  });
}

function buildCustomers(profile: FraudProfile, terminals: readonly Terminal[]): Customer[] {
  const random = Random.derive(profile.seed, 'customers');
  const identity = Random.derive(profile.seed, 'customer-devices');
  const xs = Float64Array.from(terminals, (t) => t.x);
  const ys = Float64Array.from(terminals, (t) => t.y);
  return Array.from({ length: profile.customers }, (_, index) => {
    const x = round(uniform(random, 0, WORLD.gridSize), 4);
    const y = round(uniform(random, 0, WORLD.gridSize), 4);
    const meanAmount = uniform(random, 5, 100);
    const meanTxPerDay = uniform(random, 0, 4);
    const available: number[] = [];
    const r2 = WORLD.terminalRadius ** 2;
    for (let t = 0; t < xs.length; t++) {
      const dx = xs[t]! - x;
      const dy = ys[t]! - y;
      if (dx * dx + dy * dy < r2) available.push(t);
    }
    const devices = [randomDeviceId(identity)];
    if (identity.float() < 0.5) devices.push(randomDeviceId(identity));
    return {
      id: `card-${pad(index)}`,
      index,
      x,
      y,
      meanAmount,
      stdAmount: meanAmount / 2,
      meanTxPerDay,
      availableTerminals: Int32Array.from(available),
      devices,
      homeIp: randomIp(identity),
    };
  });
}
