import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { recs } from '@mlsys/datagen';
import type { UserTowerParams } from '@mlsys/recs-core';
import { SongIndex } from '@mlsys/recs-core/ann';
import { MANIFEST_FILE } from '@mlsys/recs-core/artifacts';
import { RankerModel } from '@mlsys/recs-core/ranker-model';
import type { PipelineProgress } from '../shared/progress.js';
import { cachedStep, freshResult, hashJson, hashSources } from '../shared/step-cache.js';
import { writeTypedArray } from './binary-files.js';
import { embeddingFiles, trainEmbeddings } from './embeddings.js';
import { describeExploration, type ExplorationTuning, tuneExploration } from './exploration-tuning.js';
import { type HnswSweepResult, sweepHnsw } from './hnsw-sweep.js';
import { buildIndexVectors } from './index-vectors.js';
import { songSpace } from './list-metrics.js';
import { evaluateOffline, type OfflineEvaluation } from './offline-evaluation.js';
import { CODE_ROOT, type RecsPaths, STEP_SOURCES } from './paths.js';
import { type RankerDatasetStats, writeRankerDataset } from './ranker-dataset.js';
import {
  checkOnnxParity,
  type OnnxParity,
  type RankerSummary,
  rankerOnnxPath,
  trainRanker,
} from './ranker-training.js';
import { prepareQuery, type ReplayWorld, replayQueryVector } from './replay.js';
import { publishServingSet } from './serving-publish.js';
import type { ServingSettings } from './settings.js';
import { buildSongFeatures, genreHourTableOf, popularityByRegion } from './song-catalog.js';
import { evalQuery, rankerQuery, splitListens } from './split.js';
import { type TowerTrial, tuneUserTower, UNTUNED_TOWER } from './user-tower-tuning.js';

interface Context {
  root: string;
  profile: recs.RecsProfile;
  settings: ServingSettings;
  paths: RecsPaths;
  force: boolean;
  progress: PipelineProgress;
  dataKey: string;
}

/**
 * Every step's cache key, computed before anything runs: a key covers the
 * step's parameters, its code and the keys it depends on, so when the last
 * key matches its stamp the whole set is known to be up to date.
 */
function stepKeys(ctx: Context) {
  const { settings, profile } = ctx;
  const embeddings = hashJson({
    data: ctx.dataKey,
    seed: profile.seed,
    split: [settings.holdoutListens, settings.minListensForHoldout, settings.labelWindow],
    users: [settings.rankerUsers, settings.tuningUsers, settings.evalUsers],
    als: settings.als,
    code: hashSources(CODE_ROOT, STEP_SOURCES.embeddings),
  });
  const hnsw = hashJson({
    embeddings,
    grid: [settings.hnswGrid, settings.efGrid, settings.candidates],
    code: hashSources(CODE_ROOT, STEP_SOURCES.hnsw),
  });
  const models = hashSources(CODE_ROOT, STEP_SOURCES.models);
  const tower = hashJson({ hnsw, grid: settings.towerGrid, models });
  const rankerData = hashJson({ tower, negatives: settings.negativesPerQuery, models });
  const ranker = hashJson({ rankerData, params: settings.ranker, models });
  const exploration = hashJson({ ranker, params: settings.exploration, models });
  const evaluation = hashJson({ exploration, popular: settings.popularListLength, models });
  return {
    embeddings,
    hnsw,
    tower,
    rankerData,
    ranker,
    exploration,
    evaluation,
    publish: hashJson({ evaluation, models }),
  };
}

