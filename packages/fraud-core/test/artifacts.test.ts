import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ArtifactError,
  describeArtifactFile,
  FEATURE_NAMES,
  FEATURE_SPEC_VERSION,
  FRAUD_ARTIFACT_FORMAT_VERSION,
  type FraudManifest,
  loadFraudArtifacts,
} from '../src/index.js';

const point = { threshold: 0.5, precision: 0.9, recall: 0.5, alertRate: 0.001 };

/** A complete, valid artifact folder whose model file is a stand-in byte string (the reader never parses it). */
function writeArtifacts(edit: (manifest: FraudManifest) => unknown = (m) => m): string {
  const dir = mkdtempSync(join(tmpdir(), 'fraud-artifacts-'));
  writeFileSync(join(dir, 'model.onnx'), 'onnx-bytes');
  writeFileSync(
    join(dir, 'reference.json'),
    JSON.stringify({
      formatVersion: 1,
      features: [{ name: 'amount', edges: [10, 50], proportions: [0.2, 0.5, 0.3] }],
    }),
  );
  writeFileSync(join(dir, 'terminals.csv'), 'terminalId,x,y,channel\nterm-1,1.5,2.5,pos\n');
  const manifest: FraudManifest = {
    formatVersion: FRAUD_ARTIFACT_FORMAT_VERSION,
    design: 'fraud',
    profile: 'test',
    artifactVersion: 'abcdef0123456789',
    createdAt: new Date(0).toISOString(),
    featureSpecVersion: FEATURE_SPEC_VERSION,
    featureNames: [...FEATURE_NAMES],
    model: { file: 'model.onnx', inputName: 'input', probabilitiesOutput: 'probabilities', fraudColumn: 1 },
    calibration: { method: 'isotonic', x: [0, 0.5, 1], y: [0, 0.2, 1] },
    thresholds: { review: point, decline: point, basis: 'test' },
    referenceFile: 'reference.json',
    terminalsFile: 'terminals.csv',
    metrics: { auc: 0.9 },
    files: ['model.onnx', 'reference.json', 'terminals.csv'].map((name) => describeArtifactFile(dir, name)),
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(edit(manifest)));
  return dir;
}

describe('loadFraudArtifacts', () => {
  it('when the folder is complete, then it returns the manifest, reference, terminals and the calibration', () => {
    const dir = writeArtifacts();
    const artifacts = loadFraudArtifacts(dir);

    expect(artifacts.modelPath).toBe(join(dir, 'model.onnx'));
    expect(artifacts.terminals.get('term-1')).toEqual({ x: 1.5, y: 2.5 });
    expect(artifacts.reference.features[0]!.name).toBe('amount');
    expect(artifacts.calibrate(0.75)).toBeCloseTo(0.6, 12);
  });

  it('when the manifest is missing, then the error names the file and how to rebuild it', () => {
    const dir = writeArtifacts();
    rmSync(join(dir, 'manifest.json'));
    expect(() => loadFraudArtifacts(dir)).toThrow(ArtifactError);
    expect(() => loadFraudArtifacts(dir)).toThrow(
      /manifest\.json is missing: rebuild it with the fraud training pipeline/,
    );
  });

  it('when the manifest has another format version, then the error says which version was found', () => {
    const dir = writeArtifacts((m) => ({ ...m, formatVersion: 99 }));
    expect(() => loadFraudArtifacts(dir)).toThrow(/format version 99, this code reads 1/);
  });

  it('when the manifest lacks a field, then the error names the field', () => {
    const dir = writeArtifacts(({ calibration: _dropped, ...rest }) => rest);
    expect(() => loadFraudArtifacts(dir)).toThrow(/malformed \(calibration: is required\)/);
  });

  it('when the model was trained on another feature list, then loading refuses it', () => {
    const dir = writeArtifacts((m) => ({ ...m, featureNames: m.featureNames.slice(1) }));
    expect(() => loadFraudArtifacts(dir)).toThrow(
      /trained on features .* \(65 names\), this code computes .* \(66 names\)/,
    );
  });

  it('when a listed file is missing or altered, then the error names that file', () => {
    const missing = writeArtifacts();
    rmSync(join(missing, 'model.onnx'));
    expect(() => loadFraudArtifacts(missing)).toThrow(/model\.onnx is listed in the manifest but missing/);

    const altered = writeArtifacts();
    writeFileSync(join(altered, 'reference.json'), '{}');
    expect(() => loadFraudArtifacts(altered)).toThrow(/reference\.json does not match the manifest/);
  });
});
