import type { FraudScenario } from './labels.js';
import type { Customer, Terminal } from './world.js';

/** A payment being simulated, before it gets its id: legit ones and injected attacks alike. */
export interface PaymentDraft {
  /** ms since the Unix epoch. */
  time: number;
  customer: Customer;
  terminal: Terminal;
  amount: number;
  deviceId?: string;
  ip?: string;
  scenario: FraudScenario | null;
}

/** Amounts in cents precision, and never zero: the Transaction contract requires amount > 0. */
export const roundAmount = (amount: number): number => Math.max(0.01, Math.round(amount * 100) / 100);
