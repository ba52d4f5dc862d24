import { decodeFloat32 } from '@mlsys/contracts';
import { RECENT_LISTENS_KEPT, row } from '@mlsys/recs-core';
import { loadRecsArtifacts, recentListensOf } from '@mlsys/recs-core/artifacts';
import { closeRedis, connectRedis, createRedis, type Redis } from '@mlsys/redis';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { testArtifactsDir, uniqueName } from '@mlsys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { artifactFeatureSource } from '../src/adapters/artifact-source.js';
import { RedisFeatureStore } from '../src/adapters/redis-feature-store.js';
import { keys } from '../src/adapters/redis-schema.js';
import { buildApp } from '../src/app.js';
import { materialize } from '../src/domain/materialize.js';
import { MaterializationProgress } from '../src/domain/progress.js';

const infra = inject('infra');
const artifacts = loadRecsArtifacts(testArtifactsDir('recs'));
const { dim } = artifacts.manifest;
const songs = artifacts.readSongs();
const listensTable = artifacts.readRecentListens();
const userEmbeddings = artifacts.readUserEmbeddings();
const logger = createLogger({ service: 'feature-store', level: 'silent' });

let redis: Redis;
let store: RedisFeatureStore;
let app: ReturnType<typeof buildApp>;

function appOn(target: RedisFeatureStore) {
  return buildApp({
    store: target,
    progress: new MaterializationProgress(),
    logger,
    metrics: createMetrics('feature-store', { defaultMetrics: false }),
    version: 'test',
    readiness: {},
  });
}

beforeAll(async () => {
  redis = createRedis({ url: infra.redisUrl, keyPrefix: `${uniqueName('fs-test')}:` }) as Redis;
  await connectRedis(redis, infra.redisUrl);
  // No pointer cache: each test sees a switch at once.
  store = new RedisFeatureStore(redis, { pointerCacheMs: 0 });
  await materialize(artifactFeatureSource(artifacts), store, { nowMs: Date.now(), batchSize: 200 });
  app = appOn(store);
});

afterAll(async () => {
  await app.close();
  const { stored } = await store.versions();
  for (const v of stored) await store.collect(v.id);
  await redis.del(keys.current, keys.building, keys.versions);
  await closeRedis(redis);
});

const userFeatures = (userId: string) => app.inject({ method: 'GET', url: `/v1/users/${userId}/features` });
const listen = (payload: object) => app.inject({ method: 'POST', url: '/v1/events/listen', payload });
const userWithListens = () => {
  for (let u = 0; u < artifacts.manifest.counts.users; u++)
    if (recentListensOf(listensTable, u).length >= 3) return u;
  throw new Error('the tiny set has no user with 3 listens');
};

describe('feature-store against the real Redis', () => {
  it('when a user of the artifacts is read, then embedding, region and history match the batch data', async () => {
    const user = userWithListens();
    const expectedListens = recentListensOf(listensTable, user).slice(-RECENT_LISTENS_KEPT);

    const res = await userFeatures(String(user));

    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Array.from(decodeFloat32(body.embedding))).toEqual(Array.from(row(userEmbeddings, dim, user)));
    expect(body.region).toBe(artifacts.readUsers()[user]!.region);
    expect(body.recentListens).toEqual(expectedListens);
    expect(body.recentSongEmbeddings.map((s: { songId: number }) => s.songId).sort()).toEqual(
      [...new Set(expectedListens.map((l) => l.songId))].sort(),
    );
    expect(res.headers['server-timing']).toMatch(/^redis;dur=/);
  });

  it('when a listen is posted, then the next read has it as the latest listen', async () => {
    const user = String(userWithListens());
    const timestampMs = Date.now();

    const posted = await listen({ userId: user, songId: 42, timestampMs });

    expect(posted.statusCode).toBe(202);
    const latest = (await userFeatures(user)).json().recentListens.at(-1);
    expect(latest).toEqual({ songId: 42, timestampMs });
  });

  it('when a new user listens, then they have history but no region or embedding', async () => {
    const user = uniqueName('new-user');
    await listen({ userId: user, songId: 7 });

    const body = (await userFeatures(user)).json();

    expect(body.region).toBeNull();
    expect(body.embedding).toBeNull();
    expect(body.recentListens.map((l: { songId: number }) => l.songId)).toEqual([7]);
    expect(body.recentSongEmbeddings).toHaveLength(1);
  });

  it('when more listens arrive than are kept, then only the latest 50 stay, oldest first', async () => {
    const user = uniqueName('heavy');
    for (let i = 0; i < RECENT_LISTENS_KEPT + 5; i++)
      await listen({ userId: user, songId: i, timestampMs: 1_000_000 + i });

    const history = (await userFeatures(user)).json().recentListens;

    expect(history).toHaveLength(RECENT_LISTENS_KEPT);
    expect(history[0].songId).toBe(5);
    expect(history.at(-1).songId).toBe(RECENT_LISTENS_KEPT + 4);
  });

  it('when nobody knows the user, then 404', async () => {
    expect((await userFeatures(uniqueName('ghost'))).statusCode).toBe(404);
  });

  it('when a listen names a song outside the catalog, then 400 names songId', async () => {
    const res = await listen({ userId: 'u1', songId: songs.length });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields[0].field).toBe('songId');
  });

  it('when songs are looked up in a batch, then known ones come back as in the artifacts and unknown ones as missing', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/songs/features',
      payload: { ids: [3, 1, songs.length + 1], withEmbeddings: true },
    });

    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.missing).toEqual([songs.length + 1]);
    const { id, ...facts } = songs[1]!;
    expect(body.songs[1]).toMatchObject({ songId: id, ...facts });
    expect(decodeFloat32(body.songs[1].embedding)).toHaveLength(dim);
  });

  it('when a new version is built while listens arrive, then the switch keeps them and the version before last is collected', async () => {
    const before = (await store.versions()).current!;
    const user = String(userWithListens());
    const source = artifactFeatureSource(artifacts);

    const rebuilt = materialize(source, store, {
      nowMs: Date.now() + 1,
      batchSize: 100,
      force: true,
      // A listen arrives in the middle of the build.
      onProgress: ({ phase, done }) => {
        if (phase === 'songs' && done === 100) void listen({ userId: user, songId: 99, timestampMs: 2e12 });
      },
    });
    const outcome = await rebuilt;
    const third = await materialize(source, store, { nowMs: Date.now() + 2, batchSize: 500, force: true });

    expect(outcome.version.id).not.toBe(before.id);
    const history = (await userFeatures(user)).json();
    expect(history.featureVersion).toBe(third.version.id);
    expect(third.collected).toEqual([before.id]);
    expect(await redis.exists(keys.user(before.id, user))).toBe(0);
    expect(await redis.exists(keys.user(outcome.version.id, user))).toBe(1);
    // The listen reached the version built while it arrived (the third copied none: it is batch data only).
    const listensOfSecond = await redis.zrange(keys.listens(outcome.version.id, user), '0', '-1');
    expect(listensOfSecond).toContain('99:2000000000000');
  });

  it('when Redis cannot be reached, then reads answer 503 saying so', async () => {
    const down = createRedis({ url: 'redis://127.0.0.1:1' }) as Redis;
    const outage = appOn(new RedisFeatureStore(down));

    const res = await outage.inject({ method: 'GET', url: '/v1/users/1/features' });

    expect(res.statusCode).toBe(503);
    expect(res.json().error.message).toContain("the feature store's Redis did not answer");
    await outage.close();
    down.disconnect();
  });
});
