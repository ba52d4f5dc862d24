import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { calibrate, type IsotonicCalibration } from '@mlsys/fraud-core';
import * as ort from 'onnxruntime-node';

/** What train.py leaves for this check, in the work folder. */
interface ParitySample {
  rows: number;
  features: number;
  inputName: string;
  probabilitiesOutput: string;
  /** P(fraud) from LightGBM itself (Python), per sample row. */
  lightgbm: number[];
  /** scikit-learn's isotonic prediction for those probabilities. */
  calibrated: number[];
}

export interface ParityResult {
  rows: number;
  /** max |onnxruntime-node P(fraud) - LightGBM P(fraud)| */
  onnxMaxAbsDiff: number;
  /** max |fraud-core calibrate() - scikit-learn isotonic| on the same raw scores */
  calibrationMaxAbsDiff: number;
}

/** The tolerance the scorer relies on: the served model is the trained model. */
export const PARITY_TOLERANCE = 1e-5;

/**
 * Scores the parity sample with onnxruntime-node, as the fraud-scorer will,
 * and compares with LightGBM's own probabilities; applies fraud-core's
 * calibration and compares with scikit-learn's. Throws when either differs
 * by more than PARITY_TOLERANCE.
 */
export async function checkOnnxParity(
  modelPath: string,
  workDir: string,
  calibration: IsotonicCalibration,
): Promise<ParityResult> {
  const sample = JSON.parse(readFileSync(join(workDir, 'parity.json'), 'utf8')) as ParitySample;
  const bytes = readFileSync(join(workDir, 'parity-input.f32'));
  const input = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  if (input.length !== sample.rows * sample.features) {
    throw new Error(
      `parity-input.f32 holds ${input.length} values, expected ${sample.rows} x ${sample.features}`,
    );
  }
  const session = await ort.InferenceSession.create(modelPath);
  try {
    const output = await session.run(
      { [sample.inputName]: new ort.Tensor('float32', input, [sample.rows, sample.features]) },
      [sample.probabilitiesOutput],
    );
    const probabilities = output[sample.probabilitiesOutput]!.data as Float32Array;
    let onnxMaxAbsDiff = 0;
    let calibrationMaxAbsDiff = 0;
    for (let i = 0; i < sample.rows; i++) {
      onnxMaxAbsDiff = Math.max(onnxMaxAbsDiff, Math.abs(probabilities[2 * i + 1]! - sample.lightgbm[i]!));
      calibrationMaxAbsDiff = Math.max(
        calibrationMaxAbsDiff,
        Math.abs(calibrate(calibration, sample.lightgbm[i]!) - sample.calibrated[i]!),
      );
    }
    const result = { rows: sample.rows, onnxMaxAbsDiff, calibrationMaxAbsDiff };
    if (onnxMaxAbsDiff > PARITY_TOLERANCE || calibrationMaxAbsDiff > PARITY_TOLERANCE) {
      throw new Error(
        `ONNX parity failed on ${sample.rows} rows: onnxruntime-node vs LightGBM max |diff| ${onnxMaxAbsDiff.toExponential(2)}, ` +
          `calibration max |diff| ${calibrationMaxAbsDiff.toExponential(2)} (tolerance ${PARITY_TOLERANCE})`,
      );
    }
    return result;
  } finally {
    await session.release();
  }
}
