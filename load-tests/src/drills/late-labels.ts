import { type Chargeback, type FraudMonitorReport, Topics, type Transaction } from '@mlsys/contracts';
import { fraud } from '@mlsys/datagen';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { checkReady, HttpClient } from '../http/client.js';
import { param } from '../params.js';
import { defineScenario } from '../scenario.js';
import { seededRandom } from '../workloads/random.js';
import { type Cell, type DrillFindings, DrillRefused, defineDrill } from './drill.js';
import { drillLoad, generatorNote } from './drill-load.js';
import { LabelLedger, type Quality } from './label-ledger.js';
import { percent } from './table.js';

/** The next payment and whether the simulator made it a fraud. */
export type NextPayment = () => { transaction: Transaction; isFraud: boolean };

/**
 * The fraud simulator's payments in order from simulated day `fromDay`
 * (chargeback events skipped: the drill reports its own). The first days
 * hold almost no fraud, since the Handbook's compromised cards and terminals
 * build up over time, so a one-minute sample from day 0 would have none.
 */
export function simulatorPayments(profileName: string, fromDay: number): NextPayment {
  const profile = fraud.fraudProfile(profileName);
  const from = Date.parse(profile.startDate) + fromDay * 86_400_000;
  const events = fraud.simulateFraud(profile);
  const take = (): ReturnType<NextPayment> => {
    for (;;) {
      const next = events.next();
      if (next.done) throw new Error(`the ${profileName} simulation ran out of payments`);
      const event = next.value;
      if (event.kind === 'transaction' && event.transaction.eventTime >= from)
        return { transaction: event.transaction, isFraud: event.label.isFraud };
    }
  };
  // Skipping to the first day costs seconds of CPU: done now, before the run, not in its first iteration.
  let pending: ReturnType<NextPayment> | undefined = take();
  return () => {
    const payment = pending ?? take();
    pending = undefined;
    return payment;
  };
}

/** The payments through txn-api, each decision and label kept in the drill's ledger. */
function paymentsScenario(ledger: LabelLedger, nextPayment: NextPayment) {
  return defineScenario({
    name: 'late-labels',
    description: "the fraud simulator's payments to POST /v1/transactions?wait=true, decisions kept",
    target: 'txn-api',
    params: {
      connections: param.int({ description: 'keep-alive connections', default: 32, min: 1 }),
      timeoutMs: param.int({ description: 'per-request timeout', default: 10_000, min: 1 }),
    },
    options: {
      scenarios: {
        payments: {
          executor: 'constant-arrival-rate',
          rate: 40,
          timeUnit: '1s',
          duration: '30s',
          maxVUs: 500,
        },
      },
      tags: { design: 'fraud' },
    },
    async open({ params, target, runId, warmup }) {
      await checkReady(target, 'txn-api');
      const client = new HttpClient(target, { connections: params.connections, timeoutMs: params.timeoutMs });
      return {
        exec: {
          default: async (iteration) => {
            const { transaction: simulated, isFraud } = nextPayment();
            const transaction: Transaction = {
              ...simulated,
              transactionId: `${runId}-${simulated.transactionId}`,
              eventTime: Math.round(iteration.scheduledWallTime),
            };
            const exchange = await client.exchange(
              {
                method: 'POST',
                path: '/v1/transactions?wait=true',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(transaction),
              },
              iteration.now,
            );
            const ok = exchange.status === 200;
            if (ok && !warmup) {
              const { decision } = JSON.parse(exchange.body ?? '{}') as { decision?: string };
              ledger.add({
                transactionId: transaction.transactionId,
                cardId: transaction.cardId,
                eventTime: transaction.eventTime,
                amount: transaction.amount,
                flagged: decision !== undefined && decision !== 'approve',
                isFraud,
              });
            }
            const sent = exchange.sentAt === undefined ? {} : { sentAt: exchange.sentAt };
            return ok
              ? { ok, ...sent }
              : { ok, ...sent, error: exchange.error ?? `status ${exchange.status}` };
          },
        },
        close: () => client.close(),
      };
    },
  });
}

