import { RecsArtifactError, type RecsArtifacts } from '@mlsys/recs-core/artifacts';
import { RankerModel } from '@mlsys/recs-core/ranker-model';

/**
 * The ONNX ranker of the artifact set, on onnxruntime-node. One intra-op
 * thread: the service runs many small batches side by side on a 2-core box,
 * where one request fanning out to every core would only queue the others.
 * Throws RecsArtifactError naming the file when it cannot be loaded.
 */
export async function loadRankerModel(artifacts: RecsArtifacts): Promise<RankerModel> {
  const path = artifacts.path('ranker');
  const info = artifacts.manifest.ranker;
  if (!info) throw new RecsArtifactError(artifacts.dir, 'the manifest has no ranker section');
  try {
    return await RankerModel.load(path, info);
  } catch (error) {
    throw new RecsArtifactError(
      artifacts.dir,
      `${path} cannot be loaded as the ranker (${(error as Error).message})`,
    );
  }
}
