import {
  ErrorBody,
  encodeFloat32,
  ListenAccepted,
  ListenEvent,
  SongFeaturesRequest,
  SongFeaturesResponse,
  UserFeaturesResponse,
  UserIdParams,
} from '@mlsys/contracts';
import {
  createServiceApp,
  HttpError,
  notFound,
  type ReadinessCheck,
  RequestValidationError,
  type ServiceApp,
  unavailable,
  type WarmUp,
} from '@mlsys/service-kit';
import { type Logger, type Metrics, StageTimer } from '@mlsys/telemetry';
import type { FeatureStore } from './domain/ports.js';
import type { MaterializationProgress } from './domain/progress.js';
import type { VersionInfo } from './domain/records.js';

export interface FeatureStoreDeps {
  store: FeatureStore;
  progress: MaterializationProgress;
  logger: Logger;
  metrics: Metrics;
  version: string;
  readiness: Record<string, ReadinessCheck>;
  now?: () => number;
  /** When given, `/readyz` waits for the read path to have run (see `warmUpReadPath`), and its requests are not counted. */
  warmUp?: WarmUp;
}

/** The feature store's HTTP face: user features, batch song features, live listens. No env, no listen. */
export function buildApp(deps: FeatureStoreDeps): ServiceApp {
  const now = deps.now ?? Date.now;
  const app = createServiceApp({
    name: 'feature-store',
    version: deps.version,
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimitBytes: 64 * 1024,
    readiness: {
      checks: {
        ...deps.readiness,
        // Ready means a version is live, not merely that Redis answers.
        features: async () => {
          const version = await deps.store.current();
          if (!version) throw new Error(`no feature version is live yet (${deps.progress.describe()})`);
          return `version ${version.id} from artifacts ${version.artifactVersion}${deps.progress.isRunning ? `; ${deps.progress.describe()}` : ''}`;
        },
      },
      warmUp: deps.warmUp,
    },
  });
  const listens = deps.metrics.counter('feature_store_listens_total', 'live listen events recorded');
  const lookups = deps.metrics.counter('feature_store_user_lookups_total', 'user feature reads, by outcome', [
    'outcome',
  ]);
  const storeErrors = deps.metrics.counter(
    'feature_store_redis_errors_total',
    'requests answered 503 because Redis failed',
  );

  /** Runs a store call; a Redis failure becomes a 503 the caller can act on (retry, or fall back). */
  async function fromStore<T>(work: (version: VersionInfo) => Promise<T>): Promise<T> {
    let version: VersionInfo | undefined;
    try {
      version = await deps.store.current();
    } catch (error) {
      throw redisDown(error);
    }
    if (!version)
      throw unavailable(`no feature version is live yet (${deps.progress.describe()}); retry shortly`);
    try {
      return await work(version);
    } catch (error) {
      if (error instanceof HttpError || error instanceof RequestValidationError) throw error;
      throw redisDown(error);
    }
  }
  function redisDown(error: unknown): HttpError {
    storeErrors.inc();
    deps.logger.warn({ err: (error as Error).message }, 'redis call failed');
    return unavailable(
      `the feature store's Redis did not answer (${(error as Error).message}); retry shortly`,
    );
  }

  app.get(
    '/v1/users/:userId/features',
    {
      schema: {
        params: UserIdParams,
        response: { 200: UserFeaturesResponse, 404: ErrorBody, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      const started = performance.now();
      const { userId } = request.params;
      const found = await fromStore(async (version) => ({
        version,
        user: await deps.store.user(version, userId),
      }));
      if (!deps.warmUp?.marks(request.headers)) lookups.inc({ outcome: found.user ? 'found' : 'unknown' });
      if (!found.user) throw notFound(`features of user ${userId}`);
      const { user, version } = found;
      reply.header('server-timing', timing('redis', started));
      return {
        userId,
        featureVersion: version.id,
        region: user.region,
        embedding: user.embedding ? encodeFloat32(user.embedding) : null,
        recentListens: user.recentListens,
        recentSongEmbeddings: [...user.recentSongEmbeddings].map(([songId, embedding]) => ({
          songId,
          embedding: encodeFloat32(embedding),
        })),
      };
    },
  );

  app.post(
    '/v1/events/listen',
    { schema: { body: ListenEvent, response: { 202: ListenAccepted, 503: ErrorBody } } },
    async (request, reply) => {
      const { userId, songId } = request.body;
      const timestampMs = request.body.timestampMs ?? now();
      const writtenTo = await fromStore(async (version) => {
        if (songId >= version.songs) {
          throw new RequestValidationError('body', [
            { field: 'songId', reason: `is not a known song (the catalog has ids 0..${version.songs - 1})` },
          ]);
        }
        return deps.store.recordListen(userId, { songId, timestampMs });
      });
      listens.inc();
      return reply.code(202).send({ userId, songId, timestampMs, writtenTo });
    },
  );

  app.post(
    '/v1/songs/features',
    { schema: { body: SongFeaturesRequest, response: { 200: SongFeaturesResponse, 503: ErrorBody } } },
    async (request, reply) => {
      const started = performance.now();
      const { ids, withEmbeddings = false } = request.body;
      const { version, found } = await fromStore(async (version) => ({
        version,
        found: await deps.store.songs(version, ids, withEmbeddings),
      }));
      const songs = [];
      const missing: number[] = [];
      for (const [i, record] of found.entries()) {
        if (!record) {
          missing.push(ids[i]!);
          continue;
        }
        const { id, ...facts } = record.features;
        const song = {
          songId: id,
          ...facts,
          licensedRegions: [...facts.licensedRegions],
          regionListenCounts: { ...facts.regionListenCounts },
        };
        songs.push('embedding' in record ? { ...song, embedding: encodeFloat32(record.embedding) } : song);
      }
      reply.header('server-timing', timing('redis', started));
      return { featureVersion: version.id, songs, missing };
    },
  );

  return app;
}

/**
 * The warm-up's reads, once a version is live: user 0's features (a known
 * user in every materialised set; 404 is a read too) and a batch of 50 songs
 * with embeddings, three times each. Reads only: nothing is written.
 */
export function warmUpReadPath(warmUp: WarmUp, app: ServiceApp): void {
  warmUp.request(
    'read path',
    app,
    [
      { method: 'GET', url: '/v1/users/0/features' },
      {
        method: 'POST',
        url: '/v1/songs/features',
        payload: { ids: Array.from({ length: 50 }, (_, i) => i), withEmbeddings: true },
      },
    ],
    { expectStatus: [200, 404], times: 3 },
  );
}

function timing(name: string, started: number): string {
  const timer = new StageTimer();
  timer.record(name, performance.now() - started);
  return timer.header();
}