export interface LateLabelsDeps {
  /** Produces chargebacks to the chargebacks topic; tests give a stand-in. */
  produce?: (brokers: string, chargebacks: Chargeback[], topic: string) => Promise<void>;
  fetchReport?: (monitorUrl: string) => Promise<FraudMonitorReport>;
  sleep?: (ms: number) => Promise<void>;
  /** Where payments come from; the simulator of `--param profile` by default. */
  payments?: (profile: string, fromDay: number) => NextPayment;
}

/** Produces the chargebacks to `topic` as every producer of it does: JSON, keyed by card, timestamped at the report. */
export async function produceChargebacks(
  brokers: string,
  chargebacks: Chargeback[],
  topic: string = Topics.chargebacks.name,
): Promise<void> {
  if (chargebacks.length === 0) return;
  const kafka = new Kafka({
    clientId: 'drill-late-labels',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    // Keyed by card like every producer of the topic (packages/contracts topics.ts).
    await producer.send({
      topic,
      messages: chargebacks.map((c) => ({
        key: c.cardId,
        value: JSON.stringify(c),
        timestamp: String(c.reportedAt),
      })),
    });
  } finally {
    await producer.disconnect();
  }
}

async function fetchMonitorReport(monitorUrl: string): Promise<FraudMonitorReport> {
  const res = await fetch(`${monitorUrl}/v1/report`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`fraud-monitor GET /v1/report answered ${res.status}`);
  return (await res.json()) as FraudMonitorReport;
}

const params = {
  rate: param.number({ description: 'payments per second to txn-api', default: 40, min: 1 }),
  seconds: param.int({ description: 'how long payments are sent', default: 60, min: 1 }),
  profile: param.oneOf(['default', 'handbook', 'tiny'] as const, {
    description: "the fraud simulator's profile the payments come from",
    default: 'default',
  }),
  fromDay: param.int({
    description: 'simulated day the payments start from (the first days hold almost no fraud)',
    default: 30,
    min: 0,
  }),
  ages: param.list({
    description: 'label ages (days) at which the table is read',
    default: ['1', '3', '7', '14', '30', '90'],
  }),
  monitorWaitSeconds: param.int({
    description: 'how long to wait, per step, for the monitor to read the chargebacks just sent',
    default: 8,
    min: 0,
  }),
  seed: param.int({ description: 'seed of the dispute delays', default: 1 }),
  chargebacksTopic: param.string({
    description: 'topic fraud-monitor reads chargebacks from',
    default: Topics.chargebacks.name,
  }),
};

const row = (label: string, chargebacks: Cell, q: Quality, monitor: Cell[]): Cell[] => [
  label,
  chargebacks,
  q.truePositives,
  percent(q.precision),
  percent(q.recall),
  ...monitor,
];

export function lateLabels(deps: LateLabelsDeps = {}) {
  const produce = deps.produce ?? produceChargebacks;
  const fetchReport = deps.fetchReport ?? fetchMonitorReport;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return defineDrill({
    name: 'late-labels',
    question: 'Your labels are chargebacks that arrive weeks later. What is your precision and recall today?',
    summary:
      "fraud: the simulator's payments through txn-api, then their chargebacks released by dispute delay (1 day ... 90 days): precision and recall as counted at each age, the monitor's view, and the truth",
    needs: ['txn-api', 'fraud-monitor'],
    params,
    budgetMs: 150_000,
    async run({ targets, params: p, step, progress }): Promise<DrillFindings> {
      const ages = p.ages.map(Number).sort((a, b) => a - b);
      if (ages.length === 0 || ages.some((a) => !(a >= 0)))
        throw new DrillRefused(`--param ages must be days >= 0, e.g. 1,7,30; got "${p.ages.join(',')}"`);
      const ledger = new LabelLedger(seededRandom(p.seed));
      step(
        `sending the fraud simulator's payments (${p.profile} profile, from simulated day ${p.fromDay}) at ${p.rate}/s for ${p.seconds} s; chargebacks withheld`,
      );
      const run = await drillLoad({
        scenario: paymentsScenario(ledger, (deps.payments ?? simulatorPayments)(p.profile, p.fromDay)),
        targets,
        ratePerSecond: p.rate,
        durationMs: p.seconds * 1000,
        warmupMs: 0,
        label: 'late-labels payments',
        progress,
      });
      const truth = ledger.truth();
      step(
        `${ledger.size} payments decided: ${truth.flagged} flagged, ${truth.frauds} frauds by the simulator's labels`,
      );
      const rows: Cell[][] = [];
      const steps: Array<{ age_days: number; chargebacks: number; counted: Quality; monitor: unknown }> = [];
      let sent = 0;
      for (const age of ages) {
        const batch = ledger.release(age, Date.now());
        const before =
          (await fetchReport(targets['fraud-monitor']).catch(() => undefined))?.labelDelay.chargebacks ?? 0;
        await produce(targets.kafka, batch, p.chargebacksTopic);
        sent += batch.length;
        // The monitor reads the topic on its own clock: wait until it has counted this batch (bounded).
        let report = await fetchReport(targets['fraud-monitor']);
        for (
          let waited = 0;
          report.labelDelay.chargebacks < before + batch.length && waited < p.monitorWaitSeconds * 4;
          waited++
        ) {
          await sleep(250);
          report = await fetchReport(targets['fraud-monitor']);
        }
        const window = report.quality[0];
        const counted = ledger.counted();
        step(`day ${age}: ${batch.length} more chargebacks produced (${sent} in all)`);
        steps.push({ age_days: age, chargebacks: sent, counted, monitor: window ?? null });
        rows.push(
          row(`after ${age} d`, sent, counted, [
            window ? percent(window.precision) : null,
            window ? percent(window.recall) : null,
            window ? percent(window.labelCoverage) : null,
            window ? `${window.window}: ${window.status}` : null,
          ]),
        );
      }
      // The truth has no chargeback count: it is every fraud, disputed or not.
      rows.push(row("truth (simulator's labels)", null, truth, [null, null, null, null]));
      const first = steps[0]?.counted;
      const last = steps.at(-1)?.counted;
      const notes = [
        "the monitor's columns are its shortest quality window, which also holds any other traffic the stack had (the console's demo)",
        "chargebacks are sent with the wall clock as their report time: only the drill's order of release stands for the days that pass",
      ];
      const note = generatorNote(run, 'late-labels');
      if (note) notes.push(note);
      return {
        table: {
          columns: [
            'labels known',
            'chargebacks',
            'caught',
            'precision',
            'recall',
            'monitor precision',
            'monitor recall',
            'coverage',
            'monitor says',
          ],
          rows,
        },
        talkingPoint:
          `Counted as it stands, precision read ${percent(first?.precision) ?? '?'} after ${ages[0]} d and ${percent(last?.precision) ?? '?'} after ${ages.at(-1)} d, ` +
          `against ${percent(truth.precision) ?? '?'} with every label; recall read ${percent(first?.recall) ?? '?'} then ${percent(last?.recall) ?? '?'} ` +
          `(truth ${percent(truth.recall) ?? '?'}). An unlabelled fraud counts as legitimate, so young precision is too low by about the missing share, ` +
          'while recall is roughly right early if delays do not depend on the decision. So judge a cohort only once its labels have matured: ' +
          'the monitor reports precision as "not yet known" below its label coverage threshold, learns the delay distribution from the chargebacks it sees, ' +
          'and watches what needs no label meanwhile (input drift).',
        metrics: { payments: ledger.size, truth, steps },
        notes,
      };
    },
  });
}
