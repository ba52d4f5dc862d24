import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Chargeback, FraudMonitorReport, Transaction } from '@mlsys/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { coldStart } from '../src/drills/cold-start.js';
import type { DrillDefinition, DrillFindings, DrillTargets } from '../src/drills/drill.js';
import type { SheetJson } from '../src/drills/estimate.js';
import { lateLabels } from '../src/drills/late-labels.js';
import { redisDown } from '../src/drills/redis-down.js';
import { DRILL_EXIT, runDrill } from '../src/drills/run-drill.js';
import { scorerKill } from '../src/drills/scorer-kill.js';
import { trafficTenX } from '../src/drills/traffic-10x.js';
import {
  entryPointOf,
  findServiceProcess,
  type ProcessControl,
  pidFileOf,
} from '../src/faults/kill-service.js';
import { fraudAvailabilityScenario } from '../src/scenarios/fraud-availability.js';
import { type FakeServer, startFakeServer } from './helpers/fake-server.js';

/**
 * Each drill end to end against stand-ins for the stack (fake HTTP services,
 * a fake pause, kill, Kafka and capacity model), at a few seconds' length:
 * what is checked is what the drill did and how its table reads, not how
 * fast a real stack is.
 */

const servers: FakeServer[] = [];
const tempDirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
};

const targetsAt = (origin: string): DrillTargets => ({
  'rec-api': origin,
  'txn-api': origin,
  'fraud-monitor': origin,
  kafka: '127.0.0.1:9',
  redis: 'redis://127.0.0.1:9',
});

async function run(
  drill: DrillDefinition,
  origin: string,
  given: Record<string, string>,
): Promise<DrillFindings> {
  const lines: string[] = [];
  const outcome = await runDrill(
    { drill, given, targets: targetsAt(origin), root: tempDir('drill-root-') },
    { print: (l) => lines.push(l), progress: () => {}, outDir: tempDir('drill-out-') },
  );
  expect(outcome.exit, lines.join('\n')).toBe(DRILL_EXIT.done);
  const metrics = outcome.result?.metrics as Record<string, unknown>;
  const notes = outcome.result?.notes ?? [];
  const talking = notes.find((n) => n.startsWith('talking point: '))?.slice('talking point: '.length) ?? '';
  return { table: metrics.table as DrillFindings['table'], talkingPoint: talking, metrics, notes };
}

/** A fake txn-api answering `?wait=true` from the pipeline, or from the rules while `state.source` says so, or 503 while paused. */
async function fakeTxnApi(decide: (t: Transaction) => string = () => 'approve') {
  const state = {
    paused: false,
    source: 'pipeline' as 'pipeline' | 'rules-only',
    /** Called with each decided payment's id: the stand-in for the decisions topic. */
    decided: (_id: string) => {},
  };
  const server = await startFakeServer((app) => {
    app.post<{ Body: Transaction }>('/v1/transactions', async (request, reply) => {
      if (state.paused) return reply.code(503).send({ error: 'unavailable' });
      state.decided(request.body.transactionId);
      return reply.header('server-timing', `decision;dur=1;desc="${state.source}"`).send({
        transactionId: request.body.transactionId,
        decision: decide(request.body),
        mode: state.source === 'pipeline' ? 'full' : 'rules-only',
      });
    });
  });
  servers.push(server);
  return { server, state };
}

const column = (findings: DrillFindings, row: number, name: string) =>
  findings.table.rows[row]?.[findings.table.columns.indexOf(name)];

