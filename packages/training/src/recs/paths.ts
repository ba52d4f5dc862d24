import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout this code runs from. Step cache keys hash source files here,
 * which need not be the `root` the data and artifacts go to (tests use a
 * temporary root).
 */
export const CODE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** Where a profile's files live under the repository's `.cache`. */
export function recsPaths(root: string, profile: string) {
  const data = join(root, '.cache', 'data', 'recs', profile);
  const work = join(data, 'training');
  return {
    /** The generated dataset (datagen's format). */
    data,
    /** Intermediate outputs: embeddings, sweep indexes, ranker data and model. */
    work,
    stamps: join(work, 'stamps'),
    embeddings: join(work, 'embeddings'),
    hnsw: join(work, 'hnsw'),
    ranker: join(work, 'ranker'),
    /** The published artifact set the services load. */
    artifacts: join(root, '.cache', 'artifacts', 'recs', profile),
  };
}

export type RecsPaths = ReturnType<typeof recsPaths>;

/** Source folders and files whose contents go into each step's cache key (relative to CODE_ROOT). */
export const STEP_SOURCES = {
  data: ['packages/datagen/src/recs', 'packages/datagen/src/random.ts'],
  embeddings: [
    'packages/training/src/recs/split.ts',
    'packages/training/src/recs/embeddings.ts',
    'packages/training/src/recs/python.ts',
    'packages/training/python/recs/train_als.py',
  ],
  hnsw: [
    'packages/recs-core/src',
    'packages/training/src/recs/hnsw-index.ts',
    'packages/training/src/recs/hnsw-sweep.ts',
    'packages/training/src/recs/python.ts',
    'packages/training/src/recs/replay.ts',
    'packages/training/python/recs/build_hnsw.py',
  ],
  /** The large profile's index: only the builder, so editing the serving code does not rebuild 1M songs. */
  annIndex: [
    'packages/training/src/recs/hnsw-index.ts',
    'packages/training/src/recs/python.ts',
    'packages/training/python/recs/build_hnsw.py',
  ],
  annPublish: [
    'packages/training/src/recs/ann-benchmark-pipeline.ts',
    'packages/training/src/recs/artifact-writer.ts',
    'packages/recs-core/src/artifacts',
  ],
  /** Tower, ranker data and model, evaluation, publishing: all of recs-core and the recs training code. */
  models: [
    'packages/recs-core/src',
    'packages/training/src/recs',
    'packages/training/python/recs',
    'packages/training/python/shared',
  ],
} as const;
