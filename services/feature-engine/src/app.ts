import {
  APPENDED_UNDECIDED,
  DEADLINE_HEADER,
  DeadlineHeaders,
  Decision,
  ErrorBody,
  FeatureEngineStatus,
  FeatureEntityParams,
  Transaction,
} from '@mlsys/contracts';
import {
  createServiceApp,
  HttpError,
  notFound,
  type ReadinessCheck,
  type ServiceApp,
  unavailable,
  type WarmUp,
} from '@mlsys/service-kit';
import { type Logger, type Metrics, serverTimingHeader } from '@mlsys/telemetry';
import Type from 'typebox';
import type { FeatureStateStore } from './domain/ports.js';
import { NotOwnerError, NotReadyError } from './domain/request-path.js';

export interface FeatureEngineDeps {
  logger: Logger;
  metrics: Metrics;
  version: string;
  readiness: Record<string, ReadinessCheck>;
  /** Versions of the feature spec and artifacts in use, shown by `/readyz`. */
  artifacts: () => Record<string, string>;
  status: () => FeatureEngineStatus;
  store: Pick<FeatureStateStore, 'read'>;
  /** Decides a payment of an owned partition on the request path (absent: the route answers 503). */
  decide?: (
    transaction: Transaction,
    lap: (phase: string) => void,
    budgetMs: number | undefined,
  ) => Promise<Decision>;
  /** When given, `/readyz` waits for it (see `warmUpRequestPath`), and its requests are not counted. */
  warmUp?: WarmUp;
}

/** Left of a caller's deadline for the answer to travel back before the caller gives up. */
const ANSWER_MARGIN_MS = 2;

/** The feature engine's HTTP side: health, metrics, status and checkpointed entity state. No env, no listen. */
export function buildApp(deps: FeatureEngineDeps): ServiceApp {
  const app = createServiceApp({
    name: 'feature-engine',
    version: deps.version,
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: { checks: deps.readiness, artifacts: deps.artifacts, warmUp: deps.warmUp },
  });

  app.get('/v1/status', { schema: { response: { 200: FeatureEngineStatus } } }, async () => deps.status());

  app.get(
    '/v1/entities/:kind/:id',
    { schema: { params: FeatureEntityParams, response: { 200: Type.Unknown(), 404: ErrorBody } } },
    async (request) => {
      const snapshot = await deps.store.read(request.params);
      if (!snapshot) {
        throw notFound(
          `${request.params.kind} ${request.params.id} in the last checkpoint (new entities appear after the next one)`,
        );
      }
      return snapshot;
    },
  );

  const requestDecisions = deps.metrics.histogram(
    'feature_engine_request_decision_seconds',
    'POST /v1/decide: append, wait for the earlier payments of the partition, features, model, journal',
    ['outcome'],
  );

  // Internal: txn-api sends each `?wait=true` payment here, to the owner of its card's partition.
  app.post(
    '/v1/decide',
    {
      schema: {
        body: Transaction,
        headers: DeadlineHeaders,
        response: { 200: Decision, 400: ErrorBody, 413: ErrorBody, 421: ErrorBody, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      const started = performance.now();
      const laps: Array<{ name: string; ms: number }> = [];
      let lapStarted = started;
      const lap = (name: string) => {
        const now = performance.now();
        laps.push({ name, ms: now - lapStarted });
        lapStarted = now;
      };
      const outcome = (name: string) => {
        const ms = performance.now() - started;
        requestDecisions.observe({ outcome: name }, ms / 1000);
        return ms;
      };
      if (!deps.decide) throw unavailable('this instance does not decide on the request path');
      try {
        const decision = await deps.decide(request.body, lap, budgetOf(request.headers[DEADLINE_HEADER]));
        const ms = outcome('decided');
        return reply
          .header('server-timing', serverTimingHeader([...laps, { name: 'decide', ms }]))
          .send(decision);
      } catch (error) {
        if (error instanceof NotOwnerError) {
          outcome('not-owner');
          throw new HttpError(421, 'not_partition_owner', error.message);
        }
        if (error instanceof NotReadyError) {
          outcome('not-ready');
          throw new HttpError(503, APPENDED_UNDECIDED, error.message);
        }
        outcome('failed');
        throw error;
      }
    },
  );

  return app;
}

/** What the caller may still wait after the answer's way back, from its deadline header (absent or malformed: no budget). */
function budgetOf(header: string | string[] | undefined): number | undefined {
  const deadlineMs = typeof header === 'string' ? Number(header) : Number.NaN;
  if (!Number.isFinite(deadlineMs) || deadlineMs <= 0) return undefined;
  return Math.max(1, deadlineMs - ANSWER_MARGIN_MS);
}