export async function servingPipeline(ctx: Context): Promise<void> {
  const { root, settings, paths, progress, force } = ctx;
  const keys = stepKeys(ctx);
  const stamp = (name: string) => join(paths.stamps, `${name}.json`);
  const manifestPath = join(paths.artifacts, MANIFEST_FILE);
  if (!force && freshResult(stamp('publish'), keys.publish, [manifestPath])) {
    progress.skipped('artifacts', `up to date in ${paths.artifacts}`);
    return;
  }

  const dataset = recs.readRecsDataset(paths.data);
  const seed = ctx.profile.seed;
  const split = splitListens(dataset.listens, settings, recs.Random.derive(seed, 'split'));
  const songs = buildSongFeatures(dataset, split);
  const genreHourLift = genreHourTableOf(dataset, split);
  const popularByRegion = popularityByRegion(
    songs,
    dataset.meta.regions.map((r) => r.code),
    dataset.meta.window.endMs,
    settings.popularListLength,
  );

  const embeddings = embeddingFiles(paths.embeddings);
  const embeddingStats = await cachedStep({
    stampPath: stamp('embeddings'),
    key: keys.embeddings,
    outputs: [embeddings.songEmbeddings, embeddings.userEmbeddings],
    force,
    onSkip: () => progress.skipped('embeddings', 'cached'),
    run: () =>
      progress.step('embeddings', (step) =>
        trainEmbeddings({
          root,
          dataset,
          split,
          settings,
          dir: paths.embeddings,
          label: progress.label('embeddings'),
          progress: step,
        }),
      ),
  });

  const dim = dataset.meta.dim;
  const songEmbeddings = recs.readFloat32Matrix(embeddings.songEmbeddings, dim, dataset.meta.counts.songs);
  const { vectors: indexVectors, scale: popularityScale } = buildIndexVectors(songEmbeddings, dim, songs);
  const world: ReplayWorld = {
    dataset,
    songs,
    songEmbeddings,
    userEmbeddings: recs.readFloat32Matrix(embeddings.userEmbeddings, dim, dataset.meta.counts.users),
    dim,
    indexVectors,
    genreHourLift,
  };
  const tuningQueries = Array.from(split.tuningUsers, (u) => prepareQuery(world, rankerQuery(split, u)));

  const sweep = await cachedStep<HnswSweepResult>({
    stampPath: stamp('hnsw'),
    key: keys.hnsw,
    outputs: [join(paths.hnsw, 'index.bin')],
    force,
    onSkip: () => progress.skipped('hnsw', 'cached'),
    run: () =>
      progress.step('hnsw', (step) => {
        const queries = new Float32Array(tuningQueries.length * (dim + 1));
        for (const [i, q] of tuningQueries.entries()) {
          queries.set(replayQueryVector(world, q, UNTUNED_TOWER), i * (dim + 1));
        }
        const vectorsPath = join(paths.hnsw, 'index-vectors.f32');
        mkdirSync(paths.hnsw, { recursive: true });
        writeTypedArray(vectorsPath, indexVectors);
        return sweepHnsw({
          root,
          vectorsPath,
          vectors: indexVectors,
          dim: dim + 1,
          queries,
          settings,
          dir: paths.hnsw,
          label: progress.label('hnsw'),
          progress: step,
        });
      }),
  });
  const songIndex = SongIndex.load(sweep.indexPath, dim + 1, sweep.chosen.ef);

  const tower = await cachedStep<{ params: UserTowerParams; trials: TowerTrial[] }>({
    stampPath: stamp('tower'),
    key: keys.tower,
    outputs: [],
    force,
    onSkip: () => progress.skipped('user tower', 'cached'),
    run: () =>
      progress.step('user tower', (step) =>
        tuneUserTower({ world, queries: tuningQueries, index: songIndex, settings, progress: step }),
      ),
  });

  const rankerDataDir = join(paths.ranker, 'data');
  const rankerData = await cachedStep<RankerDatasetStats>({
    stampPath: stamp('ranker-data'),
    key: keys.rankerData,
    outputs: [join(rankerDataDir, 'train-features.f32'), join(rankerDataDir, 'valid-features.f32')],
    force,
    onSkip: () => progress.skipped('ranker data', 'cached'),
    run: () =>
      progress.step('ranker data', (step) =>
        writeRankerDataset({
          world,
          queries: Array.from(split.rankerUsers, (u) => prepareQuery(world, rankerQuery(split, u))),
          index: songIndex,
          tower: tower.params,
          settings,
          validUsers: new Set(split.tuningUsers),
          random: recs.Random.derive(seed, 'ranker-negatives'),
          dir: rankerDataDir,
          progress: step,
        }),
      ),
  });

  const rankerOnnx = rankerOnnxPath(paths.ranker);
  const ranker = await cachedStep<{ summary: RankerSummary; parity: OnnxParity }>({
    stampPath: stamp('ranker'),
    key: keys.ranker,
    outputs: [rankerOnnx],
    force,
    onSkip: () => progress.skipped('ranker', 'cached'),
    run: () =>
      progress.step('ranker', async (step) => {
        const summary = await trainRanker({
          root,
          dataDir: rankerDataDir,
          outDir: paths.ranker,
          settings,
          seed,
          label: progress.label('ranker'),
        });
        const parity = await checkOnnxParity(paths.ranker, summary);
        step.note(
          `${summary.trees} trees; onnxruntime-node matches LightGBM to ${parity.maxAbsDiff.toExponential(1)} on ${parity.rows} rows`,
        );
        return { summary, parity };
      }),
  });

  const space = songSpace(
    songs.map((s) => s.listenCount),
    songEmbeddings,
    dim,
  );
  const exploration = await cachedStep<ExplorationTuning>({
    stampPath: stamp('exploration'),
    key: keys.exploration,
    outputs: [],
    force,
    onSkip: () => progress.skipped('exploration', 'cached'),
    run: () =>
      progress.step('exploration', async (step) => {
        const model = await RankerModel.load(rankerOnnx, ranker.summary);
        try {
          const tuned = await tuneExploration({
            world,
            queries: tuningQueries,
            index: songIndex,
            tower: tower.params,
            ranker: model,
            settings,
            space,
            progress: step,
          });
          step.note(describeExploration(tuned));
          return tuned;
        } finally {
          await model.close();
        }
      }),
  });

  const evaluation = await cachedStep<OfflineEvaluation>({
    stampPath: stamp('evaluation'),
    key: keys.evaluation,
    outputs: [],
    force,
    onSkip: () => progress.skipped('offline evaluation', 'cached'),
    run: () =>
      progress.step('offline evaluation', async (step) => {
        const model = await RankerModel.load(rankerOnnx, ranker.summary);
        try {
          return await evaluateOffline({
            world,
            queries: Array.from(split.evalUsers, (u) =>
              prepareQuery(world, evalQuery(split, dataset.listens, u)),
            ),
            index: songIndex,
            tower: tower.params,
            ranker: model,
            exploration: exploration.params,
            curve: exploration.trials,
            temperature: exploration.temperature,
            popularByRegion,
            space,
            candidates: settings.candidates,
            progress: step,
          });
        } finally {
          await model.close();
        }
      }),
  });

  await cachedStep({
    stampPath: stamp('publish'),
    key: keys.publish,
    outputs: [manifestPath],
    force,
    onSkip: () => progress.skipped('artifacts', 'cached'),
    run: () =>
      progress.step('artifacts', (step) => {
        const report = {
          profile: ctx.profile.name,
          data: dataset.meta.counts,
          split: {
            holdoutListens: settings.holdoutListens,
            labelWindow: settings.labelWindow,
            rankerUsers: split.rankerUsers.length,
            tuningUsers: split.tuningUsers.length,
            evalUsers: split.evalUsers.length,
          },
          embeddings: { ...settings.als, ...embeddingStats },
          hnsw: sweep,
          userTower: tower,
          ranker: { ...ranker, data: rankerData },
          exploration,
          evaluation,
        };
        const manifest = publishServingSet(paths.artifacts, {
          dataset,
          split,
          songs,
          embeddings,
          sweep,
          tower: tower.params,
          exploration: exploration.params,
          rankerOnnx,
          ranker: ranker.summary,
          popularByRegion,
          genreHourLift,
          popularityScale,
          report,
          settings,
        });
        step.note(`version ${manifest.artifactVersion} in ${paths.artifacts}`);
        return { artifactVersion: manifest.artifactVersion };
      }),
  });
}
