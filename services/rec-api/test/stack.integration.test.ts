import type { Recommendations } from '@mlsys/contracts';
import { onlineFeatureReader } from '@mlsys/feature-store/online';
import { closeRedis, createRedis, type Redis } from '@mlsys/redis';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { uniqueName, waitUntil } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadServingCatalog } from '../src/adapters/artifact-catalog.js';
import { type FeatureSource, HttpRecommendationStages, type StageUrls } from '../src/adapters/http-stages.js';
import { RedisUserFeatures } from '../src/adapters/online-features.js';
import { buildApp } from '../src/app.js';
import type { StageDeadlines } from '../src/domain/recommend.js';
import { tinyArtifacts } from './artifacts.js';
import { DisposableRedis, freePort, type Running, startService } from './stack.js';

const infra = inject('infra');
const artifacts = tinyArtifacts();
const catalog = loadServingCatalog(artifacts);
const users = artifacts.readUsers();
const regions = [...catalog.regions.keys()];
// Generous budgets: these tests are about behaviour, and a busy test machine must not turn them degraded.
const RELAXED: StageDeadlines = { features: 2000, candidates: 2000, ranker: 2000, rules: 2000 };

const running: Running[] = [];
const gateways: { app: ReturnType<typeof buildApp>; stages: HttpRecommendationStages }[] = [];
const redisClients: Redis[] = [];
const keyPrefix = `${uniqueName('recs-stack')}:`;
let urls: StageUrls;
let featureStoreUrl: string;

/** The gateway's features read, as main.ts builds it: the feature store's Redis, read directly. */
async function redisFeatures(url = infra.redisUrl, prefix = keyPrefix): Promise<FeatureSource> {
  const redis = createRedis({ url, keyPrefix: prefix, commandTimeoutMs: 1000 }) as Redis;
  redisClients.push(redis);
  await redis.connect().catch(() => undefined); // a dead Redis is what some tests want
  return new RedisUserFeatures(onlineFeatureReader(redis));
}

let liveFeatures: FeatureSource;

function gateway(stageUrls: StageUrls, deadlines = RELAXED, features = liveFeatures) {
  const stages = new HttpRecommendationStages(features, stageUrls, 8);
  const app = buildApp({
    stages,
    catalog,
    deadlines,
    rulesOverfetch: 5,
    logger: createLogger({ service: 'rec-api', level: 'silent' }),
    metrics: createMetrics('rec-api', { defaultMetrics: false }),
    version: 'test',
  });
  gateways.push({ app, stages });
  return app;
}

async function recommend(
  app: ReturnType<typeof buildApp>,
  userId: string,
  query: string,
): Promise<Recommendations> {
  const res = await app.inject({ method: 'GET', url: `/v1/recommendations/${userId}?${query}` });
  expect(res.statusCode).toBe(200);
  return res.json();
}

/** Posts one listen per song to the real feature store, a minute apart, the last one a minute ago. */
async function listenTo(userId: string, songIds: readonly number[]): Promise<void> {
  const now = Date.now();
  for (const [i, songId] of songIds.entries()) {
    const res = await fetch(`${featureStoreUrl}/v1/events/listen`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId, songId, timestampMs: now - (songIds.length - i) * 60_000 }),
    });
    expect(res.status).toBe(202);
  }
}

const unlicensed = (body: Recommendations) =>
  body.items.filter((item) => !catalog.songs[item.songId]!.licensedRegions.includes(body.region));

beforeAll(async () => {
  const env = { ARTIFACTS_DIR: artifacts.dir };
  const [featureStore, candidateGen, ranker, rules] = await Promise.all([
    startService('feature-store', {
      ...env,
      REDIS_URL: infra.redisUrl,
      REDIS_KEY_PREFIX: keyPrefix,
    }),
    startService('candidate-gen', env),
    startService('ranker', env),
    startService('rules', env),
  ]);
  running.push(featureStore!, candidateGen!, ranker!, rules!);
  featureStoreUrl = featureStore!.url;
  liveFeatures = await redisFeatures();
  urls = {
    candidateGen: candidateGen!.url,
    ranker: ranker!.url,
    rules: rules!.url,
  };
});

afterAll(async () => {
  for (const g of gateways) {
    await g.app.close();
    await g.stages.close();
  }
  await Promise.all(redisClients.map((r) => closeRedis(r)));
  await Promise.all(running.map((r) => r.stop()));
});

