/**
 * A sharded song index: S hnswlib graphs over disjoint slices of the
 * catalogue (`shardOf`), each asked for its top k' at once, their answers
 * merged by score. The scores are comparable across shards because every
 * shard holds vectors of the same space and is asked the same query.
 */
import type { ScoredIds } from '../exact-search.js';
import { readShardManifest, type ShardSetManifest, shardFile } from './shard-files.js';
import { openShardHost, type ShardHost, type ShardHosting } from './shard-host.js';
import { mergeTopK, shardEf, shardFetchK, shardOf } from './shard-merge.js';

export interface ShardedAnswer extends ScoredIds {
  /** Each shard's own search time, in shard order (the slowest sets the tail). */
  shardMs: number[];
}

export interface ShardedSearchOptions {
  /** Songs asked of each shard; default `shardFetchK(k, S)`, or k when the index is `exact`. */
  shardK?: number;
  /** Beam of each shard's search; default the whole index's beam-to-k ratio at k' (`shardEf`). */
  ef?: number;
}

export class ShardedSongIndex {
  private constructor(
    readonly manifest: ShardSetManifest,
    readonly hosting: ShardHosting,
    private readonly hosts: ShardHost[],
    /** The ef tuned for one index over the whole catalogue; shards scale it to their k'. */
    readonly efSearch: number,
    /** Ask every shard for all k: the merge is then the exact union's top k of the shards' answers. */
    readonly exact: boolean,
  ) {}

  /**
   * Opens every shard of the set in `dir` where `hosting` says, one after
   * another (so each one's resident bytes are its own), and fails naming
   * the shard when one cannot be loaded.
   */
  static async open(
    dir: string,
    options: {
      hosting: ShardHosting;
      efSearch: number;
      exact?: boolean;
      /** A shard's thread or process died after loading (see `openShardHost`). */
      onLost?: (why: string) => void;
    },
  ): Promise<ShardedSongIndex> {
    const manifest = readShardManifest(dir);
    if (!manifest) throw new Error(`no sharded index in ${dir}`);
    const hosts: ShardHost[] = [];
    try {
      for (let s = 0; s < manifest.shards; s++) {
        const path = shardFile(dir, s, manifest.shards);
        const start = { path, dim: manifest.dim, ef: options.efSearch };
        hosts.push(await openShardHost(options.hosting, start, options.onLost));
        if (hosts[s]!.count !== manifest.counts[s])
          throw new Error(`${path} holds ${hosts[s]!.count} songs, shards.json says ${manifest.counts[s]}`);
      }
    } catch (error) {
      await Promise.all(hosts.map((host) => host.close()));
      throw error;
    }
    return new ShardedSongIndex(manifest, options.hosting, hosts, options.efSearch, options.exact ?? false);
  }

  get dim(): number {
    return this.manifest.dim;
  }

  get count(): number {
    return this.hosts.reduce((sum, host) => sum + host.count, 0);
  }

  get shards(): number {
    return this.hosts.length;
  }

  /** Resident bytes the shards added where they were loaded, summed. */
  get loadedBytes(): number {
    return this.hosts.reduce((sum, host) => sum + host.loadedBytes, 0);
  }

  /** The per-shard k' and ef a search for `k` uses unless told otherwise. */
  plan(k: number, options: ShardedSearchOptions = {}): { shardK: number; ef: number } {
    const shardK = options.shardK ?? shardFetchK(k, this.shards, this.exact);
    return { shardK, ef: options.ef ?? shardEf(this.efSearch, k, shardK) };
  }

  /**
   * Top-k songs by q.v over all shards, best first, none of `exclude`. Each
   * shard over-fetches by the excluded songs it holds, as `SongIndex` does.
   */
  async search(
    query: ArrayLike<number>,
    k: number,
    exclude?: ReadonlySet<number>,
    options: ShardedSearchOptions = {},
  ): Promise<ShardedAnswer> {
    if (query.length !== this.dim)
      throw new Error(`query has ${query.length} dimensions, the index ${this.dim}`);
    const { shardK, ef } = this.plan(k, options);
    const vector = Float32Array.from(query);
    const excluded = this.dealExcluded(exclude);
    const answers = await Promise.all(
      this.hosts.map((host, s) => host.search(vector, shardK, ef, excluded[s]!)),
    );
    return { ...mergeTopK(answers, k), shardMs: answers.map((answer) => answer.ms) };
  }

  close(): Promise<void> {
    return Promise.all(this.hosts.map((host) => host.close())).then(() => undefined);
  }

  private dealExcluded(exclude: ReadonlySet<number> | undefined): Int32Array[] {
    const lists = this.hosts.map((): number[] => []);
    for (const song of exclude ?? []) lists[shardOf(song, this.shards)]!.push(song);
    return lists.map((list) => Int32Array.from(list));
  }
}
