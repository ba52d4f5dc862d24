// Cost of the label join in Redis per decision: writes N decisions at
// 10,000/s of event time in consumer-sized pipelined batches, plus a
// chargeback for 1 % of them, and prints Redis CPU, client wall time and
// memory per decision, then what a report and one window-edge scan cost.
// Usage: REDIS_URL=redis://127.0.0.1:16379 npm run measure-redis -- [decisions] [batch]
// Redis CPU is read from INFO (the whole server's): run it on an idle Redis.
import { performance } from 'node:perf_hooks';
import type { Chargeback, Decision } from '@mlsys/contracts';
import { closeRedis, connectRedis, createRedis, unlinkMatching } from '@mlsys/redis';
import { RedisLabelStore } from '../src/adapters/redis-label-store.js';
import { parseCohorts, parseWindow } from '../src/domain/windows.js';

const url = process.env.REDIS_URL;
if (!url) {
  console.error(
    'set REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:16379 (the test Redis: npm run infra -- up --profile test)',
  );
  process.exit(1);
}
const total = Number(process.argv[2] ?? 200_000);
const batch = Number(process.argv[3] ?? 500);
const RATE = 10_000;
const T0 = Date.UTC(2026, 0, 5);

const redis = createRedis({ url, commandTimeoutMs: 60_000 });
await connectRedis(redis, url);
const namespace = `fm-measure-${process.pid}`;
const store = new RedisLabelStore({
  redis,
  windows: {
    quality: ['1h', '24h', '7d'].map(parseWindow),
    calibration: parseWindow('7d'),
    calibrationBins: 10,
    cohorts: parseCohorts(['7d', '14d', '30d', '60d']),
  },
  maturity: { minCoverage: 0.8, prior: { medianMs: 7 * 86_400_000, spread: 0.6 }, minChargebacks: 100 },
  namespace,
  labelHorizonMs: 90 * 86_400_000,
});
await store.open();

async function serverState(): Promise<{ cpuS: number; memory: number }> {
  const info = await redis.info();
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)![1]);
  return { cpuS: field('used_cpu_user') + field('used_cpu_sys'), memory: field('used_memory') };
}

function decisionAt(i: number): Decision {
  const score = ((i * 7919) % 1000) / 1000;
  return {
    transactionId: `t${i.toString(36).padStart(8, '0')}-0000-4000-8000-000000000000`,
    cardId: `card-${i % 50_000}`,
    decision: score >= 0.8 ? 'decline' : score >= 0.5 ? 'review' : 'approve',
    score,
    reasons: [],
    mode: 'full',
    modelVersion: 'm',
    rulesVersion: 'r',
    eventTime: T0 + Math.floor((i * 1000) / RATE),
    decidedAt: T0 + Math.floor((i * 1000) / RATE) + 20,
  };
}

async function phase(name: string, count: number, write: (from: number, to: number) => Promise<void>) {
  const before = await serverState();
  const started = performance.now();
  for (let from = 0; from < count; from += batch) await write(from, Math.min(count, from + batch));
  const wallMs = performance.now() - started;
  const after = await serverState();
  const row = {
    phase: name,
    events: count,
    'redis CPU µs/event': +(((after.cpuS - before.cpuS) * 1e6) / count).toFixed(2),
    'client wall µs/event': +((wallMs * 1000) / count).toFixed(2),
    'memory B/event': Math.round((after.memory - before.memory) / count),
    'events/s (one client)': Math.round(count / (wallMs / 1000)),
  };
  console.table([row]);
  return row;
}

try {
  console.log(`${total} decisions at ${RATE}/s of event time, batches of ${batch}, namespace ${namespace}`);
  await phase('decisions', total, (from, to) =>
    store.addDecisions(Array.from({ length: to - from }, (_, k) => decisionAt(from + k))),
  );
  await phase('redelivered decisions', Math.min(total, 50_000), (from, to) =>
    store.addDecisions(Array.from({ length: to - from }, (_, k) => decisionAt(from + k))),
  );
  const charged = Math.floor(total / 100);
  await phase('chargebacks (1 %)', charged, (from, to) =>
    store.addChargebacks(
      Array.from({ length: to - from }, (_, k): Chargeback => {
        const d = decisionAt((from + k) * 100);
        return {
          transactionId: d.transactionId,
          cardId: d.cardId,
          eventTime: d.eventTime,
          reportedAt: d.eventTime + 86_400_000,
        };
      }),
    ),
  );
  let started = performance.now();
  const report = await store.report();
  console.log(
    `report (1h, 24h, 7d windows, cohorts to 60d: 1,440 hour counters + the range edges): ${(performance.now() - started).toFixed(1)} ms, 7d decisions ${report.quality[2]!.decisions}`,
  );
  // A range's edge cuts one hour (its minutes' counters are read), one minute (its seconds') and one second (its records).
  started = performance.now();
  const counters = redis.pipeline();
  for (let k = 1; k < 60; k++) counters.hgetall(`${namespace}:m:${T0 + k * 60_000}`);
  for (let k = 1; k < 60; k++) counters.hgetall(`${namespace}:s:${T0 + k * 1000}`);
  await counters.exec();
  const records = await redis.hgetall(`${namespace}:r:${T0}`);
  console.log(
    `edge of one range: 59 minute and 59 second counters + ${Object.keys(records).length} records of one second in ${(performance.now() - started).toFixed(1)} ms`,
  );
} finally {
  await unlinkMatching(redis, `${namespace}:*`);
  await closeRedis(redis);
}
