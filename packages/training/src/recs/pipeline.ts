import { recs } from '@mlsys/datagen';
import type { PipelineOptions } from '../shared/pipeline-options.js';
import { PipelineProgress } from '../shared/progress.js';
import { annBenchmarkPipeline } from './ann-benchmark-pipeline.js';
import { dataStep } from './data-step.js';
import { recsPaths } from './paths.js';
import { servingPipeline } from './serving-pipeline.js';
import { trainingSettings } from './settings.js';

/**
 * The recommendation design's offline half: synthetic data, ALS embeddings,
 * HNSW index (swept), user-tower blend (tuned), LambdaRank ranker in ONNX,
 * offline report, published as one artifact set. Every step is cached by the
 * hash of its inputs; see README.md for the steps and the files.
 */
export async function run(options: PipelineOptions): Promise<void> {
  const profile = recs.recsProfile(options.profile);
  const settings = trainingSettings(options.profile);
  const paths = recsPaths(options.root, profile.name);
  const progress = new PipelineProgress(`recs/${profile.name}`);
  const shared = { root: options.root, paths, force: options.force, progress };
  const dataKey = await dataStep({ ...shared, profile });
  if (settings.kind === 'ann-benchmark') await annBenchmarkPipeline({ ...shared, settings, dataKey });
  else await servingPipeline({ ...shared, profile, settings, dataKey });
}
