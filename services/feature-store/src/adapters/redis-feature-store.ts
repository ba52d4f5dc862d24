import { RECENT_LISTENS_KEPT, type RecentListen } from '@mlsys/recs-core';
import type { Redis } from '@mlsys/redis';
import type { FeatureStore, VersionWriter } from '../domain/ports.js';
import type { SongRecord, StoredUser, UserRecord, VersionInfo } from '../domain/records.js';
import {
  decodeListenMember,
  decodeSong,
  encodeSong,
  float32Bytes,
  float32FromBytes,
  keys,
  listenMember,
} from './redis-schema.js';

export interface RedisFeatureStoreOptions {
  /**
   * How long a read may reuse the `current` pointer it last saw. Readers
   * then cost one round trip less; the version they may still read for that
   * long is kept by garbage collection (see versionsToCollect).
   */
  pointerCacheMs?: number;
  /** How long a `building` mark outlives a crashed materialisation. */
  buildingTtlSeconds?: number;
  now?: () => number;
}

/** Features in Redis under the key space of redis-schema.ts: the online reads, live listens and batch writes. */
export class RedisFeatureStore implements FeatureStore, VersionWriter {
  private cached: { version: VersionInfo | undefined; at: number } | undefined;
  private readonly infos = new Map<string, VersionInfo>();
  private readonly pointerCacheMs: number;
  private readonly buildingTtlSeconds: number;
  private readonly now: () => number;

  constructor(
    private readonly redis: Redis,
    options: RedisFeatureStoreOptions = {},
  ) {
    this.pointerCacheMs = options.pointerCacheMs ?? 500;
    this.buildingTtlSeconds = options.buildingTtlSeconds ?? 6 * 3600;
    this.now = options.now ?? Date.now;
  }

  // ---------------------------------------------------------------- reads

  async current(): Promise<VersionInfo | undefined> {
    const now = this.now();
    if (this.cached && now - this.cached.at < this.pointerCacheMs) return this.cached.version;
    const id = await this.redis.get(keys.current);
    const version = id === null ? undefined : await this.info(id);
    this.cached = { version, at: now };
    return version;
  }

  async user(version: VersionInfo, userId: string): Promise<StoredUser | undefined> {
    const [profile, members] = await this.exec<[Array<Buffer | null>, string[]]>(
      this.redis
        .pipeline()
        .hmgetBuffer(keys.user(version.id, userId), 'region', 'emb')
        .zrange(keys.listens(version.id, userId), '0', '-1'),
    );
    const [region, embedding] = profile;
    if (!region && members.length === 0) return undefined;
    const recentListens = members.map(decodeListenMember);
    const songIds = [...new Set(recentListens.map((l) => l.songId))];
    const songEmbeddings =
      songIds.length === 0
        ? []
        : await this.redis.mgetBuffer(...songIds.map((id) => keys.songEmbedding(version.id, id)));
    const recentSongEmbeddings = new Map<number, Float32Array>();
    songIds.forEach((id, i) => {
      const bytes = songEmbeddings[i];
      if (bytes) recentSongEmbeddings.set(id, float32FromBytes(bytes));
    });
    return {
      region: region ? region.toString('utf8') : null,
      embedding: embedding ? float32FromBytes(embedding) : null,
      recentListens,
      recentSongEmbeddings,
    };
  }

  async songs(
    version: VersionInfo,
    ids: readonly number[],
    withEmbeddings: boolean,
  ): Promise<(SongRecord | Omit<SongRecord, 'embedding'> | undefined)[]> {
    const rows = await this.redis.mget(...ids.map((id) => keys.song(version.id, id)));
    const embeddings = withEmbeddings
      ? await this.redis.mgetBuffer(...ids.map((id) => keys.songEmbedding(version.id, id)))
      : [];
    return rows.map((value, i) => {
      if (value === null) return undefined;
      const features = decodeSong(value);
      const embedding = embeddings[i];
      return withEmbeddings && embedding
        ? { features, embedding: float32FromBytes(embedding) }
        : { features };
    });
  }

  // ---------------------------------------------------------------- live listens

  async recordListen(userId: string, listen: RecentListen): Promise<string[]> {
    // Fresh pointers, never the cached one: a listen written only to a version about to be replaced would be lost.
    const [current, building] = await this.redis.mget(keys.current, keys.building);
    const targets = [...new Set([current, building].filter((v): v is string => v !== null))];
    if (targets.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const version of targets) appendListens(pipeline, keys.listens(version, userId), [listen]);
    await this.exec(pipeline);
    return targets;
  }

