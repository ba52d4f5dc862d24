import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '@mlsys/results';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from '../src/cli-args.js';
import { EXIT, runCommand, type Targets } from '../src/commands.js';
import { defineScenario, type ScenarioDefinition } from '../src/scenario.js';
import {
  openRecommendations,
  recommendationMetrics,
  recommendationParams,
} from '../src/workloads/recommendations.js';
import { type FakeServer, startFakeServer } from './helpers/fake-server.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function io() {
  const printed: string[] = [];
  const outDir = mkdtempSync(join(tmpdir(), 'load-tests-'));
  return { printed, outDir, io: { print: (l: string) => printed.push(l), progress: () => {}, outDir } };
}

const readResult = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as RunResult;

/** A fake rec-api: answers recommendations, optionally only `okBudget` ordinary calls and 503 after. */
async function fakeRecApi(okBudget = Number.POSITIVE_INFINITY): Promise<FakeServer> {
  let ordinary = 0;
  const server = await startFakeServer((app) => {
    app.get<{ Params: { userId: string }; Querystring: { explain?: string } }>(
      '/v1/recommendations/:userId',
      async (request, reply) => {
        if (request.query.explain === 'true') return { userId: request.params.userId, stages: {} };
        ordinary += 1;
        return ordinary <= okBudget ? { userId: request.params.userId, items: [] } : reply.code(503).send({});
      },
    );
  });
  servers.push(server);
  return server;
}

const unusedTargets = (recApi: string): Targets => ({
  'rec-api': recApi,
  'txn-api': 'http://127.0.0.1:9',
  kafka: '127.0.0.1:9',
});

