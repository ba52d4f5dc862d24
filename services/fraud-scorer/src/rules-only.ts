// The payment-level rules as a library: what `POST /v1/decisions/rules-only`
// runs, for txn-api to decide in-process when the pipeline misses the
// synchronous deadline, so its fallback never waits on (or dies with) this
// service. Same rules file, same compiled rule book, same decision shape.
import { fileURLToPath } from 'node:url';
import type { Decision, Transaction } from '@mlsys/contracts';
import { decideWithRulesOnly } from './domain/decide.js';
import type { RuleBook } from './domain/rules.js';
import { transactionLevelFeatures } from './domain/transaction-features.js';

export { RulesFile, type RulesFileEvents, readRuleBook } from './adapters/rules-file.js';
export type { RuleBook } from './domain/rules.js';

/** The rules file the scorer ships with (`services/fraud-scorer/rules/fraud-rules.json`). */
export const DEFAULT_RULES_FILE = fileURLToPath(new URL('../rules/fraud-rules.json', import.meta.url));

/** The decision from the rules that read nothing but the payment, flagged `mode: "rules-only"`. */
export function decideRulesOnly(book: RuleBook, transaction: Transaction, decidedAt: number): Decision {
  const fired = book.evaluateTransactionLevel(transaction, transactionLevelFeatures(transaction));
  return decideWithRulesOnly(transaction, fired, { rulesVersion: book.version, decidedAt });
}