describe('rec-api against the real stages', () => {
  it('when known users ask in every region, then every stage answers and no song is unlicensed where asked', async () => {
    const app = gateway(urls);
    for (const user of users.slice(0, 12)) {
      for (const region of regions) {
        const body = await recommend(app, String(user.id), `region=${region}&count=20`);
        expect(body.degradedStages).toEqual([]);
        expect(body.items.length).toBeGreaterThan(0);
        expect(unlicensed(body)).toEqual([]);
      }
    }
  });

  it('when the rules service is down, then the ANN list is still licensed, flagged degraded at rules', async () => {
    const app = gateway({ ...urls, rules: `http://127.0.0.1:${await freePort()}` });
    for (const region of regions) {
      const body = await recommend(app, String(users[3]!.id), `region=${region}&count=30`);
      expect(body.degradedStages.map((d) => d.stage)).toEqual(['rules']);
      expect(unlicensed(body)).toEqual([]);
    }
  });

  it('when every stage is down, then each region still gets a licensed cold-start list', async () => {
    const deadPort = await freePort();
    const dead = `http://127.0.0.1:${deadPort}`;
    const app = gateway(
      { candidateGen: dead, ranker: dead, rules: dead },
      RELAXED,
      await redisFeatures(`redis://127.0.0.1:${deadPort}`),
    );
    for (const region of regions) {
      const body = await recommend(
        app,
        String(users[0]!.id),
        `region=${region}&count=20&allowExplicit=false`,
      );
      expect(body.degraded).toBe(true);
      expect(body.coldStart).toBe(true);
      expect(body.items).toHaveLength(20);
      expect(unlicensed(body)).toEqual([]);
      expect(body.items.some((i) => i.explicit)).toBe(false);
    }
  });

  it('when a user nobody knows asks, then a cold-start list comes back, not an error', async () => {
    const body = await recommend(gateway(urls), uniqueName('new-user'), 'region=US&count=10&explain=true');
    expect(body.coldStart).toBe(true);
    expect(body.degraded).toBe(false);
    expect(body.items).toHaveLength(10);
    expect(body.explain!.candidates.source).toBe('popularity');
  });

  it('when a user listens to one genre, then the next list holds more of that genre', async () => {
    const app = gateway(urls);
    const user = users[7]!;
    const region = user.region;
    const before = await recommend(app, String(user.id), `region=${region}&count=20`);
    const genreCount = (body: Recommendations, genre: string) =>
      body.items.filter((i) => i.genre === genre).length;
    // The genre the list holds least of, among those with enough licensed songs to listen to.
    const popular = catalog.popularByRegion.get(region)!;
    const target = catalog.genres
      .map((name, index) => ({
        name,
        songs: popular.filter((id) => catalog.songs[id]!.genre === index).slice(0, 10),
      }))
      .filter((g) => g.songs.length === 10)
      .sort((a, b) => genreCount(before, a.name) - genreCount(before, b.name))[0]!;

    await listenTo(String(user.id), target.songs);
    const after = await recommend(app, String(user.id), `region=${region}&count=20`);

    expect(after.degradedStages).toEqual([]);
    expect(genreCount(after, target.name)).toBeGreaterThan(genreCount(before, target.name));
  });

  it('when a new user listens to one genre, then their first personal list leans to it instead of the cold start', async () => {
    const app = gateway(urls);
    const user = uniqueName('fresh-listener');
    const genre = catalog.genres.indexOf('jazz');
    const jazz = catalog.popularByRegion
      .get('US')!
      .filter((id) => catalog.songs[id]!.genre === genre)
      .slice(0, 8);
    const coldStart = await recommend(app, user, 'region=US&count=20');

    await listenTo(user, jazz);
    const personal = await recommend(app, user, 'region=US&count=20');

    const jazzIn = (body: Recommendations) => body.items.filter((i) => i.genre === 'jazz').length;
    expect(personal.coldStart).toBe(false);
    expect(jazzIn(personal)).toBeGreaterThan(jazzIn(coldStart));
    // The diversity rule caps one genre at half the list; the user tower fills that half.
    expect(jazzIn(personal)).toBeGreaterThanOrEqual(5);
  });
});

describe('rec-api through a Redis outage', () => {
  let redis: DisposableRedis;
  let featureStore: Running;

  beforeAll(async () => {
    redis = new DisposableRedis(await freePort());
    await redis.start();
    featureStore = await startService('feature-store', {
      ARTIFACTS_DIR: artifacts.dir,
      REDIS_URL: redis.url,
    });
  });
  afterAll(async () => {
    await featureStore?.stop();
    await redis?.dispose();
  });

  it('when Redis does not answer in time, then the gateway answers a cold start naming the deadline', async () => {
    const app = gateway(urls, { ...RELAXED, features: 50 }, await redisFeatures(redis.url, ''));
    const user = String(users[1]!.id);
    await recommend(app, user, 'region=GB&count=10'); // connects and caches the version pointer
    const blocker = createRedis({ url: redis.url }) as Redis;
    redisClients.push(blocker);
    await blocker.connect();

    // DEBUG SLEEP blocks the whole server, as a stalled or swapping Redis would.
    const stall = blocker.call('DEBUG', 'SLEEP', '0.5');
    const body = await recommend(app, user, 'region=GB&count=10');
    await stall;

    expect(body.degradedStages).toEqual([
      {
        stage: 'features',
        reason: "the feature store's Redis did not answer within 50 ms",
        fallback: 'cold start from regional popularity',
      },
    ]);
    expect(body.coldStart).toBe(true);
    expect(body.items).toHaveLength(10);
  });

  it('when Redis stops, then answers are degraded cold starts, and when it returns they recover without a restart', async () => {
    const app = gateway(urls, { ...RELAXED, features: 100 }, await redisFeatures(redis.url, ''));
    const user = String(users[2]!.id);
    const healthy = await recommend(app, user, 'region=US&count=10');
    expect(healthy.degraded).toBe(false);

    await redis.stop();
    const during = await recommend(app, user, 'region=US&count=10');

    expect(during.degradedStages.map((d) => d.stage)).toEqual(['features']);
    expect(during.degradedStages[0]!.reason).toContain("the feature store's Redis failed");
    expect(during.coldStart).toBe(true);
    expect(unlicensed(during)).toEqual([]);

    await redis.start();
    const recovered = await waitUntil(
      async () => {
        const body = await recommend(app, user, 'region=US&count=10');
        return body.degraded ? undefined : body;
      },
      { what: 'recommendations to recover after Redis returned' },
    );
    expect(recovered.coldStart).toBe(false);
    expect(recovered.items.map((i) => i.songId)).toEqual(healthy.items.map((i) => i.songId));
  });
});
