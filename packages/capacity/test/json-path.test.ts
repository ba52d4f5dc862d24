import { PathError, valueAt } from '@mlsys/results';
import { describe, expect, it } from 'vitest';

const doc = {
  metrics: {
    rows: [
      { mode: 'sync', rate: 100, cpu: { 'txn-api': 3 } },
      { mode: 'floor', rate: 100, cpu: { floor: 1 } },
    ],
    sweep: [{ ef: 1.5, p99_ms: 9 }],
    phases: { 'owner.append': 2.5 },
  },
};

describe('valueAt (the docs check path syntax)', () => {
  it('when a selector names fields, then the one matching row is read, dashes in keys included', () => {
    expect(valueAt(doc, 'metrics.rows[mode=sync,rate=100].cpu.txn-api')).toBe(3);
  });

  it('when a selector value has a dot, then the path is not split there', () => {
    expect(valueAt(doc, 'metrics.sweep[ef=1.5].p99_ms')).toBe(9);
  });

  it('when a key holds a dot, then it is read quoted', () => {
    expect(valueAt(doc, 'metrics.phases."owner.append"')).toBe(2.5);
  });

  it('when a selector matches two rows or a key is absent, then a PathError says so', () => {
    expect(() => valueAt(doc, 'metrics.rows[rate=100].cpu')).toThrow(/matches 2 elements/);
    expect(() => valueAt(doc, 'metrics.nothing')).toThrow(PathError);
  });
});
