import type { Transaction } from '@mlsys/contracts';
import { uniqueName } from '@mlsys/testkit';
import { expect, it } from 'vitest';
import type { TransactionLedger } from '../src/domain/transaction-ledger.js';
import { validTransaction } from './fakes.js';

/**
 * What every `TransactionLedger` does, run against the in-memory fake (unit)
 * and the Redis adapter (integration), so the fake the handler tests use
 * cannot drift from the real thing. Each case takes its own transaction id.
 */
export function ledgerContract(ledger: () => TransactionLedger): void {
  const payment = (overrides: Partial<Transaction> = {}) =>
    validTransaction({ transactionId: uniqueName('tx'), ...overrides });

  it('when an id is admitted the first time, then it is new, and an identical copy before the produce settles is in flight', async () => {
    const transaction = payment();
    expect(await ledger().admit(transaction)).toBe('new');
    expect(await ledger().admit({ ...transaction })).toBe('in-flight');
  });

  it('when the produce is confirmed, then an identical copy is a repeat, however often it comes', async () => {
    const transaction = payment();
    await ledger().admit(transaction);
    await ledger().confirm(transaction);
    expect(await ledger().admit({ ...transaction })).toBe('repeat');
    expect(await ledger().admit({ ...transaction })).toBe('repeat');
  });

  it('when a copy differs in one field, then it conflicts, in flight and once produced', async () => {
    const transaction = payment();
    await ledger().admit(transaction);
    expect(await ledger().admit({ ...transaction, amount: transaction.amount + 1 })).toBe('conflict');
    await ledger().confirm(transaction);
    expect(await ledger().admit({ ...transaction, deviceId: 'another-device' })).toBe('conflict');
  });

  it('when the produce is released, then the same body is admitted as new again', async () => {
    const transaction = payment();
    await ledger().admit(transaction);
    await ledger().release(transaction);
    expect(await ledger().admit({ ...transaction })).toBe('new');
  });

  it('when a different body confirms or releases a held id, then the holder keeps it in flight', async () => {
    const transaction = payment();
    const other = { ...transaction, amount: transaction.amount + 1 };
    await ledger().admit(transaction);
    await ledger().release(other);
    await ledger().confirm(other);
    expect(await ledger().admit({ ...transaction })).toBe('in-flight');
  });

  it('when a produced id is released late, then it stays produced', async () => {
    const transaction = payment();
    await ledger().admit(transaction);
    await ledger().confirm(transaction);
    await ledger().release(transaction);
    expect(await ledger().admit({ ...transaction })).toBe('repeat');
  });

  it('when a confirm comes for an id nobody holds (its lease ran out), then the id is produced', async () => {
    const transaction = payment();
    await ledger().confirm(transaction);
    expect(await ledger().admit({ ...transaction })).toBe('repeat');
  });
}