  // ---------------------------------------------------------------- batch writes

  async versions(): Promise<{ current: VersionInfo | undefined; stored: VersionInfo[] }> {
    const [currentId, ids] = await Promise.all([
      this.redis.get(keys.current),
      this.redis.zrange(keys.versions, '0', '-1'),
    ]);
    const stored = (await Promise.all(ids.map((id) => this.info(id)))).filter(
      (v): v is VersionInfo => v !== undefined,
    );
    return { current: stored.find((v) => v.id === currentId), stored };
  }

  async begin(version: VersionInfo): Promise<void> {
    await this.exec(
      this.redis
        .multi()
        .hset(keys.version(version.id), serializeInfo(version))
        .zadd(keys.versions, version.createdAtMs, version.id)
        .set(keys.building, version.id, 'EX', this.buildingTtlSeconds),
    );
  }

  async writeSongs(version: VersionInfo, batch: readonly SongRecord[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const { features, embedding } of batch) {
      pipeline.set(keys.song(version.id, features.id), encodeSong(features));
      pipeline.set(keys.songEmbedding(version.id, features.id), float32Bytes(embedding));
    }
    await this.exec(pipeline);
  }

  async writeUsers(version: VersionInfo, batch: readonly UserRecord[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const user of batch) {
      pipeline.hset(
        keys.user(version.id, user.userId),
        'region',
        user.region,
        'emb',
        float32Bytes(user.embedding),
      );
      // Merged with any live listen already written to this version while it was being built.
      appendListens(pipeline, keys.listens(version.id, user.userId), user.recentListens);
    }
    await this.exec(pipeline);
  }

  async publish(version: VersionInfo): Promise<void> {
    // One MULTI: readers see the old version or the new one, never a mix.
    await this.exec(this.redis.multi().set(keys.current, version.id).del(keys.building));
    this.cached = undefined;
  }

  async collect(versionId: string): Promise<number> {
    const prefix = this.redis.options.keyPrefix ?? '';
    let deleted = 0;
    let cursor = '0';
    do {
      // SCAN patterns and replies carry the client's key prefix; UNLINK adds it again, so strip it.
      const [next, found] = await this.redis.scan(
        cursor,
        'MATCH',
        prefix + keys.versionPattern(versionId),
        'COUNT',
        1000,
      );
      cursor = next;
      if (found.length > 0)
        deleted += await this.redis.unlink(...found.map((key) => key.slice(prefix.length)));
    } while (cursor !== '0');
    await this.exec(this.redis.multi().del(keys.version(versionId)).zrem(keys.versions, versionId));
    this.infos.delete(versionId);
    return deleted;
  }

  // ---------------------------------------------------------------- helpers

  private async info(id: string): Promise<VersionInfo | undefined> {
    const known = this.infos.get(id);
    if (known) return known;
    const raw = await this.redis.hgetall(keys.version(id));
    if (!raw.id) return undefined;
    const info = parseInfo(raw);
    // A version's description never changes once written, so it is cached for good.
    this.infos.set(id, info);
    return info;
  }

  /** Runs a pipeline or MULTI and fails on the first command that failed. */
  private async exec<T extends unknown[]>(batch: {
    exec(): Promise<[Error | null, unknown][] | null>;
  }): Promise<T> {
    const results = await batch.exec();
    if (!results) throw new Error('redis transaction was aborted');
    const failed = results.find(([error]) => error !== null);
    if (failed) throw failed[0];
    return results.map(([, value]) => value) as T;
  }
}

type Batch = ReturnType<Redis['pipeline']>;

function appendListens(batch: Batch, key: string, listens: readonly RecentListen[]): void {
  if (listens.length === 0) return;
  const args: (string | number)[] = [];
  for (const listen of listens) args.push(listen.timestampMs, listenMember(listen));
  batch.zadd(key, ...args);
  // Keep the latest RECENT_LISTENS_KEPT (ranks are oldest first).
  batch.zremrangebyrank(key, 0, -(RECENT_LISTENS_KEPT + 1));
}

function serializeInfo(info: VersionInfo): Record<string, string> {
  return {
    id: info.id,
    artifactVersion: info.artifactVersion,
    createdAtMs: String(info.createdAtMs),
    users: String(info.users),
    songs: String(info.songs),
  };
}

function parseInfo(raw: Record<string, string>): VersionInfo {
  return {
    id: raw.id!,
    artifactVersion: raw.artifactVersion ?? '',
    createdAtMs: Number(raw.createdAtMs),
    users: Number(raw.users),
    songs: Number(raw.songs),
  };
}
