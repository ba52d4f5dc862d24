export { type AnnMeasurement, type AnnSetup, exactNeighbours, measureAnn } from './ef-sweep.js';
export { buildShards, type ShardBuildInput } from './shard-build.js';
export {
  readShardManifest,
  SHARDS_MANIFEST,
  type ShardSetManifest,
  type ShardSetWanted,
  shardFile,
  shardSetDir,
  shardSetProblem,
  writeShardManifest,
} from './shard-files.js';
export { SHARD_HOSTINGS, type ShardAnswer, type ShardHosting } from './shard-host.js';
export { mergeTopK, shardEf, shardFetchK, shardOf } from './shard-merge.js';
export { type ShardedAnswer, type ShardedSearchOptions, ShardedSongIndex } from './sharded-index.js';
export { ANN_SPACE, SongIndex } from './song-index.js';