describe('redis-down', () => {
  it('when Redis is paused mid-run, then the pause is sent once for its seconds and the paused phase alone fails', async () => {
    const { server, state } = await fakeTxnApi();
    const pauses: Array<[string, number]> = [];
    const drill = redisDown({
      ping: async () => {},
      pause: async (url, seconds) => {
        pauses.push([url, seconds]);
        state.paused = true;
      },
    });
    const findings = await run(drill as DrillDefinition, server.origin, {
      rate: '10',
      beforeSeconds: '1',
      pauseSeconds: '1',
      afterSeconds: '1',
      warmupSeconds: '0',
      reconcile: 'none',
    });
    expect(pauses).toEqual([['redis://127.0.0.1:9', 1]]);
    expect(findings.table.rows.map((r) => r[0])).toEqual([
      'before (0-1 s)',
      'Redis paused (1-2 s)',
      'after (2-3 s)',
    ]);
    // Failures are counted from the status alone; a slow moment on a busy host may only make an answer late.
    const phases = findings.metrics.phases as Record<
      string,
      { requests: number; shares: Record<string, number> }
    >;
    expect(phases.before?.shares.failed).toBe(0);
    expect(phases.during?.shares.failed).toBe(1);
    expect(column(findings, 1, 'available')).toBe('0.0 %');
    expect(findings.metrics.decisions_lost).toBeNull();
    expect(findings.talkingPoint).toContain(
      'While Redis was paused, 0.0 % of payments were answered in time',
    );
  });
});

describe('refusals a drill makes itself', () => {
  async function refused(drill: DrillDefinition, origin: string): Promise<string> {
    const lines: string[] = [];
    const outcome = await runDrill(
      { drill, given: {}, targets: targetsAt(origin), root: mkdtempSync(join(tmpdir(), 'drill-root-')) },
      { print: (l) => lines.push(l), progress: () => {}, outDir: mkdtempSync(join(tmpdir(), 'drill-out-')) },
    );
    expect(outcome.exit).toBe(DRILL_EXIT.refused);
    return lines.join('\n');
  }

  it('when Redis does not answer, then redis-down refuses before sending a payment', async () => {
    const { server, state } = await fakeTxnApi();
    let payments = 0;
    state.decided = () => {
      payments += 1;
    };
    const text = await refused(redisDown({ pause: async () => {} }) as DrillDefinition, server.origin);
    expect(text).toContain('cannot reach Redis at 127.0.0.1:9');
    expect(text).toContain('REDIS_URL');
    expect(payments).toBe(0);
  });

  it('when the checkout has no scorer pid file, then scorer-kill refuses before sending a payment', async () => {
    const { server, state } = await fakeTxnApi();
    let payments = 0;
    state.decided = () => {
      payments += 1;
    };
    const text = await refused(scorerKill() as DrillDefinition, server.origin);
    expect(text).toContain('no pid file');
    expect(payments).toBe(0);
  });
});

describe('scorer-kill', () => {
  it('when the scorer is killed, then only its pid-file process gets SIGKILL, answers move to rules-only, and nothing is lost', async () => {
    const { server, state } = await fakeTxnApi();
    const root = mkdtempSync(join(tmpdir(), 'drill-stack-'));
    const pidFile = pidFileOf({ root }, 'fraud-scorer');
    mkdirSync(join(pidFile, '..'), { recursive: true });
    writeFileSync(pidFile, '4242');
    const signals: Array<[number, string]> = [];
    const control: ProcessControl = {
      commandLine: async (pid) =>
        pid === 4242 ? ['node', entryPointOf({ root }, 'fraud-scorer')] : undefined,
      kill: (pid, signal) => {
        signals.push([pid, signal]);
        state.source = 'rules-only';
      },
    };
    const scenario = fraudAvailabilityScenario({
      layout: { root },
      control,
      openDecisionFeed: async (onDecision) => {
        state.decided = onDecision;
        return { close: async () => {} };
      },
    });
    const findScorer = () => findServiceProcess('fraud-scorer', { root }, control);
    const findings = await run(scorerKill({ scenario, findScorer }) as DrillDefinition, server.origin, {
      rate: '10',
      killAt: '1',
      outageSeconds: '1',
      afterSeconds: '1',
      warmupSeconds: '0',
      reconcileTimeoutMs: '5000',
    });
    expect(signals).toEqual([[4242, 'SIGKILL']]);
    // By source, not by deadline: a slow moment on a busy host may make an answer late, never move its source.
    const phases = findings.metrics.phases as Record<string, { shares: Record<string, number> }>;
    expect(phases.before?.shares['rules-only']).toBe(0);
    expect(phases.after?.shares.pipeline).toBe(0);
    expect(phases.after?.shares['rules-only']).toBeGreaterThan(0);
    expect(findings.metrics.decisions_lost).toBe(0);
    expect(findings.metrics.decisions_duplicated).toBe(0);
    expect((findings.metrics.kill as { pid: number }).pid).toBe(4242);
  });
});

