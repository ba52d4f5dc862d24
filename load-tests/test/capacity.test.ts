import { describe, expect, it } from 'vitest';
import { checkPlan, findCapacity, nextRate } from '../src/capacity.js';

/** A service that keeps its SLO up to `limit` per second: the finder must land just below it. */
function fakeService(limit: number, generatorLimit = Number.POSITIVE_INFINITY) {
  const tried: number[] = [];
  const runStep = async (rate: number) => {
    tried.push(rate);
    return { verdict: { held: rate <= limit, valid: rate <= generatorLimit }, detail: { rate } };
  };
  return { tried, runStep };
}

describe('capacity finder', () => {
  it('when the rate grows by a factor, then it stops at the first broken step and reports the one before', async () => {
    const service = fakeService(300);
    const outcome = await findCapacity({ startRate: 100, factor: 1.25, maxRate: 10_000 }, service.runStep);
    expect(service.tried).toEqual([100, 125, 156, 195, 244, 305]);
    expect(outcome.heldRate).toBe(244);
    expect(outcome.stop).toBe('threshold-failed');
    expect(outcome.steps.map((s) => s.verdict.held)).toEqual([true, true, true, true, true, false]);
  });

  it('when the rate grows by a step, then rates go up by it', async () => {
    const service = fakeService(260);
    const outcome = await findCapacity({ startRate: 100, step: 50, maxRate: 10_000 }, service.runStep);
    expect(service.tried).toEqual([100, 150, 200, 250, 300]);
    expect(outcome.heldRate).toBe(250);
  });

  it('when every step holds, then it ends at maxRate and says so', async () => {
    const service = fakeService(10_000);
    const outcome = await findCapacity({ startRate: 100, factor: 2, maxRate: 500 }, service.runStep);
    expect(service.tried).toEqual([100, 200, 400, 500]);
    expect(outcome).toMatchObject({ heldRate: 500, stop: 'max-rate-reached' });
  });

  it('when the generator cannot keep up, then the search stops without blaming the service', async () => {
    const service = fakeService(10_000, 200);
    const outcome = await findCapacity({ startRate: 100, factor: 1.5, maxRate: 10_000 }, service.runStep);
    expect(service.tried).toEqual([100, 150, 225]);
    expect(outcome).toMatchObject({ heldRate: 150, stop: 'generator-limited' });
  });

  it('when even the first step breaks, then no rate held', async () => {
    const outcome = await findCapacity({ startRate: 100, maxRate: 1000 }, fakeService(50).runStep);
    expect(outcome).toMatchObject({ heldRate: null, stop: 'threshold-failed' });
    expect(outcome.steps).toHaveLength(1);
  });

  it('when rates are small, then steps keep two decimals and always move up', () => {
    expect(nextRate({ startRate: 1, factor: 1.01, maxRate: 100 }, 1)).toBe(1.01);
    expect(nextRate({ startRate: 1, factor: 1.001, maxRate: 100 }, 1)).toBe(1.01);
    expect(nextRate({ startRate: 5, maxRate: 100 }, 5)).toBe(6.25);
    expect(nextRate({ startRate: 10, factor: 1.01, maxRate: 100 }, 10)).toBe(11);
    expect(nextRate({ startRate: 10, maxRate: 100 }, 100)).toBeNull();
  });

  it('when the plan is contradictory, then it is refused before any step runs', () => {
    expect(() => checkPlan({ startRate: 0, maxRate: 10 })).toThrow('startRate must be above 0');
    expect(() => checkPlan({ startRate: 20, maxRate: 10 })).toThrow(
      'maxRate (10) must be at least startRate (20)',
    );
    expect(() => checkPlan({ startRate: 1, maxRate: 10, factor: 1.2, step: 5 })).toThrow(
      'factor or step, not both',
    );
    expect(() => checkPlan({ startRate: 1, maxRate: 10, factor: 1 })).toThrow('factor must be above 1');
  });
});
