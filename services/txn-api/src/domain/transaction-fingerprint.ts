import { createHash } from 'node:crypto';
import { Transaction } from '@mlsys/contracts';

/** The schema's fields in sorted order: the keys of the canonical body, whatever order a caller sent. */
const CANONICAL_FIELDS = Object.keys(Transaction.properties).sort();

/**
 * SHA-256 (hex) of the transaction as canonical JSON: the Transaction
 * schema's fields with sorted keys, absent optional fields left out. Two
 * bodies that parse to the same payment get the same fingerprint however
 * their keys were ordered or their numbers spelled (`42.50` is `42.5`).
 */
export function transactionFingerprint(transaction: Transaction): string {
  return createHash('sha256').update(JSON.stringify(transaction, CANONICAL_FIELDS)).digest('hex');
}
