import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, createMetrics, StageTimer, serverTimingHeader } from '../src/index.js';

describe('createLogger', () => {
  it('when a log line carries a card token or an IP, then they are redacted', async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    const logger = createLogger({ service: 'svc', destination: stream });
    logger.info({ txn: { cardId: 'card-42', ip: '10.1.2.3', amount: 12 } }, 'scored');
    await new Promise((resolve) => setImmediate(resolve));
    const line = JSON.parse(lines.join(''));
    expect(line.service).toBe('svc');
    expect(line.txn).toEqual({ cardId: '[redacted]', ip: '[redacted]', amount: 12 });
  });
});

describe('createMetrics', () => {
  it('when the same metric is asked for twice, then both calls share one series', async () => {
    const metrics = createMetrics('svc', { defaultMetrics: false });
    metrics.counter('requests_total', 'requests', ['route']).inc({ route: '/a' });
    metrics.counter('requests_total', 'requests', ['route']).inc({ route: '/a' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('requests_total{route="/a",service="svc"} 2');
  });
});

describe('StageTimer', () => {
  it('when stages run, then the header lists each with its duration', async () => {
    const timer = new StageTimer();
    await timer.time('features', async () => 1);
    timer.record('rank', 2.5, 'onnx');
    expect(timer.stages.map((s) => s.name)).toEqual(['features', 'rank']);
    expect(timer.header()).toMatch(/^features;dur=\d+\.\d{2}, rank;dur=2\.50;desc="onnx"$/);
  });

  it('when a stage throws, then its time is still recorded', async () => {
    const timer = new StageTimer();
    await expect(timer.time('ann', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(timer.stages).toHaveLength(1);
  });

  it('when a metric name is not an HTTP token, then rendering refuses it', () => {
    expect(() => serverTimingHeader([{ name: 'bad name', ms: 1 }])).toThrow(/not an HTTP token/);
  });
});
