import { afterEach, describe, expect, it } from 'vitest';
import { percentileMs } from '../src/histogram.js';
import { runLoad } from '../src/run-load.js';
import { delay, type FakeServer, startFakeServer } from './helpers/fake-server.js';
import { constantRate, httpScenario } from './helpers/http-scenario.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const quiet = () => {};

describe('latency measured over HTTP', () => {
  it('when the server has a known latency distribution, then the runner reports its percentiles', async () => {
    // Of every 20 requests, 16 take 20 ms, 3 take 60 ms and 1 takes 150 ms:
    // p50 = 20, p90 = 60, p99 = 150 (plus the round trip).
    let n = 0;
    const server = await startFakeServer((app) => {
      app.get('/work', async () => {
        const slot = n++ % 20;
        await delay(slot < 16 ? 20 : slot < 19 ? 60 : 150);
        return { ok: true };
      });
    });
    servers.push(server);

    const run = await runLoad({
      scenario: httpScenario({ method: 'GET', path: '/work' }, constantRate(50, '2s')),
      options: constantRate(50, '2s'),
      target: server.origin,
      params: {},
      print: quiet,
    });

    const send = run.recorder.histogram('send_latency');
    expect(send?.totalCount).toBe(100);
    // Lower bounds are exact (a timer never fires early). Each percentile must
    // land in its own band, below the next band's floor: that is what shows the
    // histogram tells them apart. The last band's ceiling only catches a
    // runaway; a tighter one would time the test machine, not the runner.
    for (const [p, floor, ceiling] of [
      [50, 20, 60],
      [90, 60, 150],
      [99, 150, 1000],
    ] as const) {
      const measured = percentileMs(send, p) as number;
      expect(measured).toBeGreaterThanOrEqual(floor);
      expect(measured).toBeLessThan(ceiling);
    }
    // From the scheduled start can only be longer than from the send.
    expect(percentileMs(run.recorder.histogram('latency'), 50)).toBeGreaterThanOrEqual(
      percentileMs(send, 50) as number,
    );
    expect(run.recorder.share('availability')).toBe(1);
  });

  it('when the server stalls one request for 1 s, then the queue behind it shows in scheduled-start latency only', async () => {
    // One connection, like a closed-loop tool with one user: while the first
    // request is stalled the others wait in the client's queue, unsent.
    let first = true;
    const server = await startFakeServer((app) => {
      app.get('/work', async () => {
        if (first) {
          first = false;
          await delay(1000);
        }
        return { ok: true };
      });
    });
    servers.push(server);

    const run = await runLoad({
      scenario: httpScenario({ method: 'GET', path: '/work' }, constantRate(20, '2s'), 1),
      options: constantRate(20, '2s'),
      target: server.origin,
      params: {},
      print: quiet,
    });

    const scheduled = run.recorder.histogram('latency');
    const send = run.recorder.histogram('send_latency');
    expect(scheduled?.totalCount).toBe(40);
    // The ~20 requests due during the stall waited up to a second each...
    expect(percentileMs(scheduled, 75)).toBeGreaterThanOrEqual(400);
    expect(percentileMs(scheduled, 100)).toBeGreaterThanOrEqual(1000);
    // ...but once sent were answered at once: only the stalled one is slow from the send.
    expect(percentileMs(send, 75)).toBeLessThan(200);
    expect(percentileMs(send, 100)).toBeGreaterThanOrEqual(1000);
  });

  it('when the server answers with errors, then they count against availability with their status', async () => {
    let n = 0;
    const server = await startFakeServer((app) => {
      app.get('/work', async (_request, reply) =>
        n++ % 4 === 0 ? reply.code(503).send({ error: 'busy' }) : { ok: true },
      );
    });
    servers.push(server);
    const run = await runLoad({
      scenario: httpScenario({ method: 'GET', path: '/work' }, constantRate(40, '1s')),
      options: { ...constantRate(40, '1s'), thresholds: { availability: ['rate>=0.999'] } },
      target: server.origin,
      params: {},
      print: quiet,
    });
    expect(run.recorder.share('availability')).toBe(0.75);
    expect(run.recorder.errorReasons()).toEqual({ 'status 503': 10 });
    expect(run.verdicts).toEqual([
      { metric: 'availability', op: '>=', target: 0.999, value: 0.75, pass: false },
    ]);
  });

  it('when nothing listens at the target, then every request fails with the connection error', async () => {
    const server = await startFakeServer(() => {});
    const origin = server.origin;
    await server.close();
    const run = await runLoad({
      scenario: httpScenario({ method: 'GET', path: '/work' }, constantRate(10, '500ms')),
      options: constantRate(10, '500ms'),
      target: origin,
      params: {},
      print: quiet,
    });
    expect(run.recorder.share('error_rate')).toBe(1);
    expect(Object.keys(run.recorder.errorReasons())).toEqual(['ECONNREFUSED']);
  });
});

describe('honesty check', () => {
  it("when autocannon runs against the same endpoint, then its figures sit beside the runner's in the same run", async () => {
    const server = await startFakeServer((app) => {
      app.get('/work', async () => {
        await delay(20);
        return { ok: true };
      });
    });
    servers.push(server);
    const run = await runLoad({
      scenario: httpScenario({ method: 'GET', path: '/work' }, constantRate(40, '1s'), 8),
      options: constantRate(40, '1s'),
      target: server.origin,
      params: {},
      compareWithAutocannon: true,
      print: quiet,
    });
    const figures = run.autocannon;
    expect(figures?.autocannon_requests).toBeGreaterThan(0);
    expect(figures?.autocannon_errors).toBe(0);
    // Both time the same 20 ms handler from the send.
    expect(figures?.autocannon_p50_ms).toBeGreaterThanOrEqual(20);
    // Same handler, not another one: well below a second, however busy the machine.
    expect(figures?.autocannon_p50_ms).toBeLessThan(1000);
    expect(percentileMs(run.recorder.histogram('send_latency'), 50)).toBeGreaterThanOrEqual(20);
  });
});
