import type { Decision, Transaction } from '@mlsys/contracts';
import { decideRulesOnly, type RulesFile } from '@mlsys/fraud-scorer/rules-only';
import type { RulesOnlyDecider } from '../domain/ports.js';

/**
 * The rules-only fallback, decided here: the scorer's payment-level rules,
 * from the same rules file (reloaded when it changes) and the same code
 * (`@mlsys/fraud-scorer/rules-only`). Deciding in-process takes
 * microseconds, and the fallback keeps working while the scorer, the feature
 * engine or Kafka is down: the case it exists for. Asking the scorer over HTTP
 * instead held every payment for review for the ~9 s a killed scorer took to
 * come back (`npm run load -- fraud-availability --kill fraud-scorer`).
 */
export class LocalRulesOnlyDecider implements RulesOnlyDecider {
  constructor(
    private readonly rules: Pick<RulesFile, 'current'>,
    private readonly clock: () => number = Date.now,
  ) {}

  async decide(transaction: Transaction): Promise<Decision> {
    return decideRulesOnly(this.rules.current, transaction, this.clock());
  }
}
