/**
 * The HNSW index over song embeddings, as candidate generation and the
 * offline pipeline both query it. Kept apart from the package's main entry
 * because it loads a native addon (hnswlib-node): pure code imports
 * `@mlsys/recs-core`, adapters import `@mlsys/recs-core/ann`.
 *
 * The index uses hnswlib's inner-product space, whose distance is 1 - q.v;
 * `search` turns it back into the score q.v that the ranker's `ann_score`
 * feature expects, so offline and online scores agree by construction.
 */
import { statSync } from 'node:fs';
import hnswlib from 'hnswlib-node';
import type { ScoredIds } from '../exact-search.js';

/** hnswlib space of every recs index; part of the artifact contract. */
export const ANN_SPACE = 'ip';

export class SongIndex {
  private constructor(
    private readonly index: hnswlib.HierarchicalNSW,
    readonly dim: number,
  ) {}

  /** Loads an index written by the offline pipeline. `efSearch` trades recall for latency (>= k). */
  static load(path: string, dim: number, efSearch: number): SongIndex {
    statSync(path); // a clear ENOENT naming the path, instead of the addon's generic failure
    const index = new hnswlib.HierarchicalNSW(ANN_SPACE, dim);
    index.readIndexSync(path);
    index.setEf(efSearch);
    return new SongIndex(index, dim);
  }

  get count(): number {
    return this.index.getCurrentCount();
  }

  get efSearch(): number {
    return this.index.getEf();
  }

  setEfSearch(ef: number): void {
    this.index.setEf(ef);
  }

  /**
   * Every song's vector as the index holds it (row = song id), read back from
   * the graph: the one source that is right for any artifact kind, e.g. to
   * deal the same vectors into shards.
   */
  vectors(): Float32Array {
    const out = new Float32Array(this.count * this.dim);
    for (let id = 0; id < this.count; id++) out.set(this.index.getPoint(id), id * this.dim);
    return out;
  }

  /**
   * Top-k songs by q.v, best first, skipping `exclude` (e.g. songs the user
   * just played). Excluded songs are over-fetched and dropped afterwards:
   * hnswlib-node's filter callback would cross into JavaScript for every
   * visited node, which costs more than a few extra results.
   */
  search(query: ArrayLike<number>, k: number, exclude?: ReadonlySet<number>): ScoredIds {
    if (query.length !== this.dim)
      throw new Error(`query has ${query.length} dimensions, the index ${this.dim}`);
    const fetch = Math.min(this.count, k + (exclude?.size ?? 0));
    const ids = new Int32Array(Math.min(k, fetch));
    const scores = new Float32Array(ids.length);
    if (fetch === 0) return { ids, scores };
    const { neighbors, distances } = this.index.searchKnn(Array.from(query), fetch);
    let n = 0;
    for (let i = 0; i < neighbors.length && n < ids.length; i++) {
      const id = neighbors[i]!;
      if (exclude?.has(id)) continue;
      ids[n] = id;
      scores[n] = 1 - distances[i]!;
      n++;
    }
    return n === ids.length ? { ids, scores } : { ids: ids.slice(0, n), scores: scores.slice(0, n) };
  }
}
