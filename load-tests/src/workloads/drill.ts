import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HaEndpoints, type HaLayout, readHaEndpoints } from '../faults/ha-layout.js';
import { type HaFaultDeps, haFaultDeps, haFaultSteps } from '../faults/ha-steps.js';
import { checkReady, HttpClient } from '../http/client.js';
import type { Workload, WorkloadContext } from '../scenario.js';
import { DecisionLedger, type Reconciliation } from './decision-ledger.js';
import { classifyFraud, classifyRecs, isAvailable } from './drill-answers.js';
import { chosenFaults, type DrillParams } from './drill-params.js';
import { drillSummary } from './drill-summary.js';
import { FaultSequence } from './fault-sequence.js';
import type { DecisionFeed } from './fraud-availability.js';
import { type DecisionFeedParams, openKafkaDecisionFeed } from './kafka-decision-feed.js';
import { regionMix, userMix } from './recommendations.js';
import { transactionMix } from './transactions.js';

export const drillMetrics = {
  /** Shares of each design's requests: the degraded but available answers, and the unavailable ones by why. */
  recs_degraded: 'rate',
  recs_late: 'rate',
  recs_invalid: 'rate',
  fraud_rules_only: 'rate',
  fraud_held_for_review: 'rate',
  fraud_late: 'rate',
  fraud_invalid: 'rate',
  decisions: 'counter',
  decisions_lost: 'counter',
  decisions_duplicated: 'counter',
  decisions_unacknowledged: 'counter',
  decisions_invalid: 'counter',
  /** Faults that could not be injected or did not recover within their timeout. */
  faults_failed: 'counter',
} as const;

/** What the drill touches besides HTTP; tests give stand-ins for all of it. */
export interface DrillDeps {
  layout: HaLayout;
  endpoints(layout: HaLayout): HaEndpoints;
  /** The faults' wiring (process control, cluster metadata, Redis, readiness, infra up) on these brokers. */
  faultDeps(brokers: string[]): HaFaultDeps;
  openDecisionFeed(
    onDecision: (transactionId: string) => void,
    context: WorkloadContext<DecisionFeedParams>,
  ): Promise<DecisionFeed>;
  /** Where each fault's injection and recovery is announced while the run goes. */
  print(line: string): void;
}

