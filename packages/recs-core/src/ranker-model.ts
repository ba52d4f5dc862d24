/**
 * The ranker model as both the offline pipeline (parity check, offline
 * report) and the ranker service run it: one onnxruntime-node session fed
 * the `crossFeatures` matrix. Kept out of the main entry because it loads a
 * native addon.
 */
import ort from 'onnxruntime-node';
import { RANKER_FEATURES } from './cross-features.js';

export interface RankerModelInfo {
  inputName: string;
  outputName: string;
}

export class RankerModel {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly info: RankerModelInfo,
  ) {}

  /** One intra-op thread by default: a service scores many small batches concurrently, not one big one. */
  static async load(path: string, info: RankerModelInfo, threads = 1): Promise<RankerModel> {
    const session = await ort.InferenceSession.create(path, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
    });
    if (!session.inputNames.includes(info.inputName) || !session.outputNames.includes(info.outputName)) {
      throw new Error(
        `${path}: expected input "${info.inputName}" and output "${info.outputName}", the model has [${session.inputNames}] -> [${session.outputNames}]`,
      );
    }
    return new RankerModel(session, info);
  }

  /** One score per row of a row-major `rows x RANKER_FEATURES.length` matrix; higher ranks first. */
  async score(features: Float32Array, rows: number): Promise<Float32Array> {
    const width = RANKER_FEATURES.length;
    if (rows === 0) return new Float32Array(0);
    const input = new ort.Tensor('float32', features.subarray(0, rows * width), [rows, width]);
    const output = await this.session.run({ [this.info.inputName]: input });
    return Float32Array.from(output[this.info.outputName]!.data as Float32Array);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
