import type { ConfigOf } from '@mlsys/config';
import { HA_FAULT_IDS as DRILL_FAULTS } from '../faults/ha-steps.js';
import { param } from '../params.js';
import { SLO } from '../slo.js';
import { fraudAvailabilityParams } from './fraud-availability.js';
import { recommendationParams } from './recommendations.js';
import { transactionParams } from './transactions.js';

const { reconcile, reconcileTimeoutMs, decisionsTopic, joinTimeoutMs } = fraudAvailabilityParams;
const { users, userPattern, zipfExponent, newUserShare, count, regions } = recommendationParams;

/** `--param` settings of the drill: both designs' request mixes, the fault sequence, the reconciliation. */
export const drillParams = {
  // Fraud: the run's target (TXN_API_URL, the balancer's 8090 under ha).
  ...transactionParams,
  fraudPath: param.string({
    description: 'route of the synchronous payment (answers once decided)',
    default: '/v1/transactions?wait=true',
  }),
  deadlineMs: param.int({
    description: 'fraud: a 2xx later than this (from the scheduled start) is unavailable (the decision SLO)',
    default: SLO.fraud.decisionP99.target,
    min: 1,
  }),
  // Recommendations: the second design, on its own address.
  recsUrl: param.string({
    description: "rec-api's base URL; empty = REC_API_URL (the balancer's 8080 under ha)",
    default: '',
  }),
  recsPath: param.string({
    description: 'recommendations route; {userId} is replaced',
    default: '/v1/recommendations/{userId}',
  }),
  recsDeadlineMs: param.int({
    description: 'recs: a 2xx later than this is unavailable (the end-to-end SLO target, held per answer)',
    default: SLO.recs.endToEndP95.target,
    min: 1,
  }),
  users,
  userPattern,
  zipfExponent,
  newUserShare,
  count,
  regions,
  connections: param.int({ description: 'keep-alive connections to each API', default: 64, min: 1 }),
  timeoutMs: param.int({ description: 'per-request timeout', default: 10_000, min: 1 }),
  // The faults.
  faults: param.list({
    description: `faults, in the order given (the restart always last), from ${DRILL_FAULTS.join(', ')}; or none`,
    default: [...DRILL_FAULTS],
  }),
  instance: param.int({
    description: 'which instance of each service is killed (1 or 2; the feature engine has only 1)',
    default: 1,
    min: 1,
    max: 2,
  }),
  firstFaultAtS: param.number({
    description: 'seconds of steady traffic before the first fault',
    default: 30,
    min: 0,
  }),
  settleS: param.number({
    description: 'seconds between a recovery and the next fault',
    default: 20,
    min: 0,
  }),
  recoveryTimeoutS: param.number({
    description: 'how long a fault may take to recover before it counts as not recovered',
    default: 180,
    min: 1,
  }),
  pollMs: param.int({ description: 'how often a recovery condition is read', default: 500, min: 50 }),
  kafkaBrokers: param.string({
    description: "the ha brokers (reconciliation, the cluster's metadata); empty = .cache/ha/endpoints.json",
    default: '',
  }),
  reconcile,
  reconcileTimeoutMs,
  decisionsTopic,
  joinTimeoutMs,
};

export type DrillParams = ConfigOf<typeof drillParams>;

/** The fault ids the parameter names, refused when one is unknown. */
export function chosenFaults(params: Pick<DrillParams, 'faults'>): string[] {
  if (params.faults.length === 1 && params.faults[0] === 'none') return [];
  const unknown = params.faults.filter((id) => !(DRILL_FAULTS as readonly string[]).includes(id));
  if (unknown.length > 0)
    throw new Error(
      `--param faults: no fault ${unknown.join(', ')}; the drill knows ${DRILL_FAULTS.join(', ')}`,
    );
  return params.faults;
}
