import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Chargeback, Transaction } from '@mlsys/contracts';
import { LineWriter, readLines } from './csv-lines.js';
import { FRAUD_SCENARIOS, type FraudLabel, type FraudScenario, type SimulatedEvent } from './labels.js';
import type { FraudProfile } from './profiles.js';
import { simulateWorld } from './simulate.js';
import { buildWorld } from './world.js';

/**
 * The simulator's output on disk, `<root>/.cache/data/fraud/<profile>/`:
 * - transactions.csv  payments in event-time order, the label beside them (isFraud, scenario)
 * - chargebacks.csv   the labels as they arrive, in report order
 * - terminals.csv     terminal coordinates, channel and merchant category (public merchant data)
 * - customers.csv     the Handbook customer profiles (ground truth, for analysis only)
 * - summary.json      counts, fraud share per scenario, the profile
 */
export const FRAUD_DATA_FILES = {
  transactions: 'transactions.csv',
  chargebacks: 'chargebacks.csv',
  terminals: 'terminals.csv',
  customers: 'customers.csv',
  summary: 'summary.json',
} as const;

const TRANSACTION_HEADER =
  'transactionId,eventTime,cardId,terminalId,amount,currency,channel,merchantCategory,deviceId,ip,isFraud,scenario';
const CHARGEBACK_HEADER = 'transactionId,cardId,eventTime,reportedAt,scenario';
const TERMINAL_HEADER = 'terminalId,x,y,channel,merchantCategory';
const CUSTOMER_HEADER = 'cardId,x,y,meanAmount,stdAmount,meanTxPerDay,availableTerminals';

export interface FraudDatasetSummary {
  profile: FraudProfile;
  transactions: number;
  frauds: number;
  fraudShare: number;
  fraudsByScenario: Record<FraudScenario, number>;
  ecomShare: number;
  chargebacks: number;
  /** Share of frauds that are never charged back. */
  neverReportedShare: number;
  firstEventTime: number;
  lastEventTime: number;
}

export interface LabelledTransaction {
  transaction: Transaction;
  label: FraudLabel;
}

/**
 * Simulates a profile into `dir`, streaming (one day in memory); `onDay`
 * reports progress. Files are written under temporary names and renamed at
 * the end, so a crash never leaves a half dataset that looks complete.
 */
