import { describe } from 'vitest';
import { MemoryTransactionLedger } from './fakes.js';
import { ledgerContract } from './ledger-contract.js';

describe('the in-memory transaction ledger the handler tests use', () => {
  const ledger = new MemoryTransactionLedger();
  ledgerContract(() => ledger);
});
