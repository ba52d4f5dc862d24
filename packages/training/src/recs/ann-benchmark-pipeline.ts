import { join } from 'node:path';
import { recs } from '@mlsys/datagen';
import { ANN_SPACE } from '@mlsys/recs-core/ann';
import { MANIFEST_FILE } from '@mlsys/recs-core/artifacts';
import type { PipelineProgress } from '../shared/progress.js';
import { cachedStep, hashJson, hashSources } from '../shared/step-cache.js';
import { publishArtifacts } from './artifact-writer.js';
import { buildIndex, HNSW_LIBRARY } from './hnsw-index.js';
import { CODE_ROOT, type RecsPaths, STEP_SOURCES } from './paths.js';
import type { AnnBenchmarkSettings } from './settings.js';

/**
 * The `large` profile: 1M songs and no listens, so there is nothing to
 * factorise. The index is built over the generator's true song vectors (the
 * same genre/artist-clustered geometry the learned embeddings have) and the
 * benchmark queries it with the true taste vectors of the profile's users.
 */
export async function annBenchmarkPipeline(ctx: {
  root: string;
  settings: AnnBenchmarkSettings;
  paths: RecsPaths;
  force: boolean;
  progress: PipelineProgress;
  dataKey: string;
}): Promise<void> {
  const { root, settings, paths, progress } = ctx;
  const meta = recs.readDatasetMeta(paths.data);
  const songVectors = join(paths.data, recs.DATASET_FILES.songFactors);
  const queryVectors = join(paths.data, recs.DATASET_FILES.userFactors);
  const indexPath = join(paths.hnsw, 'index.bin');
  const hnswKey = hashJson({
    data: ctx.dataKey,
    hnsw: settings.hnsw,
    code: hashSources(CODE_ROOT, STEP_SOURCES.annIndex),
  });

  const built = await cachedStep({
    stampPath: join(paths.stamps, 'hnsw.json'),
    key: hashJson({ hnswKey }),
    outputs: [indexPath],
    force: ctx.force,
    onSkip: () => progress.skipped('hnsw', 'cached'),
    run: () =>
      progress.step('hnsw', async () => {
        const queries = recs.readFloat32Matrix(queryVectors, meta.dim);
        const { buildSeconds, bytes, nodeAgreement } = await buildIndex({
          root,
          vectorsPath: songVectors,
          dim: meta.dim,
          config: settings.hnsw,
          out: indexPath,
          label: progress.label('hnsw'),
          checkQueries: queries.subarray(0, Math.min(queries.length, 50 * meta.dim)),
        });
        return { buildSeconds, bytes, nodeAgreement };
      }),
  });

  await cachedStep({
    stampPath: join(paths.stamps, 'publish.json'),
    key: hashJson({
      hnswKey,
      query: [settings.efSearch, settings.candidates],
      code: hashSources(CODE_ROOT, STEP_SOURCES.annPublish),
    }),
    outputs: [join(paths.artifacts, MANIFEST_FILE)],
    force: ctx.force,
    onSkip: () => progress.skipped('artifacts', `up to date in ${paths.artifacts}`),
    run: () =>
      progress.step('artifacts', (step) => {
        const manifest = publishArtifacts(
          paths.artifacts,
          {
            songEmbeddings: { from: songVectors },
            hnsw: { from: indexPath },
            annQueries: { from: queryVectors },
            offlineReport: {
              content: `${JSON.stringify({ hnsw: { ...settings.hnsw, ...built } }, null, 2)}\n`,
            },
          },
          {
            kind: 'ann-benchmark',
            profile: meta.profile,
            dim: meta.dim,
            counts: { songs: meta.counts.songs, users: 0, annQueries: meta.counts.users },
            genres: meta.genres.map((g) => g.name),
            regions: meta.regions,
            hnsw: {
              library: HNSW_LIBRARY,
              space: ANN_SPACE,
              dim: meta.dim,
              ...settings.hnsw,
              efSearch: settings.efSearch,
              candidates: settings.candidates,
              buildSeconds: Number(built.buildSeconds.toFixed(1)),
            },
          },
        );
        step.note(`version ${manifest.artifactVersion} in ${paths.artifacts}`);
        return { artifactVersion: manifest.artifactVersion };
      }),
  });
}