/** This checkout: load-tests/src/workloads is three levels below its root. */
const CHECKOUT = { root: join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..') };

export const defaultDrillDeps: DrillDeps = {
  layout: CHECKOUT,
  endpoints: readHaEndpoints,
  faultDeps: (brokers) => haFaultDeps(CHECKOUT, brokers),
  openDecisionFeed: openKafkaDecisionFeed,
  print: (line) => process.stderr.write(`[drill] ${line}\n`),
};

const JSON_HEADERS = { 'content-type': 'application/json' };

/** An unavailable answer's reason, named with its design so the report's errors say which one failed. */
/** An iteration's outcome from its answer class: available or not, tagged, a failure naming its design and class. */
function outcomeOf(
  design: 'fraud' | 'recs',
  kind: Parameters<typeof isAvailable>[0],
  exchange: { status: number; error?: string; sentAt?: number },
) {
  const sent = exchange.sentAt === undefined ? {} : { sentAt: exchange.sentAt };
  const tags = { answer: kind };
  if (isAvailable(kind)) return { ok: true, ...sent, tags };
  return {
    ok: false,
    ...sent,
    tags,
    error: `${design} ${kind}: ${exchange.error ?? `status ${exchange.status}`}`,
  };
}

/**
 * Both designs at once through the balancer, with the ha faults in
 * sequence: fraud payments (`?wait=true`) on the run's target, recommendation
 * calls on rec-api's address, each answer classed per design and tallied per
 * second; the faults go in one after another, each after the stack recovered
 * from the last; afterwards the decisions topic is reconciled.
 */
export function drillWorkload(deps: DrillDeps = defaultDrillDeps) {
  return async (context: WorkloadContext<DrillParams>): Promise<Workload> => {
    const { params, target, runId, metrics } = context;
    const recsUrl = params.recsUrl || context.targets?.['rec-api'];
    if (!recsUrl) throw new Error("the drill needs rec-api's address: set REC_API_URL or --param recsUrl=");
    const endpoints = deps.endpoints(deps.layout);
    const brokers = params.kafkaBrokers
      ? params.kafkaBrokers.split(',').map((b) => b.trim())
      : endpoints.kafkaBrokers;
    const steps = haFaultSteps(chosenFaults(params), params.instance, deps.faultDeps(brokers));
    // Refuse before any traffic (the warm-up's too), not halfway through the run.
    for (const step of steps) await step.check();
    await checkReady(target, 'txn-api');
    await checkReady(recsUrl, 'rec-api');

    const measured = !context.warmup;
    const ledger = new DecisionLedger(`${runId}-`);
    const feedContext = { ...context, targets: { ...context.targets, kafka: brokers.join(',') } };
    const feed =
      measured && params.reconcile === 'kafka'
        ? await deps.openDecisionFeed((id) => {
            if (ledger.receive(id)) metrics.count('decisions');
          }, feedContext)
        : undefined;
    const options = { connections: params.connections, timeoutMs: params.timeoutMs };
    const fraud = new HttpClient(target, options);
    const recs = new HttpClient(recsUrl, options);
    const nextTransaction = transactionMix(params, runId);
    const nextUser = userMix(params);
    const nextRegion = regionMix(params.regions, params.seed);
    const sequence = new FaultSequence(
      measured ? steps : [],
      {
        firstAtMs: params.firstFaultAtS * 1000,
        settleMs: params.settleS * 1000,
        pollMs: params.pollMs,
        recoveryTimeoutMs: params.recoveryTimeoutS * 1000,
      },
      { now: context.now },
      deps.print,
    );
    let seq = 0;
    let reconciliation: Reconciliation | undefined;

    return {
      exec: {
        default: async (iteration) => {
          if (measured) sequence.start();
          const transaction = nextTransaction(seq++, iteration.scheduledWallTime);
          const request = {
            method: 'POST' as const,
            path: params.fraudPath,
            headers: JSON_HEADERS,
            body: JSON.stringify(transaction),
          };
          const exchange = await fraud.exchange(request, iteration.now);
          const kind = classifyFraud(
            { ...exchange, latencyMs: iteration.now() - iteration.scheduledAt },
            transaction.transactionId,
            params.deadlineMs,
          );
          if (exchange.status >= 200 && exchange.status < 300) ledger.accept(transaction.transactionId);
          metrics.rate('fraud_rules_only', kind === 'rules-only');
          metrics.rate('fraud_held_for_review', kind === 'held-for-review');
          metrics.rate('fraud_late', kind === 'late');
          metrics.rate('fraud_invalid', kind === 'invalid');
          metrics.tally(`fraud ${kind}`, iteration.scheduledAt);
          return outcomeOf('fraud', kind, exchange);
        },
        recs: async (iteration) => {
          if (measured) sequence.start();
          const { userId } = nextUser();
          const query = `count=${params.count}&region=${encodeURIComponent(nextRegion())}`;
          const path = `${params.recsPath.replace('{userId}', encodeURIComponent(userId))}?${query}`;
          const exchange = await recs.exchange({ method: 'GET', path }, iteration.now);
          const kind = classifyRecs(
            { ...exchange, latencyMs: iteration.now() - iteration.scheduledAt },
            userId,
            params.recsDeadlineMs,
          );
          metrics.rate('recs_degraded', kind === 'degraded');
          metrics.rate('recs_late', kind === 'late');
          metrics.rate('recs_invalid', kind === 'invalid');
          metrics.tally(`recs ${kind}`, iteration.scheduledAt);
          return outcomeOf('recs', kind, exchange);
        },
      },
      async drain() {
        // The restart runs even when the schedule ended first: the stack is left as it was found.
        await sequence.finish();
        const failed = sequence.records.filter(
          (r) => r.outcome === 'not recovered' || r.outcome === 'refused',
        );
        metrics.count('faults_failed', failed.length);
        if (!feed) return;
        reconciliation = await ledger.reconcileWithin(params.reconcileTimeoutMs, metrics);
      },
      summary: (timeline) => drillSummary(params, sequence.records, reconciliation, timeline),
      async close() {
        sequence.close();
        await Promise.allSettled([fraud.close(), recs.close(), feed?.close()]);
      },
    };
  };
}
