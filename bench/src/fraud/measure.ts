// One mode at one rate: fresh topics, state namespace and processes, payments produced on
// schedule, decisions read back until they are all in (or stop coming), then everything the run
// created deleted, so one rate's backlog never leaks into the next.
import { loadavg } from 'node:os';
import type { Transaction } from '@mlsys/contracts';
import type { Kafka } from '@mlsys/kafka';
import { uniqueName } from '@mlsys/testkit';
import { Partitioners } from 'kafkajs';
import { cpuSeconds } from '../stack/cpu.js';
import { createRunTopics, deleteRun } from '../stack/infra.js';
import { DecisionReader } from './decision-reader.js';
import { produceAtRate } from './generator.js';
import { round } from './round.js';
import { type RateRow, summarise } from './rows.js';
import type { Mode, Settings } from './settings.js';
import { stageBreakdown } from './stage-breakdown.js';
import { startPassthrough, startPipeline } from './stages.js';

export async function measure(
  kafka: Kafka,
  settings: Settings,
  mode: Mode,
  rate: number,
  payments: readonly Transaction[],
): Promise<RateRow> {
  const run = uniqueName('bench');
  const topics = await createRunTopics(kafka, run);
  const stages =
    mode === 'pipeline'
      ? await startPipeline(settings, run, topics)
      : await startPassthrough(settings, run, topics, mode === 'eos-passthrough' ? 'eos' : 'plain');
  const reader = await DecisionReader.start(kafka, topics.decisions, run);
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    const cpuBefore = stages.map((s) => cpuSeconds(s.child));
    const wallBefore = performance.now();
    const t0 = Date.now() + 500;
    const ids = payments.map((p) => `${run}-${p.transactionId}`);
    const lags = await produceAtRate(producer, topics.transactions, payments, ids, rate, t0);
    const producedUntil = Date.now();
    const drain = await reader.waitForAll(ids.length, producedUntil + settings.drainSeconds * 1000);
    const wallSeconds = (performance.now() - wallBefore) / 1000;
    const cpuCores = Object.fromEntries(
      stages.map((s, i) => [s.name, round((cpuSeconds(s.child) - cpuBefore[i]!) / wallSeconds, 2)]),
    );
    const row = summarise({
      mode,
      rate,
      warmupSeconds: settings.warmupSeconds,
      ids,
      t0,
      arrivals: reader,
      lags,
      cpuCores,
      drain,
      loadAvg1m: loadavg()[0]!,
    });
    row.stages = await stageBreakdown(stages);
    return row;
  } finally {
    await producer.disconnect();
    await reader.stop();
    await Promise.all(stages.map((s) => s.stop()));
    await deleteRun(kafka, settings.redisUrl, Object.values(topics), `${run}:*`);
  }
}
