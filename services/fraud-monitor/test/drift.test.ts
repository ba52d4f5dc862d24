import { type FraudReference, populationStabilityIndex, referenceBin } from '@mlsys/fraud-core';
import { describe, expect, it } from 'vitest';
import { DriftMonitor } from '../src/domain/drift.js';

/** Two features whose training distribution is uniform over [0, 100) in ten bins. */
const reference: FraudReference = {
  formatVersion: 1,
  features: ['amount', 'card_nb_tx_1h'].map((name) => ({
    name,
    edges: [10, 20, 30, 40, 50, 60, 70, 80, 90],
    proportions: new Array(10).fill(0.1),
  })),
};
const options = { sampleSize: 500, threshold: 0.2, minSample: 100 };
const uniform = (i: number) => (i * 37) % 100;

describe('DriftMonitor', () => {
  it('when inputs follow the training distribution, then no feature alarms', () => {
    const drift = new DriftMonitor(reference, ['amount', 'card_nb_tx_1h'], options);
    for (let i = 0; i < 1_000; i++) drift.add([uniform(i), uniform(i + 3)]);

    expect(drift.report().every((f) => !f.alarm && f.psi < 0.05)).toBe(true);
  });

  it('when amounts shift upwards, then the amount feature alarms and the other does not', () => {
    const drift = new DriftMonitor(reference, ['amount', 'card_nb_tx_1h'], options);
    for (let i = 0; i < 500; i++) drift.add([uniform(i), uniform(i)]);
    for (let i = 0; i < 500; i++) drift.add([uniform(i) * 3, uniform(i)]);

    const report = drift.report();
    expect(report.find((f) => f.feature === 'amount')).toMatchObject({ alarm: true });
    expect(report.find((f) => f.feature === 'card_nb_tx_1h')).toMatchObject({ alarm: false });
  });

  it('when the sample slides, then its PSI equals one computed from scratch over the latest transactions', () => {
    const drift = new DriftMonitor(reference, ['amount', 'card_nb_tx_1h'], options);
    const values = Array.from({ length: 1_234 }, (_, i) => (i < 900 ? uniform(i) : 95));
    for (const v of values) drift.add([v, v]);
    const latest = values.slice(-options.sampleSize);
    const counts = new Array(10).fill(0);
    for (const v of latest) counts[referenceBin(reference.features[0]!.edges, v)] += 1;

    expect(drift.sample).toBe(options.sampleSize);
    expect(drift.report()[0]!.psi).toBeCloseTo(
      populationStabilityIndex(reference.features[0]!.proportions, counts),
      12,
    );
  });

  it('when the sample is still small, then even a large PSI does not alarm', () => {
    const drift = new DriftMonitor(reference, ['amount', 'card_nb_tx_1h'], options);
    for (let i = 0; i < 50; i++) drift.add([99, 99]);

    expect(drift.report()[0]!.psi).toBeGreaterThan(1);
    expect(drift.report()[0]!.alarm).toBe(false);
  });
});
