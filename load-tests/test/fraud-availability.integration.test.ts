import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '@mlsys/results';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT, runCommand, type Targets } from '../src/commands.js';
import { entryPointOf, type ProcessControl, pidFileOf } from '../src/faults/kill-service.js';
import type { TimelineSnapshot } from '../src/metrics.js';
import { fraudAvailabilityScenario } from '../src/scenarios/fraud-availability.js';
import { type FakeServer, startFakeServer } from './helpers/fake-server.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/**
 * A fake txn-api and pipeline: answers `?wait=true` from the "pipeline"
 * until the scorer is killed, then with flagged rules-only decisions. By the
 * payment's number in the run (its id's suffix, so the schedule, not arrival
 * order, decides): every 10th is refused with 503; each accepted payment's
 * decision goes to the decision feed, except #3's (lost); #5's goes twice.
 */
async function fakeStack() {
  const state = { scorerDown: false, posted: 0 };
  let emit: (id: string) => void = () => {};
  const server = await startFakeServer((app) => {
    app.post<{ Body: { transactionId: string } }>('/v1/transactions', async (request, reply) => {
      state.posted += 1;
      const id = request.body.transactionId;
      const n = Number(id.slice(id.lastIndexOf('-') + 1));
      if (n % 10 === 9) return reply.code(503).send({ error: 'unavailable' });
      if (n !== 3) emit(id);
      if (n === 5) emit(id);
      const source = state.scorerDown ? 'rules-only' : 'pipeline';
      return reply
        .header('server-timing', `decision;dur=1;desc="${source}"`)
        .send({ transactionId: id, mode: source === 'pipeline' ? 'full' : 'rules-only' });
    });
  });
  servers.push(server);
  const root = mkdtempSync(join(tmpdir(), 'fraud-availability-stack-'));
  const pidFile = pidFileOf({ root }, 'fraud-scorer');
  mkdirSync(join(pidFile, '..'), { recursive: true });
  writeFileSync(pidFile, '4242');
  const signals: Array<[number, string]> = [];
  const control: ProcessControl = {
    commandLine: async (pid) => (pid === 4242 ? ['node', entryPointOf({ root }, 'fraud-scorer')] : undefined),
    kill: (pid, signal) => {
      signals.push([pid, signal]);
      state.scorerDown = true;
    },
  };
  const scenario = fraudAvailabilityScenario({
    layout: { root },
    control,
    openDecisionFeed: async (onDecision) => {
      emit = onDecision;
      return { close: async () => {} };
    },
  });
  return { server, scenario, signals, state };
}

describe('fraud-availability against a fake txn-api', () => {
  it('when the scorer is killed mid-run, then the report counts the crash, the fallback, failures and the lost and duplicated decisions', async () => {
    const { server, scenario, signals } = await fakeStack();
    const outDir = mkdtempSync(join(tmpdir(), 'load-tests-'));
    const targets: Targets = {
      'rec-api': 'http://127.0.0.1:9',
      'txn-api': server.origin,
      kafka: '127.0.0.1:9',
    };
    const exit = await runCommand(
      {
        scenario: 'fraud-availability',
        list: false,
        help: false,
        autocannon: false,
        ratePerSecond: 20,
        durationMs: 3000,
        warmupMs: 0,
        params: {
          kill: 'fraud-scorer',
          killAt: '1',
          // Wide enough that no answer of a local fake is late: this test is about counting, not timing.
          deadlineMs: '10000',
          reconcileTimeoutMs: '300',
        },
      },
      targets,
      { print: () => {}, progress: () => {}, outDir },
      { 'fraud-availability': scenario },
    );

    const result = JSON.parse(readFileSync(join(outDir, 'fraud-availability.json'), 'utf8')) as RunResult;
    const m = result.metrics;
    // 60 payments, every 10th refused: 54 answered in time, 6 failed.
    expect(m.iterations).toBe(60);
    expect(m.availability).toBeCloseTo(54 / 60, 6);
    expect(signals).toEqual([[4242, 'SIGKILL']]);
    expect(m.kill).toMatchObject({ service: 'fraud-scorer', pid: 4242, requestedAtS: 1 });
    // Before the kill the pipeline answered; after it, only the fallback did.
    const counts = (m.timeline as TimelineSnapshot).counts as Record<string, number[]>;
    expect(counts.pipeline?.[0]).toBeGreaterThan(0);
    expect((counts.pipeline?.[0] ?? 0) + (counts['rules-only']?.[0] ?? 0)).toBe(18);
    expect(counts.pipeline?.[2]).toBe(0);
    expect(counts['rules-only']?.[2]).toBe(18);
    expect(counts.failed).toEqual([2, 2, 2]);
    expect((m.answered_pipeline as number) + (m.answered_rules_only as number)).toBeCloseTo(54 / 60, 6);
    expect(m.answered_rules_only as number).toBeGreaterThan(0.5);
    expect(m.decisions_lost).toBe(1);
    expect(m.decisions_duplicated).toBe(1);
    expect(m.decisions_accepted).toBe(54);
    expect(m).toHaveProperty('p99_ms');
    // 90 % is far below 99.9 %: the availability threshold from slo.ts fails the run.
    expect(result.slo).toEqual([
      expect.objectContaining({ metric: 'availability', op: '>=', target: 0.999, pass: false }),
      expect.objectContaining({ metric: 'decisions_lost', op: '<=', target: 0, value: 1, pass: false }),
      expect.objectContaining({ metric: 'decisions_duplicated', op: '<=', target: 0, value: 1, pass: false }),
    ]);
    // 1 (threshold failed), or 3 when a busy test machine also made the generator late.
    expect([EXIT.thresholdFailed, EXIT.invalid]).toContain(exit);
    expect(result.pass).toBe(false);
    expect(result.notes?.some((n) => /1 LOST, 1 DUPLICATED/.test(n))).toBe(true);
    const html = readFileSync(join(outDir, 'fraud-availability.html'), 'utf8');
    expect(html).toContain('Per second, by the second each request was due: failed, pipeline, rules-only');
  });

  it("when the stack's pid file points at another program, then the run refuses to start and nothing is sent", async () => {
    const { server, state } = await fakeStack();
    const root = mkdtempSync(join(tmpdir(), 'fraud-availability-stack-'));
    const pidFile = pidFileOf({ root }, 'feature-engine');
    mkdirSync(join(pidFile, '..'), { recursive: true });
    writeFileSync(pidFile, '4242');
    const scenario = fraudAvailabilityScenario({
      layout: { root },
      control: { commandLine: async () => ['/usr/bin/vim'], kill: () => {} },
      openDecisionFeed: async () => ({ close: async () => {} }),
    });
    const run = runCommand(
      {
        scenario: 'fraud-availability',
        list: false,
        help: false,
        autocannon: false,
        durationMs: 1000,
        warmupMs: 0,
        params: { kill: 'feature-engine' },
      },
      { 'rec-api': 'http://127.0.0.1:9', 'txn-api': server.origin, kafka: '127.0.0.1:9' },
      { print: () => {}, progress: () => {}, outDir: mkdtempSync(join(tmpdir(), 'load-tests-')) },
      { 'fraud-availability': scenario },
    );
    await expect(run).rejects.toThrow(/refusing to kill pid 4242/);
    expect(state.posted).toBe(0);
  });
});
