import { describe, expect, it } from 'vitest';
import { FaultSequence, type FaultStep, type SequencePlan } from '../src/workloads/fault-sequence.js';
import { firstReadFilter } from '../src/workloads/kafka-decision-feed.js';

/**
 * The sequence on its own: steps whose recovery the test flips, so each
 * assertion waits for what the sequence did (a step injected, a record
 * written), never for time to pass.
 */

const plan: SequencePlan = { firstAtMs: 0, settleMs: 0, pollMs: 5, recoveryTimeoutMs: 60_000 };
const clock = { now: () => performance.now() };

/** A step that records its injection and recovers once `back()` is called. */
function controlledStep(id: string, log: string[]) {
  let recovered = false;
  let injected: () => void = () => {};
  const wasInjected = new Promise<void>((resolve) => {
    injected = resolve;
  });
  const step: FaultStep = {
    id,
    check: async () => {},
    async inject() {
      log.push(`inject ${id}`);
      injected();
      return {
        target: `${id}-target`,
        recovery: async () => ({ recovered, state: recovered ? 'back' : 'down' }),
      };
    },
  };
  return {
    step,
    wasInjected,
    back: () => {
      recovered = true;
      log.push(`back ${id}`);
    },
  };
}

describe('the fault sequence', () => {
  it('when a fault has not recovered, then the next is not injected until its recovery holds', async () => {
    const log: string[] = [];
    const first = controlledStep('a', log);
    const second = controlledStep('b', log);
    const sequence = new FaultSequence([first.step, second.step], plan, clock);
    sequence.start();
    await first.wasInjected;
    // The second is injected only after the first's recovery holds: the log's order shows it.
    first.back();
    await second.wasInjected;
    expect(log).toEqual(['inject a', 'back a', 'inject b']);
    second.back();
    await sequence.finish();
    expect(sequence.records.map((r) => [r.id, r.outcome, r.target])).toEqual([
      ['a', 'recovered', 'a-target'],
      ['b', 'recovered', 'b-target'],
    ]);
    const [a, b] = sequence.records;
    expect(a?.recovery_s).toBeGreaterThanOrEqual(0);
    expect(b?.injected_at_s).toBeGreaterThanOrEqual(a?.recovered_at_s ?? Number.POSITIVE_INFINITY);
  });

  it('when a fault is refused or does not recover in time, then it is recorded with why and the next still runs', async () => {
    const log: string[] = [];
    const refused: FaultStep = {
      id: 'refused',
      check: async () => {},
      inject: async () => {
        throw new Error('no pid file');
      },
    };
    const stuck: FaultStep = {
      id: 'stuck',
      check: async () => {},
      inject: async () => ({
        target: 'x',
        recovery: async () => ({ recovered: false, state: 'still down' }),
      }),
    };
    const last = controlledStep('last', log);
    const sequence = new FaultSequence(
      [refused, stuck, last.step],
      { ...plan, recoveryTimeoutMs: 30 },
      clock,
    );
    sequence.start();
    await last.wasInjected;
    last.back();
    await sequence.finish();
    expect(sequence.records).toEqual([
      expect.objectContaining({ id: 'refused', outcome: 'refused', reason: 'no pid file' }),
      expect.objectContaining({ id: 'stuck', outcome: 'not recovered', state: 'still down' }),
      expect.objectContaining({ id: 'last', outcome: 'recovered' }),
    ]);
    expect(sequence.records[1]?.reason).toMatch(/not recovered within 0.03 s; last seen: still down/);
  });

  it('when the schedule ends first, then the remaining faults are skipped but a needed restoring step still runs', async () => {
    const log: string[] = [];
    const kill = controlledStep('kill', log);
    const never = controlledStep('never', log);
    const restore = controlledStep('restore', log);
    restore.back();
    const restoring: FaultStep = { ...restore.step, restores: { needed: async () => true } };
    const sequence = new FaultSequence([kill.step, never.step, restoring], plan, clock);
    sequence.start();
    await kill.wasInjected;
    const finished = sequence.finish();
    kill.back();
    await finished;
    expect(log).toEqual(['back restore', 'inject kill', 'back kill', 'inject restore']);
    expect(sequence.records.map((r) => [r.id, r.outcome])).toEqual([
      ['kill', 'recovered'],
      ['never', 'skipped'],
      ['restore', 'recovered'],
    ]);
    expect(sequence.records[2]?.after_schedule).toBe(true);
  });

  it('when the schedule ends before the first fault is due, then nothing is injected', async () => {
    const log: string[] = [];
    const kill = controlledStep('kill', log);
    const sequence = new FaultSequence([kill.step], { ...plan, firstAtMs: 3_600_000 }, clock);
    sequence.start();
    await sequence.finish();
    expect(log).toEqual([]);
    expect(sequence.records).toEqual([expect.objectContaining({ id: 'kill', outcome: 'skipped' })]);
  });
});

describe('reading the decisions topic through a rebalance', () => {
  it('when records are read again from an earlier offset, then only their first read counts', () => {
    const firstRead = firstReadFilter();
    expect([firstRead(0, '10'), firstRead(0, '11'), firstRead(1, '3')]).toEqual([true, true, true]);
    // The coordinator moved and the group resumed from offset 10 of partition 0.
    expect([firstRead(0, '10'), firstRead(0, '11'), firstRead(0, '12'), firstRead(1, '4')]).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });
});
