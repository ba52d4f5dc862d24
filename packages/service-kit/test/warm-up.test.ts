import { Writable } from 'node:stream';
import { createLogger, createMetrics, type Metrics } from '@mlsys/telemetry';
import { afterEach, describe, expect, it } from 'vitest';
import { createServiceApp, type ServiceApp, WarmUp } from '../src/index.js';

/** A logger whose JSON lines the test reads back. */
function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ service: 'test', level: 'info', destination }), lines };
}

/** A promise the test settles by hand: a warm-up step that ends when the test says so. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function appWith(
  warmUp: WarmUp,
  metrics: Metrics,
  logger = createLogger({ service: 'test', level: 'silent' }),
) {
  const app = createServiceApp({
    name: 'test-svc',
    version: '1.0.0',
    logger,
    metrics,
    readiness: { checks: { db: async () => 'up' }, warmUp },
  });
  app.get('/hot', async () => ({ ok: true }));
  return app;
}

let app: ServiceApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('WarmUp', () => {
  it('when the warm-up has not finished, then /readyz is 503 naming the step; once it has, 200 and the duration is a metric', async () => {
    const metrics = createMetrics('test-svc', { defaultMetrics: false });
    const { logger, lines } = capturedLogger();
    const warmUp = new WarmUp({ logger, metrics });
    const step = deferred();
    app = appWith(
      warmUp.step('model', () => step.promise),
      metrics,
      logger,
    );

    const before = await app.inject({ url: '/readyz' });
    expect(before.statusCode).toBe(503);
    expect(before.json().checks).toContainEqual({
      name: 'warm-up',
      ok: false,
      detail: 'the hot path has not been warmed yet',
    });

    const running = warmUp.run();
    const during = await app.inject({ url: '/readyz' });
    expect(during.statusCode).toBe(503);
    expect(during.json().checks).toContainEqual({
      name: 'warm-up',
      ok: false,
      detail: 'warming the hot path (model)',
    });

    step.resolve();
    expect(await running).toBe(true);
    const after = await app.inject({ url: '/readyz' });
    expect(after.statusCode).toBe(200);
    expect(after.json().checks.find((c: { name: string }) => c.name === 'warm-up').detail).toMatch(
      /^warmed in \d+ ms$/,
    );
    expect(await metrics.registry.metrics()).toMatch(/^service_warmup_seconds\{service="test-svc"\} \d/m);
    expect(lines.find((l) => l.msg === 'hot path warmed; ready')).toMatchObject({
      stepsMs: { model: expect.any(Number) },
    });
  });

  it('when a step fails, then the service stays unready, the failure is logged and the later steps do not run', async () => {
    const metrics = createMetrics('test-svc', { defaultMetrics: false });
    const { logger, lines } = capturedLogger();
    let laterRan = false;
    const warmUp = new WarmUp({ logger, metrics, retryMs: 0 })
      .step('onnx', async () => {
        throw new Error('input tensor has the wrong shape');
      })
      .step('later', async () => {
        laterRan = true;
      });
    app = appWith(warmUp, metrics, logger);

    expect(await warmUp.run()).toBe(false);

    const res = await app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().checks).toContainEqual({
      name: 'warm-up',
      ok: false,
      detail: 'the warm-up failed at onnx: input tensor has the wrong shape; see the logs',
    });
    expect(laterRan).toBe(false);
    expect(lines.find((l) => l.msg === 'warm-up failed; the service stays unready')).toMatchObject({
      level: 50,
      step: 'onnx',
      err: 'input tensor has the wrong shape',
    });
    expect(await metrics.registry.metrics()).toMatch(/^service_warmup_seconds\{service="test-svc"\} 0$/m);
  });

  it('when a step fails because a dependency is still starting, then the warm-up runs again after a back-off and the service becomes ready', async () => {
    const metrics = createMetrics('test-svc', { defaultMetrics: false });
    const { logger, lines } = capturedLogger();
    let attempts = 0;
    const ready = deferred();
    const warmUp = new WarmUp({ logger, metrics, retryMs: 10, maxRetryMs: 20 }).step('redis', async () => {
      attempts++;
      if (attempts < 3) throw new Error('Command timed out');
      ready.resolve();
    });
    app = appWith(warmUp, metrics, logger);

    expect(await warmUp.run()).toBe(false);
    const failed = await app.inject({ url: '/readyz' });
    expect(failed.statusCode).toBe(503);
    expect(failed.json().checks).toContainEqual({
      name: 'warm-up',
      ok: false,
      detail: 'the warm-up failed at redis: Command timed out; it runs again within 1 s; see the logs',
    });

    await ready.promise;
    await new Promise((resolve) => setImmediate(resolve));
    expect(attempts).toBe(3);
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    expect(lines.filter((l) => l.msg === 'warm-up failed; retrying').map((l) => l.retryInMs)).toEqual([
      10, 20,
    ]);
  });

  it('when the app closes while the warm-up waits to retry, then it runs no more', async () => {
    const metrics = createMetrics('test-svc', { defaultMetrics: false });
    let attempts = 0;
    const warmUp = new WarmUp({
      logger: createLogger({ service: 'test', level: 'silent' }),
      metrics,
      retryMs: 10,
    }).step('redis', async () => {
      attempts++;
      throw new Error('Connection is closed');
    });
    app = appWith(warmUp, metrics);

    expect(await warmUp.run()).toBe(false);
    await app.close();
    app = undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(attempts).toBe(1);
  });

  it('when a step never ends, then it fails after the step timeout', async () => {
    const metrics = createMetrics('test-svc', { defaultMetrics: false });
    const warmUp = new WarmUp({
      logger: createLogger({ service: 'test', level: 'silent' }),
      metrics,
      stepTimeoutMs: 20,
      retryMs: 0,
    }).step('pool', () => new Promise(() => {}));
    app = appWith(warmUp, metrics);

    expect(await warmUp.run()).toBe(false);
    const res = await app.inject({ url: '/readyz' });
    expect(res.json().checks).toContainEqual({
      name: 'warm-up',
      ok: false,
      detail: 'the warm-up failed at pool: no end within 20 ms; see the logs',
    });
  });

  it('when run twice, then the steps run once', async () => {
    const metrics = createMetrics('test-svc', { defaultMetrics: false });
    let runs = 0;
    const warmUp = new WarmUp({ logger: createLogger({ service: 'test', level: 'silent' }), metrics }).step(
      'once',
      async () => {
        runs++;
      },
    );
    await Promise.all([warmUp.run(), warmUp.run()]);
    expect(runs).toBe(1);
  });

  it('when the warm-up sends requests through the app, then the route runs each the given times but the request metrics do not count it', async () => {
    const metrics = createMetrics('test-svc', { defaultMetrics: false });
    const warmUp = new WarmUp({ logger: createLogger({ service: 'test', level: 'silent' }), metrics });
    app = appWith(warmUp, metrics);
    let hits = 0;
    app.get('/counted', async () => ({ hits: ++hits }));
    warmUp.request(
      'hot route',
      app,
      [
        { method: 'GET', url: '/counted' },
        { method: 'GET', url: '/counted?again=1' },
      ],
      { times: 3 },
    );

    expect(await warmUp.run()).toBe(true);
    expect(hits).toBe(6);
    expect(await metrics.registry.metrics()).not.toMatch(
      /http_request_duration_seconds_count\{[^}]*route="\/counted"/,
    );

    await app.inject({ url: '/counted' });
    expect(await metrics.registry.metrics()).toMatch(
      /http_request_duration_seconds_count\{[^}]*route="\/counted"/,
    );
  });

  it('when a warm-up request answers another status than expected, then the step fails naming the status', async () => {
    const metrics = createMetrics('test-svc', { defaultMetrics: false });
    const warmUp = new WarmUp({
      logger: createLogger({ service: 'test', level: 'silent' }),
      metrics,
      retryMs: 0,
    });
    app = appWith(warmUp, metrics);
    warmUp.request('missing route', app, { method: 'GET', url: '/nowhere' });

    expect(await warmUp.run()).toBe(false);
    const res = await app.inject({ url: '/readyz' });
    expect(res.json().checks.find((c: { name: string }) => c.name === 'warm-up').detail).toMatch(
      /^the warm-up failed at missing route: GET \/nowhere answered 404, expected 200/,
    );
  });

  it('when a service has no warm-up, then /readyz has no warm-up check', async () => {
    app = createServiceApp({
      name: 'test-svc',
      version: '1.0.0',
      logger: createLogger({ service: 'test', level: 'silent' }),
      metrics: createMetrics('test-svc', { defaultMetrics: false }),
    });
    const res = await app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json().checks).toEqual([]);
  });
});
