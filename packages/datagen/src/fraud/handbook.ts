import { Random } from '../random.js';
import { type PaymentDraft, roundAmount } from './draft.js';
import { WORLD } from './profiles.js';
import { countOnDay, normal, poisson, sampleIndexes, uniform } from './sampling.js';
import type { Customer, World } from './world.js';

const DAY_SECONDS = 86_400;

/**
 * The Handbook's payments and its three fraud scenarios, one day at a time:
 * 1. any amount over 220 is fraud;
 * 2. each day some terminals are compromised: all their payments of that day
 *    and the next 27 are fraud;
 * 3. each day some customers are compromised: for that day and the next 13,
 *    a third of their payments are fraud with the amount multiplied by 5.
 * The Handbook draws a third of a compromised customer's payments over the
 * whole period; here each one is fraud with probability 1/3, which streams.
 */
export class HandbookDays {
  /** Index -> first day on which it is no longer compromised. */
  private readonly compromisedTerminals = new Map<number, number>();
  private readonly compromisedCustomers = new Map<number, number>();
  private readonly paymentRandoms: Random[];
  private readonly scenarioRandom: Random;
  private readonly terminalsPerDay: number;
  private readonly customersPerDay: number;

  constructor(private readonly world: World) {
    const { seed, customers, terminals } = world.profile;
    this.paymentRandoms = world.customers.map((c) => Random.derive(seed, `payments-${c.index}`));
    this.scenarioRandom = Random.derive(seed, 'compromised-customer-payments');
    this.terminalsPerDay = (WORLD.compromisedTerminalsPerDay * terminals) / WORLD.handbookTerminals;
    this.customersPerDay = (WORLD.compromisedCustomersPerDay * customers) / WORLD.handbookCustomers;
  }

  /** Draws the day's new compromises (pandas `sample(n, random_state=day)` in the Handbook). */
  startDay(day: number): void {
    const random = Random.derive(this.world.profile.seed, `compromise-day-${day}`);
    for (const t of sampleIndexes(
      random,
      this.world.terminals.length,
      countOnDay(this.terminalsPerDay, day),
    )) {
      this.compromisedTerminals.set(
        t,
        Math.max(this.compromisedTerminals.get(t) ?? 0, day + WORLD.compromisedTerminalDays),
      );
    }
    for (const c of sampleIndexes(
      random,
      this.world.customers.length,
      countOnDay(this.customersPerDay, day),
    )) {
      this.compromisedCustomers.set(
        c,
        Math.max(this.compromisedCustomers.get(c) ?? 0, day + WORLD.compromisedCustomerDays),
      );
    }
  }

  /** The customer's payments of the day, labelled, in drawing order. */
  paymentsOf(customer: Customer, day: number): PaymentDraft[] {
    const random = this.paymentRandoms[customer.index]!;
    const drafts: PaymentDraft[] = [];
    const count = poisson(random, customer.meanTxPerDay);
    for (let k = 0; k < count; k++) {
      const second = Math.trunc(normal(random, DAY_SECONDS / 2, WORLD.timeOfDayStd));
      if (second <= 0 || second >= DAY_SECONDS) continue;
      let amount = normal(random, customer.meanAmount, customer.stdAmount);
      if (amount < 0) amount = uniform(random, 0, customer.meanAmount * 2);
      if (customer.availableTerminals.length === 0) continue;
      const terminalIndex = customer.availableTerminals[random.int(customer.availableTerminals.length)]!;
      drafts.push({
        time: this.world.startTime + (day * DAY_SECONDS + second) * 1000,
        customer,
        terminal: this.world.terminals[terminalIndex]!,
        amount: roundAmount(amount),
        scenario: null,
      });
      this.label(drafts[drafts.length - 1]!, terminalIndex, day);
    }
    return drafts;
  }

  /** Applies the scenarios in the Handbook's order, a later one overriding an earlier label. */
  private label(draft: PaymentDraft, terminalIndex: number, day: number): void {
    if (draft.amount > WORLD.fraudAmountThreshold) draft.scenario = 'high-amount';
    if ((this.compromisedTerminals.get(terminalIndex) ?? 0) > day) draft.scenario = 'compromised-terminal';
    if (
      (this.compromisedCustomers.get(draft.customer.index) ?? 0) > day &&
      this.scenarioRandom.float() < WORLD.compromisedCustomerFraudShare
    ) {
      draft.amount = roundAmount(draft.amount * WORLD.compromisedCustomerAmountFactor);
      draft.scenario = 'compromised-card';
    }
  }
}