describe('cold-start', () => {
  it('when half the users are unknown, then the table splits known and new users by how they were answered', async () => {
    const server = await startFakeServer((app) => {
      app.get<{ Params: { userId: string } }>('/v1/recommendations/:userId', async (request) => {
        const coldStart = Number(request.params.userId) >= 100;
        return { items: [], coldStart, degraded: false };
      });
    });
    servers.push(server);
    const findings = await run(coldStart as unknown as DrillDefinition, server.origin, {
      rate: '20',
      seconds: '1',
      warmupSeconds: '0',
      users: '100',
    });
    expect(findings.table.rows.map((r) => r[0])).toEqual(['known users (history)', 'new users (no history)']);
    expect(Number(column(findings, 0, 'requests')) + Number(column(findings, 1, 'requests'))).toBe(20);
    expect(column(findings, 0, 'full pipeline')).toBe('100.0 %');
    expect(column(findings, 1, 'cold-start list')).toBe('100.0 %');
  });
});

describe('late-labels', () => {
  it('when chargebacks are released by age, then each goes to Kafka once, the monitor is read per step, and the count meets the truth', async () => {
    // Big payments are declined; every other payment is a fraud, half of them big.
    const { server } = await fakeTxnApi((t) => (t.amount > 100 ? 'decline' : 'approve'));
    let i = 0;
    const payments = () => () => {
      i += 1;
      const isFraud = i % 2 === 0;
      const amount = isFraud && i % 4 === 0 ? 500 : i % 6 === 1 ? 300 : 50;
      const transaction: Transaction = {
        transactionId: `tx-${i}`,
        eventTime: 0,
        cardId: `c${i}`,
        terminalId: 't1',
        amount,
        currency: 'EUR',
        channel: 'pos',
        merchantCategory: '5411',
      };
      return { transaction, isFraud };
    };
    const produced: Chargeback[] = [];
    const reports: number[] = [];
    const drill = lateLabels({
      payments,
      produce: async (_brokers, chargebacks) => {
        produced.push(...chargebacks);
      },
      fetchReport: async () => {
        reports.push(produced.length);
        return {
          labelDelay: { chargebacks: produced.length },
          quality: [
            { window: '1h', precision: null, recall: null, labelCoverage: 0.2, status: 'not yet known' },
          ],
        } as unknown as FraudMonitorReport;
      },
      sleep: async () => {},
    });
    const findings = await run(drill as DrillDefinition, server.origin, {
      rate: '20',
      seconds: '2',
      ages: '0,90',
    });
    expect(new Set(produced.map((c) => c.transactionId)).size).toBe(produced.length);
    expect(produced.length).toBeGreaterThan(0);
    expect(reports.length).toBeGreaterThanOrEqual(4);
    expect(findings.table.rows.map((r) => r[0])).toEqual([
      'after 0 d',
      'after 90 d',
      "truth (simulator's labels)",
    ]);
    expect(column(findings, 0, 'chargebacks')).toBe(0);
    expect(column(findings, 1, 'chargebacks')).toBe(produced.length);
    expect(column(findings, 0, 'monitor says')).toBe('1h: not yet known');
    const truth = findings.metrics.truth as { flagged: number; frauds: number; truePositives: number };
    expect(truth.frauds).toBe(20);
    expect(column(findings, 0, 'precision')).toBe('0.0 %');
  });
});

