import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '@mlsys/results';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT, runCommand, type Targets } from '../src/commands.js';
import { haPidFile, readHaEndpoints } from '../src/faults/ha-layout.js';
import { haFaultSteps } from '../src/faults/ha-steps.js';
import type { TimelineSnapshot } from '../src/metrics.js';
import { drillScenario } from '../src/scenarios/drill.js';
import { classifyFraud, classifyRecs } from '../src/workloads/drill-answers.js';
import { chosenFaults } from '../src/workloads/drill-params.js';
import type { FaultRecord } from '../src/workloads/fault-sequence.js';
import { type FakeHaStack, fakeHaStack } from './helpers/fake-ha-stack.js';
import { type FakeServer, startFakeServer } from './helpers/fake-server.js';

/**
 * `npm run load -- drill` end to end against stand-ins: a fake txn-api and
 * rec-api on their own ports (the run's two targets), the fake ha stack of
 * helpers/fake-ha-stack.ts for the faults, an in-memory decisions topic. A
 * few seconds at a low rate: what is checked is the sequence and the report.
 */

const servers: FakeServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'drill-out-'));
  dirs.push(dir);
  return dir;
};

async function fakeApis() {
  const state = { rulesOnly: false, degraded: false, decided: (_id: string) => {} };
  const txn = await startFakeServer((app) => {
    app.post<{ Body: { transactionId: string; cardId: string; eventTime: number } }>(
      '/v1/transactions',
      async (request, reply) => {
        const { transactionId, cardId, eventTime } = request.body;
        state.decided(transactionId);
        const source = state.rulesOnly ? 'rules-only' : 'pipeline';
        return reply.header('server-timing', `decision;dur=1;desc="${source}"`).send({
          transactionId,
          cardId,
          decision: 'approve',
          score: 0.01,
          reasons: [],
          mode: state.rulesOnly ? 'rules-only' : 'full',
          modelVersion: 'm1',
          rulesVersion: 'r1',
          eventTime,
          decidedAt: Date.now(),
        });
      },
    );
  });
  const recs = await startFakeServer((app) => {
    app.get<{ Params: { userId: string }; Querystring: { region: string } }>(
      '/v1/recommendations/:userId',
      async (request) => ({
        userId: request.params.userId,
        region: request.query.region,
        items: [],
        degraded: state.degraded,
        degradedStages: [],
        coldStart: false,
        artifactVersion: 'v1',
      }),
    );
  });
  servers.push(txn, recs);
  return { txn, recs, state };
}

function drillAgainst(stack: FakeHaStack, state: Awaited<ReturnType<typeof fakeApis>>['state']) {
  const layout = { root: stack.root };
  const control = {
    commandLine: stack.control.commandLine,
    kill(pid: number, signal: NodeJS.Signals) {
      stack.control.kill(pid, signal);
      const [name] = stack.control.signals.at(-1) ?? [''];
      // What the designs show while a server is gone: payments fall back to the rules, recs degrade.
      if (name.startsWith('kafka-')) state.rulesOnly = true;
      if (name.startsWith('redis')) state.degraded = true;
    },
  };
  return drillScenario({
    layout,
    endpoints: readHaEndpoints,
    faultDeps: () => ({
      layout,
      control,
      readCluster: stack.readCluster,
      askRedis: stack.askRedis,
      ready: async () => true,
      async startServers(root) {
        const out = await stack.startServers(root);
        state.rulesOnly = false;
        state.degraded = false;
        return out;
      },
      sentinels: ['127.0.0.1:6382'],
      sentinelPrimaryName: 'mlsys',
    }),
    openDecisionFeed: async (onDecision) => {
      state.decided = onDecision;
      return { close: async () => {} };
    },
    print: () => {},
  });
}

const FAULTS =
  'ha-kill-rec-api,ha-kill-fraud-scorer,ha-kill-kafka-leader,ha-kill-redis-primary,ha-restart-servers';

async function runDrill(
  stack: FakeHaStack,
  apis: Awaited<ReturnType<typeof fakeApis>>,
  params: Record<string, string>,
) {
  const outDir = tempDir();
  const targets: Targets = { 'rec-api': apis.recs.origin, 'txn-api': apis.txn.origin, kafka: '127.0.0.1:9' };
  const exit = await runCommand(
    {
      scenario: 'drill',
      list: false,
      help: false,
      autocannon: false,
      ratePerSecond: 20,
      durationMs: 3000,
      warmupMs: 0,
      params: {
        // Wide deadlines: a local fake is never late on purpose; this test is about the sequence and the counts.
        deadlineMs: '10000',
        recsDeadlineMs: '10000',
        firstFaultAtS: '0.5',
        settleS: '0',
        pollMs: '50',
        reconcileTimeoutMs: '500',
        ...params,
      },
    },
    targets,
    { print: () => {}, progress: () => {}, outDir },
    { drill: drillAgainst(stack, apis.state) },
  );
  return { exit, outDir };
}

