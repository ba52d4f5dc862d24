// `npm run bench -- fraud [--rates 2500,5000,10000] [--seconds 60] [--warmup-seconds 5]
//                         [--drain-seconds 120] [--checkpoint-ms 30000] [--artifacts DIR]
//                         [--kafka host:port] [--redis redis://host:port]
//                         [--modes pipeline,passthrough,eos-passthrough] [--no-designs]
//                         [--cpu-prof DIR] [--stage-node-args='--max-semi-space-size=64']`
//
// `--cpu-prof DIR` runs every stage process with `node --cpu-prof` and writes their profiles
// (one .cpuprofile per process, written when it stops) to DIR: where each stage's CPU goes.
// `--stage-node-args` adds node flags to every stage process (services and pass-through workers),
// to measure a launch setting (e.g. a larger young generation) before the stack adopts it.
//
// The fraud stream end to end at fixed arrival rates: simulated payments (the Handbook simulator
// with card-not-present signals, `default` profile) are produced to `transactions`, keyed by card,
// each stamped with the wall-clock time it is due; the feature engine and the scorer turn them
// into `decisions`, which this process reads back (read committed). Per rate:
//
// - decision latency = time the decision is read - the payment's event time (its due time), so a
//   generator or pipeline falling behind shows up as latency; p50 / p95 / p99 over the payments due
//   after the warm-up;
// - throughput: payments decided / time from the first due payment to the last decision;
// - lost and duplicated decisions, which must both be 0. After producing stops, the run waits
//   while decisions keep coming (a pipeline behind its input drains its backlog) up to
//   --drain-seconds; a payment still undecided once decisions stopped coming for 10 s is lost,
//   one still undecided at the drain limit while decisions were still coming is a backlog;
// - the same run through a plain Kafka consume-and-produce pass-through with the same two hops
//   (at-least-once, records copied as bytes), for the ratio pipeline / pass-through on this machine
//   at this moment, which is what survives a noisy shared host.
//
// Unless --no-designs, the feature state alone (no Kafka) is first compared across designs:
// per-payment Redis Lua against in-memory state with checkpoints (bench/src/fraud/state-designs.ts).
//
// The services run as child processes from their TypeScript sources (node + tsx), as `npm start`
// runs them from their build: feature-engine and fraud-scorer for the pipeline, two
// bench/src/fraud/passthrough/main.ts workers for the pass-through. Each rate gets fresh topics, a
// fresh feature-state namespace and fresh processes, so one rate's backlog never leaks into the
// next. Kafka and Redis are the ones given (the stack's by default; the test servers with
// KAFKA_BROKERS=127.0.0.1:19092 REDIS_URL=redis://127.0.0.1:16379). The modules are in
// bench/src/fraud/.
import { join } from 'node:path';
import { createKafka } from '@mlsys/kafka';
import { type RunResult, writeResult } from '@mlsys/results';
import { simulatedPayments } from '../fraud/generator.js';
import { measure } from '../fraud/measure.js';
import { fraudResult } from '../fraud/report.js';
import type { RateRow } from '../fraud/rows.js';
import { DATA_PROFILE, parseSettings } from '../fraud/settings.js';
import { compareStateDesigns, DESIGN_PAYMENTS } from '../fraud/state-designs.js';
import { resultsDir } from '../paths.js';
import { checkInfra } from '../stack/infra.js';

export async function run(args: string[]): Promise<RunResult> {
  const settings = parseSettings(args);
  const startedAt = new Date();
  const kafka = createKafka({ clientId: 'bench-fraud', brokers: settings.brokers, silent: true, retries: 2 });
  await checkInfra(kafka, settings);
  const longest = Math.max(...settings.rates) * settings.seconds;
  const needed = Math.max(longest, settings.designs ? DESIGN_PAYMENTS : 0);
  const modes = settings.modes;
  const total = settings.rates.length * modes.length * (settings.seconds + 20);
  console.log(
    `fraud stream bench: rates ${settings.rates.join(', ')} tx/s x ${settings.seconds} s, ${modes.join(' + ')}; about ${Math.round(total / 60)} min`,
  );
  console.log(`  simulating ${needed.toLocaleString('en')} payments (${DATA_PROFILE} profile) ...`);
  const payments = simulatedPayments(needed);

  const designs = settings.designs ? await compareStateDesigns(settings, payments) : [];
  const rows: RateRow[] = [];
  for (const rate of settings.rates) {
    for (const mode of modes) {
      const row = await measure(kafka, settings, mode, rate, payments.slice(0, rate * settings.seconds));
      rows.push(row);
      if (row.stages) console.log(`    stages ${JSON.stringify(row.stages)}`);
      console.log(
        `  ${mode.padEnd(11)} ${String(rate).padStart(6)} tx/s: p50 ${row.p50_ms} ms, p99 ${row.p99_ms} ms, ` +
          `${row.throughput_tps} tx/s, lost ${row.lost}, backlog ${row.backlog_at_end}, duplicated ${row.duplicated}, ` +
          `cpu ${Object.entries(row.cpu_cores)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
      );
    }
  }
  const result = fraudResult(settings, rows, designs, startedAt);
  writeResult(join(resultsDir, 'fraud.json'), result);
  return result;
}