describe('command line', () => {
  it('when flags are given, then they parse into typed overrides', () => {
    expect(
      parseCliArgs([
        'recs-steady',
        '--rate',
        '50',
        '--duration',
        '1m',
        '--param',
        'users=10',
        '--param',
        'path=/a=b',
        '--autocannon',
      ]),
    ).toEqual({
      scenario: 'recs-steady',
      ratePerSecond: 50,
      durationMs: 60_000,
      params: { users: '10', path: '/a=b' },
      autocannon: true,
      list: false,
      help: false,
    });
  });

  it('when a flag is wrong, then a usage error names it', () => {
    expect(() => parseCliArgs(['x', '--rate', 'fast'])).toThrow(
      '--rate must be a number above 0, got "fast"',
    );
    expect(() => parseCliArgs(['x', '--duration', 'soon'])).toThrow(UsageError);
    expect(() => parseCliArgs(['x', '--param', 'novalue'])).toThrow('--param takes name=value');
    expect(() => parseCliArgs(['x', '--bogus'])).toThrow(UsageError);
    expect(() => parseCliArgs(['x', 'y'])).toThrow('one scenario at a time');
  });

  it('when a scenario or parameter is unknown, then the command refuses before running', async () => {
    const { io: out } = io();
    await expect(
      runCommand(parseCliArgs(['nope']), unusedTargets('http://127.0.0.1:9'), out),
    ).rejects.toThrow('no scenario named nope');
    await expect(
      runCommand(
        parseCliArgs(['recs-steady', '--param', 'userz=5']),
        unusedTargets('http://127.0.0.1:9'),
        out,
      ),
    ).rejects.toThrow('recs-steady has no parameter userz');
    await expect(
      runCommand(
        parseCliArgs(['recs-steady', '--param', 'users=many']),
        unusedTargets('http://127.0.0.1:9'),
        out,
      ),
    ).rejects.toThrow('users must be a whole number');
  });

  it('when the target does not answer /readyz, then the error says what to start', async () => {
    const { io: out } = io();
    await expect(
      runCommand(parseCliArgs(['recs-steady']), unusedTargets('http://127.0.0.1:9'), out),
    ).rejects.toThrow(/nothing answers at http:\/\/127\.0\.0\.1:9 .*npm start/);
  });

  it('when recs-steady runs against a rec-api, then the JSON result and HTML report are written and the exit status follows them', async () => {
    const api = await fakeRecApi();
    const { io: out, outDir, printed } = io();
    const exit = await runCommand(
      parseCliArgs(['recs-steady', '--rate', '20', '--duration', '1', '--warmup', '500ms']),
      unusedTargets(api.origin),
      out,
    );

    const result = readResult(join(outDir, 'recs-steady.json'));
    expect(Object.keys(result)).toEqual(
      expect.arrayContaining(['name', 'startedAt', 'host', 'params', 'metrics', 'slo', 'pass']),
    );
    expect(result.slo.map((v) => [v.metric, v.op, v.target])).toEqual([
      ['p95_ms{scenario:recommendations}', '<', 100],
      ['availability', '>=', 0.999],
    ]);
    // 20 ordinary + 1 explain (its 1 % side stream); the warm-up's calls are not counted.
    expect(result.metrics.iterations).toBe(21);
    expect(result.metrics.availability).toBe(1);
    const generator = result.metrics.generator as { valid: boolean };
    expect(exit).toBe(result.pass ? EXIT.pass : generator.valid ? EXIT.thresholdFailed : EXIT.invalid);

    const html = readFileSync(join(outDir, 'recs-steady.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect(printed.join('\n')).toContain('recs-steady.html');
  });

  it('when rec-api flags some answers degraded, then recs-steady reports their share beside latency', async () => {
    // Every fourth ordinary answer fell back somewhere; explain calls are never degraded here.
    let ordinary = 0;
    const api = await startFakeServer((app) => {
      app.get<{ Querystring: { explain?: string } }>('/v1/recommendations/:userId', async (request) => {
        if (request.query.explain === 'true') return { items: [], degraded: false };
        ordinary += 1;
        return { items: [], degraded: ordinary % 4 === 0 };
      });
    });
    servers.push(api);
    const { io: out, outDir } = io();

    await runCommand(
      parseCliArgs(['recs-steady', '--rate', '40', '--duration', '1', '--warmup', '0']),
      unusedTargets(api.origin),
      out,
    );

    const result = readResult(join(outDir, 'recs-steady.json'));
    const degraded = result.metrics.degraded as number;
    // 40 ordinary calls (1 in 4 degraded) and at most one explain call (never degraded); rounded to 6 places.
    expect(degraded).toBeGreaterThanOrEqual(0.2439);
    expect(degraded).toBeLessThanOrEqual(0.25);
  });

  it('when a capacity scenario runs, then it steps the rate up until a step breaks and reports the last that held', async () => {
    // 12 ordinary calls succeed, then every one fails: the 5/s step (5 calls) and
    // the 6.25/s step (7 calls) hold, the next one breaks.
    const api = await fakeRecApi(12);
    const capacity: ScenarioDefinition = defineScenario({
      name: 'test-capacity',
      description: 'capacity against a fake rec-api',
      target: 'rec-api',
      params: recommendationParams,
      metrics: recommendationMetrics,
      options: {
        scenarios: { main: { executor: 'constant-arrival-rate', rate: 5, duration: '1s' } },
        thresholds: { availability: ['rate>=0.999'] },
        capacity: { startRate: 5, factor: 1.25, maxRate: 50, stepDuration: '1s' },
        // This test checks the finder, not the shared machine it runs on.
        generator: {
          maxLateStartShare: 1,
          maxEventLoopP99Ms: Number.POSITIVE_INFINITY,
          maxCpuShare: Number.POSITIVE_INFINITY,
        },
      },
      open: openRecommendations,
    }) as ScenarioDefinition;
    const { io: out, outDir } = io();
    const exit = await runCommand(parseCliArgs(['test-capacity']), unusedTargets(api.origin), out, {
      'test-capacity': capacity,
    });

    const result = readResult(join(outDir, 'test-capacity.json'));
    expect(result.metrics.capacity_rps).toBe(6.25);
    // The workload's own shares come with each step: the fake never flags an answer degraded.
    expect((result.metrics.steps as Array<{ degraded: number | null }>)[0]!.degraded).toBe(0);
    expect(result.metrics.first_failed_rps).toBe(7.81);
    expect(
      (result.metrics.steps as Array<{ rate: number; held: boolean }>).map((s) => [s.rate, s.held]),
    ).toEqual([
      [5, true],
      [6.25, true],
      [7.81, false],
    ]);
    expect(result.pass).toBe(true);
    expect(exit).toBe(EXIT.pass);
    const html = readFileSync(join(outDir, 'test-capacity.html'), 'utf8');
    expect(html).toContain('Latency versus offered rate');
    expect(html).toContain('capacity 6.25/s');
  });

  it('when txn-api only accepts (202) instead of answering with the decision, then fraud-http counts errors, not fast decisions', async () => {
    const txnApi = await startFakeServer((app) => {
      app.post('/v1/transactions', async (_request, reply) => reply.code(202).send({ status: 'accepted' }));
    });
    servers.push(txnApi);
    const { io: out, outDir } = io();
    const exit = await runCommand(
      parseCliArgs(['fraud-http', '--rate', '10', '--duration', '1', '--warmup', '0']),
      { 'rec-api': 'http://127.0.0.1:9', 'txn-api': txnApi.origin, kafka: '127.0.0.1:9' },
      out,
    );
    const result = readResult(join(outDir, 'fraud-http.json'));
    expect(result.metrics.error_reasons).toEqual({ 'status 202': 10 });
    expect(result.slo.find((v) => v.metric === 'availability')?.pass).toBe(false);
    expect(exit).not.toBe(EXIT.pass);
  });

  it('when the smoke suite runs with Kafka missing, then every scenario is tried and the summary shows which failed', async () => {
    const recApi = await fakeRecApi();
    const txnApi = await startFakeServer((app) => {
      app.post('/v1/transactions', async () => ({ decision: 'approve' }));
    });
    servers.push(txnApi);
    const { io: out, outDir } = io();
    const exit = await runCommand(
      parseCliArgs(['smoke', '--rate', '4', '--duration', '1']),
      { 'rec-api': recApi.origin, 'txn-api': txnApi.origin, kafka: '127.0.0.1:9' },
      out,
    );

    expect(exit).toBe(EXIT.thresholdFailed);
    const summary = readResult(join(outDir, 'smoke.json'));
    const members = summary.metrics.members as Array<{ name: string; error?: string }>;
    expect(members.map((m) => m.name)).toEqual([
      'recs-steady',
      'recs-ramp',
      'recs-capacity',
      'fraud-http',
      'fraud-stream',
    ]);
    expect(members.find((m) => m.name === 'fraud-stream')?.error).toMatch(
      /cannot reach Kafka at 127\.0\.0\.1:9/,
    );
    for (const name of ['recs-steady', 'recs-ramp', 'recs-capacity', 'fraud-http']) {
      expect(members.find((m) => m.name === name)?.error).toBeUndefined();
      expect(existsSync(join(outDir, 'smoke', `${name}.html`))).toBe(true);
    }
    // At a smoke test's rate the throughput threshold is left out; latency and errors stay.
    const fraudHttp = readResult(join(outDir, 'smoke', 'fraud-http.json'));
    expect(fraudHttp.slo.map((v) => v.metric)).toEqual(['p99_ms', 'availability']);
    expect(summary.pass).toBe(false);
  });
});
