import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progressLine } from '@mlsys/load-tests';
import { waitUntil } from '@mlsys/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  childProcessLauncher,
  type LaunchLoad,
  type LoadLaunch,
  LoadRuns,
} from '../src/adapters/load-runs.js';
import { buildApp } from '../src/app.js';
import { loadOutcome, parseProgressLine } from '../src/domain/load-progress.js';
import { bearer, consoleDeps } from './app-deps.js';

/** The runner's own progress line (so a change of its format fails here, not on the page). */
const progress = (
  elapsed: number,
  rate: number,
  p95SoFar: number | null,
  lastSecond = { p50Ms: 2, p95Ms: 4, p99Ms: 7.5 },
) =>
  progressLine({
    name: 'recs-steady',
    elapsedS: elapsed,
    totalS: 10,
    ratePerS: rate,
    inFlight: 2,
    p95Ms: p95SoFar,
    lastSecond,
    errors: 1,
    completed: 1000,
    dropped: 0,
    cpuShare: 0.12,
  });

/** A result file as the runner writes it: two seconds of timeline, one latency threshold. */
const RESULT = {
  name: 'recs-steady',
  pass: true,
  metrics: {
    timeline: {
      seconds: [0, 1],
      offered: [10, 10],
      completed: [10, 9],
      errors: [0, 1],
      dropped: [0, 0],
      trends: {
        latency: { p50: [2, 3], p95: [5, 6], p99: [8, null] },
        send_latency: { p50: [1, 1], p95: [2, 2], p99: [3, 3] },
      },
    },
  },
  slo: [{ metric: 'p95_ms{scenario:recommendations}', op: '<', target: 100, value: 6, pass: true }],
};

/** A stand-in for the runner's process: the test prints its lines, writes its files and ends it. */
function standInRunner() {
  const runs: Array<{
    launch: LoadLaunch;
    print: (line: string) => void;
    exit: (status: number | null) => void;
  }> = [];
  const launch: LaunchLoad = (request, onLine) => {
    let exit!: (status: number | null) => void;
    const exited = new Promise<number | null>((resolve) => {
      exit = resolve;
    });
    runs.push({ launch: request, print: onLine, exit });
    return { exited, stop: () => exit(null) };
  };
  return { launch, runs };
}

const writeReports = (outDir: string, scenario: string) => {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `${scenario}.json`), JSON.stringify(RESULT));
  writeFileSync(join(outDir, `${scenario}.html`), '<!doctype html><title>report</title>');
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'console-load-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const request = { scenario: 'recs-steady', rate: 10, durationSeconds: 10 } as const;

describe('what the console reads from the runner', () => {
  it('when a progress line is printed, then its second, rate, last second percentiles, p95 so far and errors are read; other lines are not samples', () => {
    expect(parseProgressLine(progress(3, 98, 4.5), 10)).toEqual({
      elapsedS: 3,
      totalS: 10,
      draining: false,
      ratePerS: 98,
      inFlight: 2,
      p95SoFarMs: 4.5,
      p50Ms: 2,
      p95Ms: 4,
      p99Ms: 7.5,
      errors: 1,
    });
    const draining = parseProgressLine(
      progressLine({
        name: 'recs-steady',
        elapsedS: 11,
        totalS: 10,
        ratePerS: 0,
        inFlight: 1,
        p95Ms: null,
        lastSecond: null,
        errors: 0,
        completed: 0,
        dropped: 0,
        cpuShare: 0.03,
      }),
      10,
    );
    expect(draining).toMatchObject({
      elapsedS: 11,
      totalS: 10,
      draining: true,
      p95SoFarMs: null,
      p50Ms: null,
      p99Ms: null,
    });
    expect(parseProgressLine('[recs-steady] warming up for 5 s at the opening rate (not measured)', 10)).toBe(
      undefined,
    );
  });

  it('when a result is read, then the per-second percentiles are of the trend its latency threshold judges', () => {
    const recs = loadOutcome(RESULT);
    expect(recs.trend).toBe('latency');
    expect(recs.seconds[1]).toEqual({ second: 1, completed: 9, errors: 1, p50Ms: 3, p95Ms: 6, p99Ms: null });

    const stream = loadOutcome({
      pass: false,
      metrics: {
        timeline: {
          seconds: [0],
          trends: { latency: { p95: [1] }, decision_latency: { p50: [20], p95: [40], p99: [70] } },
        },
      },
      slo: [{ metric: 'decision_p99_ms', op: '<', target: 50, value: 70, pass: false }],
    });
    expect(stream.trend).toBe('decision_latency');
    expect(stream.seconds[0]?.p99Ms).toBe(70);
  });
});

