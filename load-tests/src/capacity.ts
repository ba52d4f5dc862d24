import type { CapacityOptions } from './options.js';

export type CapacityPlan = Pick<CapacityOptions, 'startRate' | 'factor' | 'step' | 'maxRate'>;

export interface StepVerdict {
  /** Every threshold (latency SLO, error budget) held at this rate. */
  held: boolean;
  /** The generator kept up; when it did not, the step says nothing about the service. */
  valid: boolean;
}

export interface CapacityStep<T> {
  ratePerSecond: number;
  verdict: StepVerdict;
  detail: T;
}

export type CapacityStop = 'threshold-failed' | 'generator-limited' | 'max-rate-reached';

export interface CapacityOutcome<T> {
  steps: CapacityStep<T>[];
  /** The highest rate at which every threshold held; null when even the first step failed. */
  heldRate: number | null;
  stop: CapacityStop;
}

const DEFAULT_FACTOR = 1.25;

export function checkPlan(plan: CapacityPlan): void {
  if (!(plan.startRate > 0)) throw new Error(`capacity.startRate must be above 0, got ${plan.startRate}`);
  if (!(plan.maxRate >= plan.startRate)) {
    throw new Error(`capacity.maxRate (${plan.maxRate}) must be at least startRate (${plan.startRate})`);
  }
  if (plan.factor !== undefined && plan.step !== undefined)
    throw new Error('capacity takes factor or step, not both');
  if (plan.factor !== undefined && !(plan.factor > 1))
    throw new Error(`capacity.factor must be above 1, got ${plan.factor}`);
  if (plan.step !== undefined && !(plan.step > 0))
    throw new Error(`capacity.step must be above 0, got ${plan.step}`);
}

/** The rate after `current`, rounded to a readable figure, capped at maxRate; null once maxRate was run. */
export function nextRate(plan: CapacityPlan, current: number): number | null {
  if (current >= plan.maxRate) return null;
  const raw = plan.step !== undefined ? current + plan.step : current * (plan.factor ?? DEFAULT_FACTOR);
  const rounded = raw >= 10 ? Math.round(raw) : Math.round(raw * 100) / 100;
  const next = Math.max(rounded, current >= 10 ? current + 1 : current + 0.01);
  return Math.min(next, plan.maxRate);
}

/**
 * Steps the rate up until a step fails its thresholds, and reports the
 * highest rate that held. A step where the generator could not keep up ends
 * the search too, without blaming the service: the capacity is then "at
 * least" the last rate that held.
 */
export async function findCapacity<T>(
  plan: CapacityPlan,
  runStep: (ratePerSecond: number) => Promise<{ verdict: StepVerdict; detail: T }>,
): Promise<CapacityOutcome<T>> {
  checkPlan(plan);
  const steps: CapacityStep<T>[] = [];
  let heldRate: number | null = null;
  let rate: number | null = plan.startRate;
  while (rate !== null) {
    const { verdict, detail } = await runStep(rate);
    steps.push({ ratePerSecond: rate, verdict, detail });
    if (!verdict.valid) return { steps, heldRate, stop: 'generator-limited' };
    if (!verdict.held) return { steps, heldRate, stop: 'threshold-failed' };
    heldRate = rate;
    rate = nextRate(plan, rate);
  }
  return { steps, heldRate, stop: 'max-rate-reached' };
}