describe('the drill scenario against stand-ins', () => {
  it('when the faults run, then each waits for the last to recover, and the report gives availability and degraded share per design, decisions and recovery times', async () => {
    const stack = fakeHaStack();
    dirs.push(stack.root);
    const apis = await fakeApis();
    // Half a second between faults: each one's effect lands on some of the 20 payments a second.
    const { exit, outDir } = await runDrill(stack, apis, { faults: FAULTS, settleS: '0.5' });

    const result = JSON.parse(readFileSync(join(outDir, 'drill.json'), 'utf8')) as RunResult;
    const m = result.metrics;
    expect(stack.control.signals).toEqual([
      ['rec-api-1', 'SIGKILL'],
      ['fraud-scorer-1', 'SIGKILL'],
      ['kafka-2', 'SIGKILL'],
      ['redis', 'SIGKILL'],
    ]);
    expect(stack.starts).toBe(1);
    const faults = m.faults as FaultRecord[];
    expect(faults.map((f) => [f.id, f.outcome])).toEqual([
      ['ha-kill-rec-api', 'recovered'],
      ['ha-kill-fraud-scorer', 'recovered'],
      ['ha-kill-kafka-leader', 'recovered'],
      ['ha-kill-redis-primary', 'recovered'],
      ['ha-restart-servers', 'recovered'],
    ]);
    for (const [earlier, later] of faults.slice(0, -1).map((f, i) => [f, faults[i + 1]] as const))
      expect(later?.injected_at_s).toBeGreaterThanOrEqual(earlier.recovered_at_s as number);
    expect(faults[2]?.target).toMatch(/^kafka-2 \(pid \d+\), leading 6 of 12 partitions$/);
    expect(faults[3]?.state).toBe('the Sentinels name 127.0.0.1:6381, which says master');
    expect(faults[4]?.target).toBe('started kafka-2, redis');
    expect(m['recovery_s{fault:ha-kill-kafka-leader}']).toBeTypeOf('number');
    expect(m.faults_recovered).toBe(5);
    expect(m.faults_failed).toBe(0);
    // 60 payments and 15 recommendation calls, all answered in time with valid bodies.
    expect(m.iterations).toBe(75);
    expect(m['availability{design:fraud}']).toBe(1);
    expect(m['availability{design:recs}']).toBe(1);
    expect(m.fraud_rules_only as number).toBeGreaterThan(0);
    expect(m.fraud_rules_only as number).toBeLessThan(1);
    expect(m.recs_degraded as number).toBeGreaterThan(0);
    expect(m.decisions_lost).toBe(0);
    expect(m.decisions_duplicated).toBe(0);
    expect(m.decisions_accepted).toBe(60);
    const counts = (m.timeline as TimelineSnapshot).counts as Record<string, number[]>;
    expect(Object.keys(counts)).toEqual(
      expect.arrayContaining(['fraud pipeline', 'fraud rules-only', 'recs full']),
    );
    expect(result.slo.map((v) => [v.metric, v.pass])).toEqual([
      ['availability{design:fraud}', true],
      ['availability{design:recs}', true],
      ['decisions_lost', true],
      ['decisions_duplicated', true],
      ['faults_failed', true],
    ]);
    // 0 (every threshold held), or 3 when a busy test machine made the generator late.
    expect([EXIT.pass, EXIT.invalid]).toContain(exit);
    const html = readFileSync(join(outDir, 'drill.html'), 'utf8');
    // Each fault is a mark on the time charts, its recovery a ✓.
    expect(html).toContain('>kill-kafka-leader</text>');
    expect(html).toContain('>✓</text>');
  });

  it('when the schedule ends before the restart, then the restart still runs and the skipped faults are named', async () => {
    const stack = fakeHaStack();
    dirs.push(stack.root);
    const apis = await fakeApis();
    // The Kafka kill recovers only once its leaders moved; the restart was due after a minute's settling.
    const { outDir } = await runDrill(stack, apis, {
      faults: 'ha-kill-kafka-leader,ha-kill-redis-primary,ha-restart-servers',
      settleS: '60',
    });
    const m = (JSON.parse(readFileSync(join(outDir, 'drill.json'), 'utf8')) as RunResult).metrics;
    const faults = m.faults as FaultRecord[];
    expect(faults.map((f) => [f.id, f.outcome])).toEqual([
      ['ha-kill-kafka-leader', 'recovered'],
      ['ha-kill-redis-primary', 'skipped'],
      ['ha-restart-servers', 'recovered'],
    ]);
    expect(faults[2]?.after_schedule).toBe(true);
    expect(stack.starts).toBe(1);
  });

  it("when an instance's pid file names another program, then the run refuses before sending anything", async () => {
    const stack = fakeHaStack();
    dirs.push(stack.root);
    const apis = await fakeApis();
    let sent = 0;
    apis.state.decided = () => {
      sent += 1;
    };
    const stranger = [...stack.processes].find(([, p]) => p.name === 'haproxy')?.[0];
    writeFileSync(haPidFile({ root: stack.root }, 'ranker-1'), String(stranger));
    const outDir = tempDir();
    await expect(
      runCommand(
        {
          scenario: 'drill',
          list: false,
          help: false,
          autocannon: false,
          warmupMs: 0,
          durationMs: 1000,
          params: {},
        },
        { 'rec-api': apis.recs.origin, 'txn-api': apis.txn.origin, kafka: '127.0.0.1:9' },
        { print: () => {}, progress: () => {}, outDir },
        { drill: drillAgainst(stack, apis.state) },
      ),
    ).rejects.toThrow(/refusing to kill pid \d+ .*does not run ranker's entry point/);
    expect(sent).toBe(0);
    expect(stack.control.signals).toEqual([]);
  });
});

describe('what counts as available', () => {
  const decision = (id: string) =>
    JSON.stringify({
      transactionId: id,
      cardId: 'c1',
      decision: 'approve',
      score: 0,
      reasons: [],
      mode: 'rules-only',
      modelVersion: 'm',
      rulesVersion: 'r',
      eventTime: 1,
      decidedAt: 2,
    });

  it('when a payment is answered in time with its own Decision, then it is available, else late, invalid or failed', () => {
    const timing = 'decision;dur=3;desc="rules-only (no-owner)"';
    expect(
      classifyFraud({ status: 200, latencyMs: 10, body: decision('t1'), serverTiming: timing }, 't1', 50),
    ).toBe('rules-only');
    expect(
      classifyFraud({ status: 200, latencyMs: 60, body: decision('t1'), serverTiming: timing }, 't1', 50),
    ).toBe('late');
    expect(
      classifyFraud({ status: 200, latencyMs: 10, body: decision('t2'), serverTiming: timing }, 't1', 50),
    ).toBe('invalid');
    expect(classifyFraud({ status: 200, latencyMs: 10, body: '{}', serverTiming: timing }, 't1', 50)).toBe(
      'invalid',
    );
    expect(classifyFraud({ status: 503, latencyMs: 10 }, 't1', 50)).toBe('failed');
  });

  it('when recommendations come back in time for the same user, then degraded ones count apart; another user or a broken body is invalid', () => {
    const body = (userId: string, degraded: boolean) =>
      JSON.stringify({
        userId,
        region: 'US',
        items: [],
        degraded,
        degradedStages: [],
        coldStart: false,
        artifactVersion: 'v',
      });
    expect(classifyRecs({ status: 200, latencyMs: 20, body: body('7', false) }, '7', 100)).toBe('full');
    expect(classifyRecs({ status: 200, latencyMs: 20, body: body('7', true) }, '7', 100)).toBe('degraded');
    expect(classifyRecs({ status: 200, latencyMs: 20, body: body('8', false) }, '7', 100)).toBe('invalid');
    expect(classifyRecs({ status: 200, latencyMs: 20, body: 'not json' }, '7', 100)).toBe('invalid');
    expect(classifyRecs({ status: 200, latencyMs: 120, body: body('7', false) }, '7', 100)).toBe('late');
    expect(classifyRecs({ status: 0, latencyMs: 10 }, '7', 100)).toBe('failed');
  });
});

describe('choosing the faults', () => {
  it('when faults are named out of order, then they run in the order given with the restart moved last; an unknown one is refused', () => {
    const stack = fakeHaStack();
    dirs.push(stack.root);
    const deps = {
      layout: { root: stack.root },
      control: stack.control,
      readCluster: stack.readCluster,
      askRedis: stack.askRedis,
      ready: async () => true,
      startServers: stack.startServers,
      sentinels: ['127.0.0.1:6382'],
      sentinelPrimaryName: 'mlsys',
    };
    const ids = chosenFaults({ faults: ['ha-restart-servers', 'ha-kill-redis-primary', 'ha-kill-rules'] });
    expect(haFaultSteps(ids, 1, deps).map((s) => s.id)).toEqual([
      'ha-kill-redis-primary',
      'ha-kill-rules',
      'ha-restart-servers',
    ]);
    expect(chosenFaults({ faults: ['none'] })).toEqual([]);
    expect(() => chosenFaults({ faults: ['ha-kill-console'] })).toThrow(/no fault ha-kill-console/);
  });
});
