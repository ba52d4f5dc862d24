import { describe, expect, it, vi } from 'vitest';
import { maxMs, minMs, percentileMs } from '../src/histogram.js';
import { Recorder } from '../src/metrics.js';
import { type EntryPlan, type IterationContext, type IterationOutcome, runOpenModel } from '../src/runner.js';
import { arrivals } from '../src/schedule.js';
import { VirtualClock } from './helpers/virtual-clock.js';

interface Held {
  context: IterationContext;
  startedAt: number;
  answer: (outcome: IterationOutcome) => void;
}

/** An iteration that waits until the test answers it: the responses are under the test's control. */
function heldIterations() {
  const held: Held[] = [];
  const iterate = (context: IterationContext) =>
    new Promise<IterationOutcome>((answer) => held.push({ context, startedAt: context.now(), answer }));
  return { held, iterate };
}

function plan(overrides: Partial<EntryPlan> & Pick<EntryPlan, 'iterate'>): EntryPlan {
  return {
    name: 'main',
    arrivals: arrivals({ executor: 'constant-arrival-rate', rate: 10, duration: '1s' }),
    maxInFlight: 1000,
    gracefulStopMs: 30_000,
    tags: {},
    ...overrides,
  };
}

const timing = (clock: VirtualClock) => ({
  clock,
  origin: 0,
  wallOrigin: 1_700_000_000_000,
  lateStartToleranceMs: 10,
});

