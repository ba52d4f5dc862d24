import { describe, expect, it } from 'vitest';
import { fitCpu } from '../src/cpu-fit.js';
import { measured, notMeasured } from '../src/figure.js';

const point = (rate: number, cores: number) => ({
  rate: measured(rate, 'req/s', `x.json#rows[rate=${rate}].rate`),
  cores: measured(cores, 'cores', `x.json#rows[rate=${rate}].cores`),
});

describe('fitCpu', () => {
  it('when the cores used grow on a line, then the slope is the marginal ms and the intercept the fixed cores', () => {
    const cost = fitCpu([{ label: 'line', points: [100, 200, 300].map((r) => point(r, 0.3 + r * 0.002)) }]);
    expect(cost.marginalMs.value).toBeCloseTo(2, 9);
    expect(cost.fixedCores.value).toBeCloseTo(0.3, 9);
    expect(cost.marginalMs.source.kind).toBe('model');
  });

  it('when the first series does not rise, then the next one is fitted', () => {
    const cost = fitCpu([
      { label: 'flat', points: [point(100, 0.2), point(200, 0.19)] },
      { label: 'rising', points: [point(1000, 0.5), point(2000, 0.6)] },
    ]);
    expect(cost.marginalMs.value).toBeCloseTo(0.1, 9);
    expect(cost.marginalMs.source.kind === 'model' && cost.marginalMs.source.formula).toContain('rising');
  });

  it("when no series rises, then the first one's average at its top rate is used, with no fixed part", () => {
    const cost = fitCpu([{ label: 'flat', points: [point(100, 0.2), point(200, 0.19)] }]);
    expect(cost.marginalMs.value).toBeCloseTo(0.95, 9);
    expect(cost.fixedCores.value).toBe(0);
  });

  it('when no row has figures, then both parts are not measured', () => {
    const cost = fitCpu([
      {
        label: 'empty',
        points: [{ rate: notMeasured('req/s', 'gone'), cores: notMeasured('cores', 'gone') }],
      },
    ]);
    expect(cost.marginalMs.value).toBeNull();
    expect(cost.fixedCores.source.kind).toBe('not measured');
  });
});
