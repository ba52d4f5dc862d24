import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fraud } from '@mlsys/datagen';
import {
  FEATURE_NAMES,
  FEATURE_SPEC_VERSION,
  FraudFeatureEngine,
  newFeatureVector,
  parseTerminalDirectory,
} from '@mlsys/fraud-core';
import type { StepProgress } from '../shared/progress.js';
import { FEATURE_FILES, type FeatureMatrixDescription, MatrixWriter } from './feature-matrix.js';

const DAY_MS = 86_400_000;

/**
 * Builds the training set by replaying the simulated stream, payments and
 * chargebacks interleaved as they happened, through the same
 * FraudFeatureEngine the online feature-engine runs. Each payment's row is
 * its features at the moment it was scored; a chargeback only reaches the
 * state when it was reported, exactly as online.
 */
export function replayFeatures(
  dataDir: string,
  outDir: string,
  progress: StepProgress,
): FeatureMatrixDescription {
  const summary = JSON.parse(
    readFileSync(join(dataDir, fraud.FRAUD_DATA_FILES.summary), 'utf8'),
  ) as fraud.FraudDatasetSummary;
  const terminals = parseTerminalDirectory(
    readFileSync(join(dataDir, fraud.FRAUD_DATA_FILES.terminals), 'utf8'),
  );
  const startTime = Date.parse(`${summary.profile.startDate}T00:00:00Z`);
  const engine = new FraudFeatureEngine({ terminals });
  const temp = (name: string) => join(outDir, `${name}.partial`);
  const matrix = new MatrixWriter(temp(FEATURE_FILES.matrix), FEATURE_NAMES.length);
  const rows = new fraud.LineWriter(
    temp(FEATURE_FILES.rows),
    'transactionId,eventTime,day,card,isFraud,scenario',
  );
  const reported = new fraud.LineWriter(temp(FEATURE_FILES.reported), 'row,reportedAt');
  const cardIndex = new Map<string, number>();
  const terminalIndex = new Map<string, number>();
  const fraudRows = new Map<string, number>();
  const chargebacks = { applied: 0, duplicate: 0, unknownTransaction: 0 };
  const vector = newFeatureVector();
  const total = summary.transactions + summary.chargebacks;
  const started = performance.now();
  let events = 0;

  for (const event of fraud.readFraudEvents(dataDir)) {
    events += 1;
    if ((events & 0x3fff) === 0) progress.update(events / total, `${events.toLocaleString('en')} events`);
    if (event.kind === 'chargeback') {
      const outcome = engine.applyChargeback(event.chargeback);
      if (outcome === 'applied') chargebacks.applied += 1;
      else if (outcome === 'duplicate') chargebacks.duplicate += 1;
      else chargebacks.unknownTransaction += 1;
      const row = fraudRows.get(event.chargeback.transactionId);
      if (row !== undefined) reported.write(`${row},${event.chargeback.reportedAt}`);
      continue;
    }
    const { transaction, label } = event;
    const result = engine.apply(transaction, vector);
    if (result.status === 'duplicate')
      throw new Error(`${dataDir}: transaction ${transaction.transactionId} appears twice`);
    const row = matrix.rows;
    matrix.append(vector);
    const card = indexOf(cardIndex, transaction.cardId);
    const terminal = indexOf(terminalIndex, transaction.terminalId);
    if (label.isFraud) fraudRows.set(transaction.transactionId, row);
    const day = Math.floor((transaction.eventTime - startTime) / DAY_MS);
    const scenario = label.scenario === null ? 0 : fraud.FRAUD_SCENARIOS.indexOf(label.scenario) + 1;
    rows.write(
      `${transaction.transactionId},${transaction.eventTime},${day},${card},${terminal},${label.isFraud ? 1 : 0},${scenario}`,
    );
  }
  matrix.close();
  rows.close();
  reported.close();
  for (const name of [FEATURE_FILES.matrix, FEATURE_FILES.rows, FEATURE_FILES.reported]) {
    renameSync(temp(name), join(outDir, name));
  }
  const description: FeatureMatrixDescription = {
    featureSpecVersion: FEATURE_SPEC_VERSION,
    featureNames: [...FEATURE_NAMES],
    rows: matrix.rows,
    dtype: 'float32',
    layout: 'row-major',
    scenarios: [...fraud.FRAUD_SCENARIOS],
    startTime,
    chargebacks,
    replayTxPerSecond: Math.round(matrix.rows / ((performance.now() - started) / 1_000)),
  };
  writeFileSync(join(outDir, FEATURE_FILES.description), `${JSON.stringify(description, null, 2)}\n`);
  return description;
}

/** A dense integer per id, in order of first appearance (the Python side groups by it). */
function indexOf(index: Map<string, number>, id: string): number {
  let value = index.get(id);
  if (value === undefined) {
    value = index.size;
    index.set(id, value);
  }
  return value;
}
