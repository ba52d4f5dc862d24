import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigOf } from '@mlsys/config';
import { Topics } from '@mlsys/contracts';
import {
  findServiceProcess,
  KILLABLE_SERVICES,
  KillRefused,
  killService,
  type ProcessControl,
  type ServiceProcess,
  type StackLayout,
  systemProcessControl,
} from '../faults/kill-service.js';
import { checkReady, HttpClient } from '../http/client.js';
import { param } from '../params.js';
import type { Workload, WorkloadContext } from '../scenario.js';
import { SLO } from '../slo.js';
import { answerSource, classifyAnswer } from './availability.js';
import { DecisionLedger, type Reconciliation } from './decision-ledger.js';
import { fraudHttpParams } from './fraud-http.js';
import { openKafkaDecisionFeed } from './kafka-decision-feed.js';
import { transactionMix } from './transactions.js';

const { expectStatus: _expectStatus, ...httpParams } = fraudHttpParams;

export const fraudAvailabilityParams = {
  ...httpParams,
  kill: param.oneOf(['none', ...KILLABLE_SERVICES] as const, {
    description: 'the service to SIGKILL during the run (npm start restarts it); none = no fault',
    default: 'none',
  }),
  killAt: param.number({
    description: 'seconds into the measured run when the kill is sent',
    default: 20,
    min: 0,
  }),
  deadlineMs: param.int({
    description:
      "the caller's deadline: a 2xx later than this (from the scheduled start) is unavailable (the decision SLO)",
    default: SLO.fraud.decisionP99.target,
    min: 1,
  }),
  reconcile: param.oneOf(['kafka', 'none'] as const, {
    description: 'read the decisions topic back to count lost and duplicated decisions (kafka), or skip it',
    default: 'kafka',
  }),
  reconcileTimeoutMs: param.int({
    description:
      "how long after the run to wait for each accepted transaction's decision; later ones count as lost",
    default: 60_000,
    min: 0,
  }),
  decisionsTopic: param.string({
    description: 'topic the pipeline writes decisions to',
    default: Topics.decisions.name,
  }),
  joinTimeoutMs: param.int({
    description: 'how long the decisions consumer may take to join its group',
    default: 30_000,
    min: 1,
  }),
};

export type FraudAvailabilityParams = ConfigOf<typeof fraudAvailabilityParams>;

export const fraudAvailabilityMetrics = {
  /** Answered 2xx in time by the pipeline's decision. */
  answered_pipeline: 'rate',
  /** Answered 2xx in time by the rules-only fallback (available, degraded). */
  answered_rules_only: 'rate',
  /** 200 with the payment held for review: neither the pipeline nor the rules answered. */
  held_for_review: 'rate',
  /** 2xx after the deadline. */
  answered_late: 'rate',
  decisions: 'counter',
  decisions_lost: 'counter',
  decisions_duplicated: 'counter',
  /** Decisions of this run for transactions whose answer failed (produced, but not acknowledged). */
  decisions_unacknowledged: 'counter',
  decisions_invalid: 'counter',
} as const;

/** Where decisions are read back from; tests give an in-memory one. */
export interface DecisionFeed {
  close(): Promise<void>;
}

export type OpenDecisionFeed = (
  onDecision: (transactionId: string) => void,
  context: WorkloadContext<FraudAvailabilityParams>,
) => Promise<DecisionFeed>;

export interface FraudAvailabilityDeps {
  layout: StackLayout;
  control: ProcessControl;
  openDecisionFeed: OpenDecisionFeed;
}

/** This checkout: load-tests/src/workloads is three levels below its root. */
const CHECKOUT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const defaultAvailabilityDeps: FraudAvailabilityDeps = {
  layout: { root: CHECKOUT_ROOT },
  control: systemProcessControl,
  openDecisionFeed: openKafkaDecisionFeed,
};

const JSON_HEADERS = { 'content-type': 'application/json' };

interface KillRecord {
  service: string;
  requestedAtS: number;
  /** Run time (s) the signal was sent, the pid it went to; or why it was refused. */
  sentAtS?: number;
  pid?: number;
  refused?: string;
  /** When a new pid of the service showed in its pid file (the supervisor respawned it). */
  respawnedAfterS?: number;
  respawnedPid?: number;
}

/**
 * `POST /v1/transactions?wait=true` at a constant rate, one crash in the
 * middle: at `killAt` seconds the named service gets SIGKILL and the
 * `npm start` supervisor restarts it. Each answer is classified (pipeline,
 * rules-only, held, late, failed) and tallied per second of its schedule;
 * after the run, the `decisions` topic is reconciled with the accepted ids.
 */
