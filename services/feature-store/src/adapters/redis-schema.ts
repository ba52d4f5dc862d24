import type { RecentListen, SongFeatures } from '@mlsys/recs-core';
import { decodeSongRow, encodeSongRow } from '@mlsys/recs-core/artifacts';

/**
 * The feature store's Redis key space, the one place that spells it:
 *
 *   fs:current                 id of the version readers use (switched with one SET)
 *   fs:building                id of the version being materialised (live listens go there too)
 *   fs:versions                ZSET of stored version ids by creation time
 *   fs:version:<v>             HASH describing version v (VersionInfo)
 *   fs:v:<v>:u:<userId>        HASH {region, emb}: emb = little-endian float32 bytes
 *   fs:v:<v>:l:<userId>        ZSET of recent listens, member "<songId>:<timestampMs>", score = timestamp
 *   fs:v:<v>:s:<songId>        STRING: the song's features as one artifact CSV row
 *   fs:v:<v>:e:<songId>        STRING: the song embedding, float32 bytes
 *
 * Listens are a sorted set so that the batch history and live listens can
 * be written in any order and still come out oldest first, deduplicated,
 * and trimmed to the latest N. Keys of one version share the `fs:v:<v>:`
 * prefix, which is what garbage collection scans for.
 *
 * Single Redis node: the pipelines touch keys of many slots (a Cluster would
 * need hash tags per user).
 */
export const keys = {
  current: 'fs:current',
  building: 'fs:building',
  versions: 'fs:versions',
  version: (v: string) => `fs:version:${v}`,
  versionPattern: (v: string) => `fs:v:${v}:*`,
  user: (v: string, userId: string) => `fs:v:${v}:u:${userId}`,
  listens: (v: string, userId: string) => `fs:v:${v}:l:${userId}`,
  song: (v: string, songId: number) => `fs:v:${v}:s:${songId}`,
  songEmbedding: (v: string, songId: number) => `fs:v:${v}:e:${songId}`,
};

export const listenMember = (listen: RecentListen): string => `${listen.songId}:${listen.timestampMs}`;

export function decodeListenMember(member: string): RecentListen {
  const colon = member.indexOf(':');
  return { songId: Number(member.slice(0, colon)), timestampMs: Number(member.slice(colon + 1)) };
}

export const float32Bytes = (vector: Float32Array): Buffer =>
  Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);

/** A copy, so the vector is aligned whatever offset the reply buffer had. */
export function float32FromBytes(bytes: Buffer): Float32Array {
  const out = new Float32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

export const encodeSong = (song: SongFeatures): string => encodeSongRow(song);
export const decodeSong = (value: string): SongFeatures => decodeSongRow(value);