describe('open-model runner', () => {
  it('when responses take long, then iterations still start exactly on schedule and latency counts from it', async () => {
    const clock = new VirtualClock();
    const recorder = new Recorder();
    const { held, iterate } = heldIterations();
    const done = runOpenModel([plan({ iterate })], timing(clock), recorder);

    // Nothing has answered, yet all ten iterations started, each at its own scheduled time.
    await vi.waitFor(() => expect(held).toHaveLength(10));
    expect(held.map((h) => h.startedAt)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(held.map((h) => h.context.scheduledWallTime - 1_700_000_000_000)).toEqual(
      held.map((h) => h.context.scheduledAt),
    );
    expect(recorder.live.inFlight).toBe(10);

    clock.advanceTo(2000);
    for (const h of held) h.answer({ ok: true, sentAt: h.startedAt });
    await done;

    const latency = recorder.histogram('latency');
    expect(minMs(latency)).toBeCloseTo(1100, 0);
    expect(maxMs(latency)).toBeCloseTo(2000, 0);
    expect(recorder.total('iterations')).toBe(10);
    expect(recorder.total('late_starts')).toBe(0);
    expect(recorder.live.inFlight).toBe(0);
  });

  it('when the in-flight cap is reached, then due iterations are dropped and counted, not delayed', async () => {
    const clock = new VirtualClock();
    const recorder = new Recorder();
    const { held, iterate } = heldIterations();
    const done = runOpenModel([plan({ iterate, maxInFlight: 3 })], timing(clock), recorder);

    await vi.waitFor(() => expect(recorder.total('dropped_iterations')).toBe(7));
    expect(held.map((h) => h.startedAt)).toEqual([0, 100, 200]);
    for (const h of held) h.answer({ ok: true });
    await done;
    expect(recorder.live.dropped).toBe(7);
    expect(recorder.timelineSnapshot().dropped[0]).toBe(7);
  });

  it('when the generator wakes late, then late starts are counted and the delay lands in the latency', async () => {
    // Every start from 500 ms on is woken 40 ms late, as if the loop were busy.
    const clock = new VirtualClock((at) => (at >= 500 ? 40 : 0));
    const recorder = new Recorder();
    // Each answers the moment it starts: only the lateness remains as latency.
    const instant = async (context: IterationContext): Promise<IterationOutcome> => ({
      ok: true,
      sentAt: context.now(),
    });
    await runOpenModel([plan({ iterate: instant })], timing(clock), recorder);
    expect(recorder.total('late_starts')).toBe(5);
    expect(percentileMs(recorder.histogram('start_delay'), 100)).toBeCloseTo(40, 0);
    expect(percentileMs(recorder.histogram('latency'), 100)).toBeCloseTo(40, 0);
    expect(percentileMs(recorder.histogram('send_latency'), 100)).toBeLessThan(0.01);
  });

  it('when an iteration fails or throws, then it counts as an error with its reason', async () => {
    const clock = new VirtualClock();
    const recorder = new Recorder();
    let n = 0;
    const iterate = async (): Promise<IterationOutcome> => {
      n += 1;
      if (n === 1) throw new Error('socket hang up');
      return n === 2 ? { ok: false, error: 'status 503' } : { ok: true, tags: { kind: 'known-user' } };
    };
    await runOpenModel([plan({ iterate })], timing(clock), recorder);
    expect(recorder.share('error_rate')).toBeCloseTo(0.2, 6);
    expect(recorder.share('availability', { kind: 'known-user' })).toBe(1);
    expect(recorder.errorReasons()).toEqual({ 'socket hang up': 1, 'status 503': 1 });
  });

  it('when an iteration is still running after gracefulStop, then it is interrupted, failed and not counted twice', async () => {
    const clock = new VirtualClock();
    const recorder = new Recorder();
    const { held, iterate: hold } = heldIterations();
    // The first answers at once; the second hangs until the test answers it, after the run.
    const iterate = (context: IterationContext) =>
      context.iteration === 0 ? Promise.resolve<IterationOutcome>({ ok: true }) : hold(context);
    await runOpenModel([plan({ iterate, gracefulStopMs: 5, arrivals: [0, 100] })], timing(clock), recorder);
    expect(recorder.total('interrupted_iterations')).toBe(1);
    expect(recorder.live.inFlight).toBe(1);

    held[0]?.answer({ ok: true });
    await vi.waitFor(() => expect(recorder.live.inFlight).toBe(0));
    expect(recorder.total('iterations')).toBe(1);
    expect(recorder.share('availability')).toBe(0.5);
    expect(Object.keys(recorder.errorReasons())[0]).toMatch(/^interrupted/);
  });

  it('when two entries run, then they run side by side with their own tags', async () => {
    const clock = new VirtualClock();
    const recorder = new Recorder();
    const ok = async (): Promise<IterationOutcome> => ({ ok: true });
    await runOpenModel(
      [
        plan({ iterate: ok, name: 'recs' }),
        plan({ iterate: ok, name: 'explain', arrivals: [0, 500], tags: { kind: 'explain' } }),
      ],
      timing(clock),
      recorder,
    );
    expect(recorder.total('iterations', { scenario: 'recs' })).toBe(10);
    expect(recorder.total('iterations', { scenario: 'explain', kind: 'explain' })).toBe(2);
  });
});

describe('percentile maths', () => {
  it("when 1..1000 ms are recorded, then percentiles come back within the histogram's 0.1 % resolution", () => {
    const recorder = new Recorder();
    // Shuffled order: the result must not depend on arrival order.
    const values = Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 1000) + 1);
    for (const v of values) recorder.trend('latency', v);
    const h = recorder.histogram('latency');
    for (const [p, expected] of [
      [50, 500],
      [90, 900],
      [95, 950],
      [99, 990],
      [100, 1000],
    ] as const) {
      const measured = percentileMs(h, p) as number;
      expect(Math.abs(measured - expected) / expected).toBeLessThanOrEqual(0.001);
    }
  });

  it('when samples are spread over tag sets, then the merged histogram equals one built from all of them', () => {
    const recorder = new Recorder();
    for (let v = 1; v <= 100; v++) recorder.trend('latency', v, { kind: v % 2 === 0 ? 'even' : 'odd' });
    expect(recorder.histogram('latency')?.totalCount).toBe(100);
    expect(percentileMs(recorder.histogram('latency'), 50)).toBeCloseTo(50, 1);
    expect(percentileMs(recorder.histogram('latency', { kind: 'even' }), 100)).toBeCloseTo(100, 1);
    expect(percentileMs(recorder.histogram('latency', { kind: 'odd' }), 100)).toBeCloseTo(99, 1);
  });
});