export function writeFraudDataset(
  dir: string,
  profile: FraudProfile,
  onDay?: (day: number, days: number) => void,
): FraudDatasetSummary {
  mkdirSync(dir, { recursive: true });
  const world = buildWorld(profile);
  writeTable(
    dir,
    FRAUD_DATA_FILES.terminals,
    TERMINAL_HEADER,
    world.terminals.map((t) => `${t.id},${t.x},${t.y},${t.channel},${t.merchantCategory}`),
  );
  writeTable(
    dir,
    FRAUD_DATA_FILES.customers,
    CUSTOMER_HEADER,
    world.customers.map(
      (c) =>
        `${c.id},${c.x},${c.y},${c.meanAmount.toFixed(4)},${c.stdAmount.toFixed(4)},${c.meanTxPerDay.toFixed(4)},${c.availableTerminals.length}`,
    ),
  );

  const temp = (name: string) => join(dir, `${name}.partial`);
  const transactions = new LineWriter(temp(FRAUD_DATA_FILES.transactions), TRANSACTION_HEADER);
  const chargebacks = new LineWriter(temp(FRAUD_DATA_FILES.chargebacks), CHARGEBACK_HEADER);
  const tally = new SummaryTally();
  for (const event of simulateWorld(world, onDay ? { onDay } : {})) {
    tally.add(event);
    if (event.kind === 'transaction') transactions.write(transactionLine(event));
    else chargebacks.write(chargebackLine(event.chargeback));
  }
  transactions.close();
  chargebacks.close();
  renameSync(temp(FRAUD_DATA_FILES.transactions), join(dir, FRAUD_DATA_FILES.transactions));
  renameSync(temp(FRAUD_DATA_FILES.chargebacks), join(dir, FRAUD_DATA_FILES.chargebacks));
  const summary = tally.summary(profile);
  writeFileSync(join(dir, FRAUD_DATA_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

function writeTable(dir: string, name: string, header: string, rows: readonly string[]): void {
  writeFileSync(join(dir, name), `${header}\n${rows.join('\n')}\n`);
}

const transactionLine = ({ transaction: t, label }: LabelledTransaction): string =>
  `${t.transactionId},${t.eventTime},${t.cardId},${t.terminalId},${t.amount},${t.currency},${t.channel},` +
  `${t.merchantCategory},${t.deviceId ?? ''},${t.ip ?? ''},${label.isFraud ? 1 : 0},${label.scenario ?? ''}`;

const chargebackLine = (c: Chargeback): string =>
  `${c.transactionId},${c.cardId},${c.eventTime},${c.reportedAt},${c.scenario ?? ''}`;

/** Counts for summary.json, gathered while the events stream past. */
class SummaryTally {
  private transactions = 0;
  private frauds = 0;
  private ecom = 0;
  private chargebacks = 0;
  private firstEventTime = Number.NaN;
  private lastEventTime = Number.NaN;
  private readonly fraudsByScenario = Object.fromEntries(FRAUD_SCENARIOS.map((s) => [s, 0])) as Record<
    FraudScenario,
    number
  >;

  add(event: SimulatedEvent): void {
    if (event.kind === 'chargeback') {
      this.chargebacks += 1;
      return;
    }
    this.transactions += 1;
    if (event.transaction.channel === 'ecom') this.ecom += 1;
    if (event.label.scenario !== null) {
      this.frauds += 1;
      this.fraudsByScenario[event.label.scenario] += 1;
    }
    if (Number.isNaN(this.firstEventTime)) this.firstEventTime = event.transaction.eventTime;
    this.lastEventTime = event.transaction.eventTime;
  }

  summary(profile: FraudProfile): FraudDatasetSummary {
    return {
      profile,
      transactions: this.transactions,
      frauds: this.frauds,
      fraudShare: this.frauds / Math.max(1, this.transactions),
      fraudsByScenario: { ...this.fraudsByScenario },
      ecomShare: this.ecom / Math.max(1, this.transactions),
      chargebacks: this.chargebacks,
      neverReportedShare: 1 - this.chargebacks / Math.max(1, this.frauds),
      firstEventTime: this.firstEventTime,
      lastEventTime: this.lastEventTime,
    };
  }
}

function* csvRows(path: string, header: string): Generator<string[]> {
  let first = true;
  for (const line of readLines(path)) {
    if (first) {
      if (line !== header)
        throw new Error(
          `${path}: unexpected header "${line}" (expected "${header}"); regenerate the dataset`,
        );
      first = false;
      continue;
    }
    if (line !== '') yield line.split(',');
  }
  if (first) throw new Error(`${path} is empty; regenerate the dataset`);
}

/** Payments of a dataset folder with their labels, in event-time order. */
export function* readLabelledTransactions(dir: string): Generator<LabelledTransaction> {
  for (const cells of csvRows(join(dir, FRAUD_DATA_FILES.transactions), TRANSACTION_HEADER)) {
    const [
      transactionId,
      eventTime,
      cardId,
      terminalId,
      amount,
      currency,
      channel,
      merchantCategory,
      deviceId,
      ip,
      isFraud,
      scenario,
    ] = cells as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const transaction: Transaction = {
      transactionId,
      eventTime: Number(eventTime),
      cardId,
      terminalId,
      amount: Number(amount),
      currency,
      channel: channel as Transaction['channel'],
      merchantCategory,
    };
    if (deviceId !== '') transaction.deviceId = deviceId;
    if (ip !== '') transaction.ip = ip;
    yield {
      transaction,
      label: { isFraud: isFraud === '1', scenario: scenario === '' ? null : (scenario as FraudScenario) },
    };
  }
}

/** Chargebacks of a dataset folder, in report order. */
export function* readChargebacks(dir: string): Generator<Chargeback> {
  for (const [transactionId, cardId, eventTime, reportedAt, scenario] of csvRows(
    join(dir, FRAUD_DATA_FILES.chargebacks),
    CHARGEBACK_HEADER,
  )) {
    const chargeback: Chargeback = {
      transactionId: transactionId!,
      cardId: cardId!,
      eventTime: Number(eventTime),
      reportedAt: Number(reportedAt),
    };
    if (scenario) chargeback.scenario = scenario;
    yield chargeback;
  }
}

/**
 * Both files merged back into the simulator's single stream: a chargeback
 * comes before the first payment at or after its report time, as it did
 * when simulated (and as a consumer of both topics would see it).
 */
export function* readFraudEvents(dir: string): Generator<SimulatedEvent> {
  const chargebacks = readChargebacks(dir);
  let nextChargeback = chargebacks.next();
  for (const { transaction, label } of readLabelledTransactions(dir)) {
    while (!nextChargeback.done && nextChargeback.value.reportedAt <= transaction.eventTime) {
      yield { kind: 'chargeback', chargeback: nextChargeback.value };
      nextChargeback = chargebacks.next();
    }
    yield { kind: 'transaction', transaction, label };
  }
  while (!nextChargeback.done) {
    yield { kind: 'chargeback', chargeback: nextChargeback.value };
    nextChargeback = chargebacks.next();
  }
}
