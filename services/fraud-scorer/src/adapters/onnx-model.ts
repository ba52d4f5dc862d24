import type { FraudArtifacts } from '@mlsys/fraud-core';
import ort from 'onnxruntime-node';
import type { FraudModel } from '../domain/ports.js';

/**
 * The LightGBM model exported to ONNX, run by onnxruntime-node, followed by
 * the isotonic calibration fitted in training: what the scorer calls once
 * per batch.
 */
export class OnnxFraudModel implements FraudModel {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly artifacts: FraudArtifacts,
  ) {}

  /** One intra-op thread by default: on a small machine the pipeline's other stages need the cores. */
  static async load(artifacts: FraudArtifacts, threads = 1): Promise<OnnxFraudModel> {
    const { model } = artifacts.manifest;
    const session = await ort.InferenceSession.create(artifacts.modelPath, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
    });
    if (
      !session.inputNames.includes(model.inputName) ||
      !session.outputNames.includes(model.probabilitiesOutput)
    ) {
      throw new Error(
        `${artifacts.modelPath}: the manifest names input "${model.inputName}" and output "${model.probabilitiesOutput}", ` +
          `the model has [${session.inputNames}] -> [${session.outputNames}]; rebuild the fraud artifacts`,
      );
    }
    return new OnnxFraudModel(session, artifacts);
  }

  get version(): string {
    return this.artifacts.manifest.artifactVersion;
  }

  get featureSpecVersion(): string {
    return this.artifacts.manifest.featureSpecVersion;
  }

  get featureCount(): number {
    return this.artifacts.manifest.featureNames.length;
  }

  async predict(features: Float32Array, rows: number): Promise<Float64Array> {
    const { model } = this.artifacts.manifest;
    const input = new ort.Tensor('float32', features.subarray(0, rows * this.featureCount), [
      rows,
      this.featureCount,
    ]);
    const output = await this.session.run({ [model.inputName]: input }, [model.probabilitiesOutput]);
    const probabilities = output[model.probabilitiesOutput]!.data as Float32Array;
    const calibrated = new Float64Array(rows);
    for (let row = 0; row < rows; row++) {
      calibrated[row] = this.artifacts.calibrate(probabilities[row * 2 + model.fraudColumn]!);
    }
    return calibrated;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