describe('load runs, one at a time', () => {
  it('when a run goes, then a second start is refused with 409 and its progress follows the runner', () => {
    const runner = standInRunner();
    const runs = new LoadRuns({ launch: runner.launch, reportsDir: dir });
    runs.start(request);
    runner.runs[0]?.print('[recs-steady] warming up for 5 s at the opening rate (not measured)');
    expect(runs.status().run?.phase).toBe('warming up');
    runner.runs[0]?.print(progress(1, 10, 3));
    runner.runs[0]?.print(progress(2, 9, 3.5));

    expect(() => runs.start({ ...request, scenario: 'fraud-http' })).toThrow(/a load run \(recs-steady/);
    const run = runs.status().run;
    expect(run?.phase).toBe('running');
    expect(run?.samples.map((s) => [s.elapsedS, s.ratePerS, s.p95SoFarMs])).toEqual([
      [1, 10, 3],
      [2, 9, 3.5],
    ]);
    expect(runner.runs).toHaveLength(1);
  });

  it('when the runner passes and writes its reports, then the run links them and its per-second figures', async () => {
    const runner = standInRunner();
    const runs = new LoadRuns({ launch: runner.launch, reportsDir: dir });
    runs.start(request);
    const [first] = runner.runs;
    writeReports(first!.launch.outDir, 'recs-steady');
    first!.exit(0);
    await waitUntil(() => runs.status().run?.state !== 'running', {
      timeoutMs: 5000,
      what: 'the run to end',
    });

    const run = runs.status().run;
    expect(run?.state).toBe('passed');
    expect(run?.report).toEqual({ html: '/reports/recs-steady.html', json: '/reports/recs-steady.json' });
    expect(run?.outcome?.seconds.map((s) => s.p95Ms)).toEqual([5, 6]);
    expect(first!.launch.outDir.startsWith(dir)).toBe(true);
  });

  it("when a report is asked for, then only a plain file name of the last run's folder is given", async () => {
    const runner = standInRunner();
    const runs = new LoadRuns({ launch: runner.launch, reportsDir: dir });
    expect(runs.reportFile('recs-steady.html')).toBe(undefined);
    runs.start(request);
    const outDir = runner.runs[0]!.launch.outDir;
    writeReports(outDir, 'recs-steady');
    writeFileSync(join(dir, 'secret.json'), '{}');
    runner.runs[0]!.exit(1);
    await waitUntil(() => runs.status().run?.state !== 'running', {
      timeoutMs: 5000,
      what: 'the run to end',
    });

    expect(runs.status().run?.state).toBe('failed');
    expect(runs.reportFile('recs-steady.html')).toBe(join(outDir, 'recs-steady.html'));
    for (const name of ['../secret.json', '..%2Fsecret.json', '/etc/passwd', 'recs-steady.js', 'nope.json'])
      expect(runs.reportFile(name)).toBe(undefined);

    // A new run's folder replaces the last one's: the older reports are no longer served.
    runs.start({ ...request, scenario: 'fraud-http' });
    expect(runs.reportFile('recs-steady.html')).toBe(undefined);
  });

  it('when the runner cannot run or cannot start, then the run says so with its last lines', async () => {
    const runner = standInRunner();
    const runs = new LoadRuns({ launch: runner.launch, reportsDir: dir });
    runs.start(request);
    runner.runs[0]!.print('✖ rec-api at http://127.0.0.1:8080 is not ready: start the stack with npm start');
    runner.runs[0]!.exit(2);
    await waitUntil(() => runs.status().run?.state !== 'running', {
      timeoutMs: 5000,
      what: 'the run to end',
    });
    expect(runs.status().run).toMatchObject({ state: 'could-not-run', phase: 'done' });
    expect(runs.status().run?.tail).toEqual([
      '✖ rec-api at http://127.0.0.1:8080 is not ready: start the stack with npm start',
    ]);

    const broken = new LoadRuns({
      launch: () => {
        throw new Error('the load runner is not built');
      },
      reportsDir: dir,
    });
    expect(broken.start(request)).toMatchObject({
      state: 'could-not-run',
      tail: ['the load runner is not built'],
    });
  });

  it('when the console stops during a run, then the runner is stopped and the run is marked stopped', async () => {
    const runner = standInRunner();
    const runs = new LoadRuns({ launch: runner.launch, reportsDir: dir });
    runs.start(request);
    await runs.stop();
    await waitUntil(() => runs.status().run?.state !== 'running', {
      timeoutMs: 5000,
      what: 'the run to end',
    });
    expect(runs.status().run?.state).toBe('stopped');
  });
});

describe('the real launcher', () => {
  it("when started, then the runner's entry point gets the scenario, rate, duration and folder, and the stack's addresses only", async () => {
    // A stand-in for the runner's entry point: echoes what it was given, prints a progress line, writes its reports.
    const cli = join(dir, 'cli.cjs');
    writeFileSync(
      cli,
      `const fs = require('node:fs');
const args = process.argv.slice(2);
const out = args[args.indexOf('--out') + 1];
console.log(JSON.stringify({ args, token: process.env.CONSOLE_TOKEN ?? null, rec: process.env.REC_API_URL }));
console.error(${JSON.stringify(progress(1, 10, 3))});
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(out + '/recs-steady.json', ${JSON.stringify(JSON.stringify(RESULT))});
fs.writeFileSync(out + '/recs-steady.html', '<p>report</p>');
process.exitCode = 1;
`,
    );
    const runs = new LoadRuns({
      reportsDir: join(dir, 'runs'),
      launch: childProcessLauncher({
        root: dir,
        runner: [cli],
        env: {
          PATH: '',
          REC_API_URL: 'http://127.0.0.1:1',
          TXN_API_URL: 'http://127.0.0.1:2',
          KAFKA_BROKERS: 'k:1',
        },
      }),
    });
    runs.start(request);
    await waitUntil(() => runs.status().run?.state !== 'running', {
      timeoutMs: 20_000,
      what: 'the runner to exit',
    });

    const run = runs.status().run!;
    expect(run.state).toBe('failed');
    expect(run.samples).toHaveLength(1);
    const echoed = JSON.parse(run.tail[0]!);
    expect(echoed.args.slice(0, 5)).toEqual(['recs-steady', '--rate', '10', '--duration', '10s']);
    expect(echoed.token).toBe(null);
    expect(echoed.rec).toBe('http://127.0.0.1:1');
    expect(readFileSync(runs.reportFile('recs-steady.html')!, 'utf8')).toBe('<p>report</p>');
  });
});

describe('the load routes', () => {
  let app: ReturnType<typeof buildApp> | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  function build() {
    const runner = standInRunner();
    const runs = new LoadRuns({ launch: runner.launch, reportsDir: dir });
    const { deps } = consoleDeps({
      load: {
        scenarios: ['recs-steady'],
        start: (r) => runs.start(r),
        status: () => runs.status(),
        stop: () => runs.stop(),
        reportFile: (name) => runs.reportFile(name),
      },
    });
    app = buildApp(deps);
    return { app, runner, runs };
  }

  it('when a run is posted with the token, then 202, its progress is readable without it, and a second post is 409', async () => {
    const { app, runner } = build();
    const started = await app.inject({ method: 'POST', url: '/api/load', payload: request, headers: bearer });
    runner.runs[0]!.print(progress(1, 10, 3));
    const again = await app.inject({ method: 'POST', url: '/api/load', payload: request, headers: bearer });
    const status = await app.inject({ method: 'GET', url: '/api/load' });

    expect(started.statusCode).toBe(202);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(/wait for it to finish/);
    expect(status.json().run).toMatchObject({
      scenario: 'recs-steady',
      state: 'running',
      samples: [{ ratePerS: 10 }],
    });
  });

  it('when the stop button is pressed during a run, then the runner is stopped and a new run may start', async () => {
    const { app, runner } = build();
    await app.inject({ method: 'POST', url: '/api/load', payload: request, headers: bearer });
    const refused = await app.inject({ method: 'POST', url: '/api/load/stop' });
    const stopped = await app.inject({ method: 'POST', url: '/api/load/stop', headers: bearer });
    const next = await app.inject({ method: 'POST', url: '/api/load', payload: request, headers: bearer });

    expect(refused.statusCode).toBe(401);
    expect(stopped.json().run.state).toBe('stopped');
    expect(next.statusCode).toBe(202);
    expect(runner.runs).toHaveLength(2);
  });

  it.each([
    [{ ...request, rate: 20_000 }, 'rate'],
    [{ ...request, rate: 0 }, 'rate'],
    [{ ...request, durationSeconds: 301 }, 'durationSeconds'],
    [{ ...request, scenario: 'recs-capacity' }, 'scenario'],
    [{ scenario: 'recs-steady', rate: 10 }, 'durationSeconds'],
  ])('when %j is posted, then 400 names %s and no run starts', async (payload, field) => {
    const { app, runner } = build();
    const res = await app.inject({ method: 'POST', url: '/api/load', payload, headers: bearer });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json().error.fields)).toContain(field);
    expect(runner.runs).toHaveLength(0);
  });

  it("when the run's report is asked for, then it is served without scripts allowed; anything outside its folder is 404", async () => {
    const { app, runner, runs } = build();
    await app.inject({ method: 'POST', url: '/api/load', payload: request, headers: bearer });
    writeReports(runner.runs[0]!.launch.outDir, 'recs-steady');
    runner.runs[0]!.exit(0);
    await waitUntil(() => runs.status().run?.state !== 'running', {
      timeoutMs: 5000,
      what: 'the run to end',
    });

    const html = await app.inject({ method: 'GET', url: '/reports/recs-steady.html' });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect((await app.inject({ method: 'GET', url: '/reports/recs-steady.json' })).json().pass).toBe(true);
    for (const url of ['/reports/..%2F..%2Fpackage.json', '/reports/%2Fetc%2Fpasswd', '/reports/other.html'])
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(404);
  });
});