export function fraudAvailabilityWorkload(deps: FraudAvailabilityDeps = defaultAvailabilityDeps) {
  return async (context: WorkloadContext<FraudAvailabilityParams>): Promise<Workload> => {
    const { params, target, runId, metrics } = context;
    const faulting = params.kill !== 'none' && !context.warmup;
    // Refuse before any traffic, not halfway through the run.
    if (faulting) await findServiceProcess(params.kill, deps.layout, deps.control);
    await checkReady(target, 'txn-api');

    const ledger = new DecisionLedger(`${runId}-`);
    const reconciling = params.reconcile === 'kafka' && !context.warmup;
    const feed = reconciling
      ? await deps.openDecisionFeed((id) => {
          if (ledger.receive(id)) metrics.count('decisions');
        }, context)
      : undefined;
    const client = new HttpClient(target, { connections: params.connections, timeoutMs: params.timeoutMs });
    const nextTransaction = transactionMix(params, runId);
    let seq = 0;
    let kill: KillRecord | undefined;
    let killing: Promise<void> | undefined;
    let watching: NodeJS.Timeout | undefined;
    let closed = false;
    let reconciliation: Reconciliation | undefined;

    const watchRespawn = (killed: ServiceProcess, record: KillRecord) => {
      // Polls the pid file until the supervisor has written a new pid that runs the same entry point, for at most 5 minutes.
      const until = context.now() + 300_000;
      const poll = async () => {
        if (closed || context.now() > until) return;
        try {
          const now = await findServiceProcess(killed.service, deps.layout, deps.control);
          if (now.pid !== killed.pid) {
            record.respawnedAfterS = round1(context.now() / 1000 - (record.sentAtS ?? 0));
            record.respawnedPid = now.pid;
            return;
          }
        } catch {
          /* not back yet */
        }
        watching = setTimeout(() => void poll(), 250);
      };
      watching = setTimeout(() => void poll(), 250);
    };

    const injectFault = (atMs: number) => {
      if (!faulting || kill || atMs < params.killAt * 1000) return;
      const record: KillRecord = { service: params.kill, requestedAtS: params.killAt };
      kill = record;
      killing = killService(params.kill, deps.layout, deps.control).then(
        (killed) => {
          record.sentAtS = round1(context.now() / 1000);
          record.pid = killed.pid;
          watchRespawn(killed, record);
        },
        (error: Error) => {
          record.refused = error.message;
          metrics.errorReason(
            error instanceof KillRefused ? `kill refused: ${error.message}` : error.message,
          );
        },
      );
    };

    const close = async () => {
      closed = true;
      clearTimeout(watching);
      await Promise.allSettled([client.close(), feed?.close()]);
    };

    return {
      exec: {
        default: async (iteration) => {
          injectFault(iteration.scheduledAt);
          const transaction = nextTransaction(seq++, iteration.scheduledWallTime);
          const exchange = await client.exchange(
            { method: 'POST', path: params.path, headers: JSON_HEADERS, body: JSON.stringify(transaction) },
            iteration.now,
          );
          const latencyMs = iteration.now() - iteration.scheduledAt;
          const source = answerSource(exchange.serverTiming, exchange.body);
          const answer = classifyAnswer({ status: exchange.status, source, latencyMs }, params.deadlineMs);
          const accepted = exchange.status >= 200 && exchange.status < 300;
          if (accepted) ledger.accept(transaction.transactionId);
          metrics.rate('answered_pipeline', answer.class === 'pipeline');
          metrics.rate('answered_rules_only', answer.class === 'rules-only');
          metrics.rate('held_for_review', answer.class === 'held-for-review');
          metrics.rate('answered_late', answer.class === 'late');
          metrics.tally(answer.class, iteration.scheduledAt);
          const tags = { channel: transaction.channel, answer: answer.class };
          const sent = exchange.sentAt === undefined ? {} : { sentAt: exchange.sentAt };
          if (answer.available) return { ok: true, ...sent, tags };
          const error =
            exchange.error ??
            (answer.class === 'late'
              ? `late: ${exchange.status} after the ${params.deadlineMs} ms deadline`
              : answer.class === 'held-for-review'
                ? 'held for review: neither the pipeline nor the rules answered'
                : `status ${exchange.status}`);
          return { ok: false, ...sent, error, tags };
        },
      },
      async drain() {
        await killing;
        if (!feed) return;
        reconciliation = await ledger.reconcileWithin(params.reconcileTimeoutMs, metrics);
      },
      summary() {
        const notes: string[] = [
          `availability: a 2xx answer within ${params.deadlineMs} ms of its scheduled start, from the pipeline or the flagged rules-only fallback; held-for-review, late, non-2xx and failed answers are unavailable`,
        ];
        const figures: Record<string, unknown> = { deadline_ms: params.deadlineMs };
        if (kill) {
          figures.kill = kill;
          notes.push(
            kill.refused
              ? `no fault injected: ${kill.refused}`
              : `SIGKILL sent to ${kill.service} (pid ${kill.pid}) at ${kill.sentAtS} s; ` +
                  (kill.respawnedAfterS === undefined
                    ? 'no respawn seen in its pid file before the run ended'
                    : `respawned as pid ${kill.respawnedPid} ${kill.respawnedAfterS} s later`),
          );
        } else if (params.kill === 'none') {
          notes.push('no fault injected (--kill none): the baseline');
        } else {
          notes.push(`no fault injected: the run ended before --kill-at ${params.killAt} s`);
        }
        if (reconciliation) {
          figures.decisions_accepted = reconciliation.accepted;
          figures.decisions_lost_sample = reconciliation.lostSample;
          notes.push(
            `reconciliation (decisions topic, waited up to ${params.reconcileTimeoutMs / 1000} s): ` +
              `${reconciliation.accepted} accepted, ${reconciliation.decidedOnce} decided, ` +
              `${reconciliation.lost} LOST, ${reconciliation.duplicated} DUPLICATED` +
              (reconciliation.lost + reconciliation.duplicated > 0 ? ' — exactly-once broken' : ''),
          );
        } else {
          // Not measured is not zero: no counts that read as "nothing lost".
          for (const name of [
            'decisions',
            'decisions_lost',
            'decisions_duplicated',
            'decisions_unacknowledged',
          ])
            figures[name] = null;
          notes.push('decisions not reconciled (--param reconcile=none)');
        }
        return { metrics: figures, notes };
      },
      close,
    };
  };
}

const round1 = (v: number) => Math.round(v * 10) / 10;
