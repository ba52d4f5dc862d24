import { encodeFloat32, encodeInt32, type RankRequest } from '@mlsys/contracts';
import type { ServiceApp, WarmUp } from '@mlsys/service-kit';
import type { RankerCatalog } from './domain/catalog.js';

const HOUR_MS = 3_600_000;

/**
 * A rank request of `size` catalog songs (spread over the catalog, scores
 * descending as candidate generation sends them) with a short listening
 * history, in the first region. Made up; the answer is discarded.
 */
export function warmUpRankRequest(catalog: RankerCatalog, size: number, nowMs: number): RankRequest {
  const songs = catalog.songs.length;
  const n = Math.min(size, songs);
  const ids = Int32Array.from({ length: n }, (_, i) => Math.floor((i * songs) / n));
  const scores = Float32Array.from({ length: n }, (_, i) => 1 - i / n);
  const recentListens = [0, 1, 2].map((i) => ({
    songId: ids[(i * 7) % n]!,
    timestampMs: nowMs - (3 - i) * HOUR_MS,
  }));
  return {
    region: [...catalog.regions.keys()][0]!,
    nowMs,
    recentListens,
    candidates: { ids: encodeInt32(ids), scores: encodeFloat32(scores) },
    limit: Math.min(100, n),
  };
}

/** The warm-up's ONNX runs: one request per batch size through `POST /v1/rank`, each a few times. */
export function warmUpRanking(
  warmUp: WarmUp,
  app: ServiceApp,
  catalog: RankerCatalog,
  batchSizes: readonly number[],
  nowMs: number,
): void {
  warmUp.request(
    `model (batches of ${batchSizes.join(', ')})`,
    app,
    batchSizes.map((size) => ({
      method: 'POST' as const,
      url: '/v1/rank',
      payload: warmUpRankRequest(catalog, size, nowMs),
    })),
    { times: 3 },
  );
}
