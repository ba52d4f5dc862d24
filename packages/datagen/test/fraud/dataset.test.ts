import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FRAUD_DATA_FILES,
  FRAUD_PROFILES,
  readFraudEvents,
  readLabelledTransactions,
  simulateFraud,
  writeFraudDataset,
} from '../../src/fraud/index.js';

const tiny = FRAUD_PROFILES.tiny;

describe('fraud dataset files', () => {
  it('when written and read back, then the merged file events equal the simulated stream, event for event', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fraud-data-'));
    const days: number[] = [];
    const summary = writeFraudDataset(dir, tiny, (day) => days.push(day));

    const fromFiles = [...readFraudEvents(dir)];
    expect(fromFiles).toEqual([...simulateFraud(tiny)]);
    expect(fromFiles.filter((e) => e.kind === 'transaction')).toHaveLength(summary.transactions);
    expect(fromFiles.filter((e) => e.kind === 'chargeback')).toHaveLength(summary.chargebacks);
    expect(days).toEqual(Array.from({ length: tiny.days }, (_, day) => day));
    const terminals = readFileSync(join(dir, FRAUD_DATA_FILES.terminals), 'utf8').trim().split('\n');
    expect(terminals).toHaveLength(tiny.terminals + 1);
    expect(terminals[0]).toBe('terminalId,x,y,channel,merchantCategory');
  });

  it('when a file has another header, then reading it fails and says to regenerate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fraud-data-'));
    writeFileSync(join(dir, FRAUD_DATA_FILES.transactions), 'id,time\n1,2\n');
    expect(() => [...readLabelledTransactions(dir)]).toThrow(
      /unexpected header "id,time".*regenerate the dataset/,
    );
  });
});
