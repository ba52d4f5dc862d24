import { describe, expect, it } from 'vitest';
import { erlangB, erlangC, mgcWait } from '../src/queueing.js';

// Textbook values: M/M/1 and M/M/c closed forms (e.g. Kleinrock, Queueing Systems vol. 1,
// ch. 3; Gross & Harris, Fundamentals of Queueing Theory, ch. 2) and the Erlang B table.
describe('Erlang B and C', () => {
  it('when one line is offered 1 erlang, then B = 1/2', () => {
    expect(erlangB(1, 1)).toBeCloseTo(0.5, 12);
  });

  it('when two lines are offered 1 erlang, then B = (1/2) / (1 + 1 + 1/2) = 0.2', () => {
    expect(erlangB(2, 1)).toBeCloseTo(0.2, 12);
  });

  it('when ten lines are offered 5 erlangs, then B is 0.0184 as in the Erlang B table', () => {
    expect(erlangB(10, 5)).toBeCloseTo(0.01838, 5);
  });

  it('when one server runs at rho, then the probability of waiting is rho (M/M/1)', () => {
    for (const rho of [0.1, 0.5, 0.9]) expect(erlangC(1, rho)).toBeCloseTo(rho, 12);
  });

  it('when two servers run at rho, then C = 2 rho^2 / (1 + rho) (M/M/2)', () => {
    for (const rho of [0.25, 0.5, 0.8])
      expect(erlangC(2, 2 * rho)).toBeCloseTo((2 * rho * rho) / (1 + rho), 12);
  });

  it('when three servers are offered 2 erlangs, then C = 4/9', () => {
    expect(erlangC(3, 2)).toBeCloseTo(4 / 9, 12);
  });

  it('when thousands of servers run near saturation, then C stays a probability (no factorial overflow)', () => {
    const c = erlangC(5000, 4900);
    expect(c).toBeGreaterThan(0);
    expect(c).toBeLessThan(1);
  });
});

describe('M/G/c waiting time', () => {
  it('when M/M/1 runs at rho = 0.5 with 1 ms service, then E[Wq] = rho / (mu - lambda) = 1 ms', () => {
    const w = mgcWait({ servers: 1, arrivalsPerSecond: 500, meanServiceMs: 1, serviceCv2: 1 });
    expect(w.utilisation).toBeCloseTo(0.5, 12);
    expect(w.meanWaitMs).toBeCloseTo(1, 12);
  });

  it('when M/M/2 is offered 1 erlang with 1 ms service, then E[Wq] = C / (c mu - lambda) = 1/3 ms', () => {
    const w = mgcWait({ servers: 2, arrivalsPerSecond: 1000, meanServiceMs: 1, serviceCv2: 1 });
    expect(w.pWait).toBeCloseTo(1 / 3, 12);
    expect(w.meanWaitMs).toBeCloseTo(1 / 3, 12);
  });

  it('when M/M/2 is offered 1 erlang, then P(W > t) = C exp(-(c mu - lambda) t): p99 = ln(C / 0.01) ms', () => {
    const w = mgcWait({ servers: 2, arrivalsPerSecond: 1000, meanServiceMs: 1, serviceCv2: 1 });
    expect(w.quantileMs(0.99)).toBeCloseTo(Math.log(1 / 3 / 0.01), 9);
    // Two thirds never wait.
    expect(w.quantileMs(0.5)).toBe(0);
  });

  it('when one server has constant service (M/D/1), then E[Wq] is Pollaczek-Khinchine: rho S / (2 (1 - rho))', () => {
    const w = mgcWait({ servers: 1, arrivalsPerSecond: 500, meanServiceMs: 1, serviceCv2: 0 });
    expect(w.meanWaitMs).toBeCloseTo(0.5, 12);
  });

  it('when service is twice as variable as exponential, then Allen-Cunneen scales the M/M/c wait by (1 + 2) / 2', () => {
    const base = mgcWait({ servers: 4, arrivalsPerSecond: 3000, meanServiceMs: 1, serviceCv2: 1 });
    const variable = mgcWait({ servers: 4, arrivalsPerSecond: 3000, meanServiceMs: 1, serviceCv2: 2 });
    expect(variable.meanWaitMs / base.meanWaitMs).toBeCloseTo(1.5, 12);
  });

  it('when the load reaches the servers, then the queue is unstable and waits are unbounded', () => {
    const w = mgcWait({ servers: 2, arrivalsPerSecond: 2000, meanServiceMs: 1, serviceCv2: 1 });
    expect(w.stable).toBe(false);
    expect(w.quantileMs(0.5)).toBe(Number.POSITIVE_INFINITY);
  });

  it('when the same load is spread over more servers, then the wait falls (pooling)', () => {
    const waits = [2, 4, 8, 16].map(
      (c) => mgcWait({ servers: c, arrivalsPerSecond: c * 700, meanServiceMs: 1, serviceCv2: 1 }).meanWaitMs,
    );
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeLessThan(waits[i - 1]!);
  });
});
