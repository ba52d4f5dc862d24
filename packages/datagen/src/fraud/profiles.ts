/**
 * Sizes and rates of a simulated world. `default` is the Fraud Detection
 * Handbook's dataset (5,000 customers, 10,000 terminals, 183 days from
 * 2018-04-01); `handbook` is the same world without the card-not-present
 * fraud patterns, so its fraud is exactly the Handbook's three scenarios and
 * its figures compare with the Handbook's published table; `tiny` is for tests.
 *
 * Per-day fraud counts are given for the Handbook's population and scaled
 * with it, so a smaller world keeps the same fraud share.
 */
export interface FraudProfile {
  name: string;
  seed: number;
  customers: number;
  terminals: number;
  days: number;
  /** First simulated day, UTC. */
  startDate: string;
  /** Card-not-present attack patterns (card testing, account takeover) on or off. */
  cnpFraud: boolean;
}

export const FRAUD_PROFILES = {
  tiny: {
    name: 'tiny',
    seed: 7,
    customers: 300,
    terminals: 600,
    days: 35,
    startDate: '2018-04-01',
    cnpFraud: true,
  },
  default: {
    name: 'default',
    seed: 1,
    customers: 5_000,
    terminals: 10_000,
    days: 183,
    startDate: '2018-04-01',
    cnpFraud: true,
  },
  handbook: {
    name: 'handbook',
    seed: 1,
    customers: 5_000,
    terminals: 10_000,
    days: 183,
    startDate: '2018-04-01',
    cnpFraud: false,
  },
} as const satisfies Record<string, FraudProfile>;

export type FraudProfileName = keyof typeof FRAUD_PROFILES;

export function fraudProfile(name: string): FraudProfile {
  const profile = (FRAUD_PROFILES as Record<string, FraudProfile>)[name];
  if (!profile)
    throw new Error(`unknown fraud profile "${name}": use one of ${Object.keys(FRAUD_PROFILES).join(', ')}`);
  return profile;
}

/** The Handbook's constants and this simulator's card-not-present rates, for the Handbook's population. */
export const WORLD = {
  gridSize: 100,
  /** A customer uses the terminals within this distance of home. */
  terminalRadius: 5,
  /** Seconds: payment times ~ N(noon, 20,000 s), times outside the day dropped. */
  timeOfDayStd: 20_000,
  fraudAmountThreshold: 220,
  compromisedTerminalsPerDay: 2,
  compromisedTerminalDays: 28,
  compromisedCustomersPerDay: 3,
  compromisedCustomerDays: 14,
  /** Share of a compromised customer's payments that become fraud (amount x5). */
  compromisedCustomerFraudShare: 1 / 3,
  compromisedCustomerAmountFactor: 5,
  handbookCustomers: 5_000,
  handbookTerminals: 10_000,
  /** Card-not-present world: the share of terminals that are web merchants. */
  ecomTerminalShare: 0.2,
  cardTestingAttacksPerDay: 2,
  accountTakeoversPerDay: 2,
} as const;