describe('traffic-10x', () => {
  /** Two one-second search steps (10/s, 20/s) and a one-second multiplied run. */
  const SHORT_SEARCH = {
    startRate: '10',
    factor: '2',
    maxRate: '20',
    stepSeconds: '1',
    warmupSeconds: '0',
    overloadSeconds: '1',
  };

  it('when the box holds every step, then the 10x run is capped as asked and the model is asked at the held rate and 10x it', async () => {
    const server = await startFakeServer((app) => {
      app.get('/v1/recommendations/:userId', async () => ({ items: [], coldStart: false, degraded: false }));
    });
    servers.push(server);
    const asked: string[][] = [];
    const sheet = (rps: number): SheetJson => ({
      design: 'recs',
      title: `at ${rps}`,
      rows: [
        {
          section: 'compute',
          what: 'instances, all services',
          value: rps / 2,
          unit: 'instances',
          source: { kind: 'model' },
        },
        {
          section: 'cost',
          what: 'monthly cost',
          value: rps * 10,
          unit: '$/month',
          source: { kind: 'model' },
        },
      ],
      latency: [{ stage: 'end to end (gateway)', p50: row(20), p95: row(30), p99: row(40) }],
    });
    const row = (value: number) => ({
      section: 'latency',
      what: 'e2e',
      value,
      unit: 'ms',
      source: { kind: 'model' },
    });
    const drill = trafficTenX({
      estimate: async (args) => {
        asked.push(args);
        return sheet(Number(args[args.indexOf('--rps') + 1]));
      },
    });
    const findings = await run(drill as DrillDefinition, server.origin, {
      ...SHORT_SEARCH,
      overloadMaxRate: '50',
      users: '100',
    });
    const held = Number(column(findings, 0, 'req/s'));
    expect(asked.map((a) => a[a.indexOf('--rps') + 1])).toEqual([String(held), String(held * 10)]);
    expect(column(findings, 1, 'req/s')).toBe(50);
    expect(column(findings, 3, 'instances')).toBe((held * 10) / 2);
    expect((findings.notes ?? []).join(' ')).toContain('capped at 50/s');
  });

  it('when the fraud design is pushed and every payment is answered by the rules alone, then no step holds and the fraud sheet is asked at that first rate and 10x it', async () => {
    const { server, state } = await fakeTxnApi();
    servers.push(server);
    // The owner never answers in time: every payment is decided by txn-api's rules, flagged.
    state.source = 'rules-only';
    const asked: string[][] = [];
    const drill = trafficTenX({
      estimate: async (args) => {
        asked.push(args);
        const tps = Number(args[args.indexOf('--tps') + 1]);
        return {
          design: 'fraud',
          title: `at ${tps}`,
          rows: [
            {
              section: 'compute',
              what: 'instances, all services',
              value: tps / 10,
              unit: 'instances',
              source: { kind: 'model' },
            },
          ],
          latency: [],
        };
      },
    });
    const findings = await run(drill as DrillDefinition, server.origin, {
      design: 'fraud',
      ...SHORT_SEARCH,
      overloadMaxRate: '60',
    });
    expect(findings.metrics.design).toBe('fraud');
    expect(findings.metrics.held_rate).toBeNull();
    expect(column(findings, 0, 'req/s')).toBe(10);
    expect(column(findings, 0, 'fell back')).toBe('100.0 %');
    expect(column(findings, 1, 'req/s')).toBe(60);
    expect(column(findings, 1, 'fell back')).toBe('100.0 %');
    expect(asked).toEqual([
      ['--design', 'fraud', '--tps', '10', '--peak', '1'],
      ['--design', 'fraud', '--tps', '100', '--peak', '1'],
    ]);
    expect(column(findings, 3, 'instances')).toBe(10);
    expect((findings.notes ?? []).join(' ')).toContain('no step held, not even 10/s');
    expect(findings.talkingPoint).toMatch(/at 60\/s .* 100\.0 % of payments answered by the rules alone/);
  });
});
