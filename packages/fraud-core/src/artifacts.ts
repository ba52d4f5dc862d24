import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileSchema, describeErrors } from '@mlsys/contracts';
import Type, { type Static } from 'typebox';
import { calibrate } from './calibration.js';
import { FEATURE_NAMES, FEATURE_SPEC_VERSION } from './features.js';
import { parseTerminalDirectory, type TerminalDirectory } from './terminal-directory.js';

/** Bumped when the layout of the artifact folder changes; readers refuse other versions. */
export const FRAUD_ARTIFACT_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';

const ArtifactFile = Type.Object({
  name: Type.String({ minLength: 1 }),
  bytes: Type.Integer({ minimum: 0 }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
});

const OperatingPoint = Type.Object({
  threshold: Type.Number({ minimum: 0, maximum: 1 }),
  precision: Type.Number(),
  recall: Type.Number(),
  alertRate: Type.Number(),
});

export const FraudManifest = Type.Object({
  formatVersion: Type.Literal(FRAUD_ARTIFACT_FORMAT_VERSION),
  design: Type.Literal('fraud'),
  profile: Type.String(),
  /** Hash of everything the artifacts were built from: changes iff the model may have changed. */
  artifactVersion: Type.String({ minLength: 8 }),
  createdAt: Type.String(),
  featureSpecVersion: Type.String(),
  featureNames: Type.Array(Type.String()),
  model: Type.Object({
    file: Type.String(),
    /** Float32 input of shape [batch, featureNames.length]. */
    inputName: Type.String(),
    /** Float32 output of shape [batch, 2]: P(legit), P(fraud), before calibration. */
    probabilitiesOutput: Type.String(),
    fraudColumn: Type.Integer({ minimum: 0, maximum: 1 }),
  }),
  calibration: Type.Object({
    method: Type.Literal('isotonic'),
    x: Type.Array(Type.Number(), { minItems: 1 }),
    y: Type.Array(Type.Number(), { minItems: 1 }),
  }),
  /** Calibrated-probability cut-offs: >= decline declines, >= review goes to an analyst, else approve. */
  thresholds: Type.Object({
    review: OperatingPoint,
    decline: OperatingPoint,
    /** How they were chosen, in words, and on which slice their figures were measured. */
    basis: Type.String(),
  }),
  referenceFile: Type.String(),
  terminalsFile: Type.String(),
  /** Offline quality of this model (held-out slice): AUC, AP, calibration error, ONNX parity. */
  metrics: Type.Record(Type.String(), Type.Number()),
  files: Type.Array(ArtifactFile),
});
export type FraudManifest = Static<typeof FraudManifest>;

export const FraudReference = Type.Object({
  formatVersion: Type.Literal(FRAUD_ARTIFACT_FORMAT_VERSION),
  features: Type.Array(
    Type.Object({
      name: Type.String(),
      edges: Type.Array(Type.Number()),
      proportions: Type.Array(Type.Number()),
    }),
  ),
});
export type FraudReference = Static<typeof FraudReference>;

export const manifestValidator = compileSchema(FraudManifest);
const referenceValidator = compileSchema(FraudReference);

/** A validated artifact folder: what the scorer and the monitor load at start. */
export interface FraudArtifacts {
  dir: string;
  manifest: FraudManifest;
  modelPath: string;
  reference: FraudReference;
  terminals: TerminalDirectory;
  /** Raw model probability -> calibrated probability. */
  calibrate(raw: number): number;
}

export class ArtifactError extends Error {
  override name = 'ArtifactError';
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ArtifactError(`${what} ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Reads and checks an artifact folder: manifest schema and format version,
 * the feature list against this code's, and every listed file's size and
 * hash. Throws an ArtifactError naming the file and what to do.
 */
export function loadFraudArtifacts(dir: string): FraudArtifacts {
  const rebuild =
    'rebuild it with the fraud training pipeline (packages/training: `fraud --profile <profile>`)';
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) throw new ArtifactError(`${manifestPath} is missing: ${rebuild}`);
  const raw = readJson(manifestPath, 'manifest');
  const version = (raw as { formatVersion?: unknown } | null)?.formatVersion;
  if (version !== FRAUD_ARTIFACT_FORMAT_VERSION) {
    throw new ArtifactError(
      `${manifestPath} has format version ${JSON.stringify(version)}, this code reads ${FRAUD_ARTIFACT_FORMAT_VERSION}: ${rebuild}`,
    );
  }
  const decoded = manifestValidator.validate(raw);
  if (!decoded.ok)
    throw new ArtifactError(`${manifestPath} is malformed (${describeErrors(decoded.errors)}): ${rebuild}`);
  const manifest = decoded.value;

  if (
    manifest.featureSpecVersion !== FEATURE_SPEC_VERSION ||
    manifest.featureNames.join() !== FEATURE_NAMES.join()
  ) {
    throw new ArtifactError(
      `${manifestPath} was trained on features ${manifest.featureSpecVersion} (${manifest.featureNames.length} names), ` +
        `this code computes ${FEATURE_SPEC_VERSION} (${FEATURE_NAMES.length} names): ${rebuild}`,
    );
  }
  for (const file of manifest.files) {
    const path = join(dir, file.name);
    if (!existsSync(path))
      throw new ArtifactError(`${path} is listed in the manifest but missing: ${rebuild}`);
    const bytes = readFileSync(path);
    if (bytes.length !== file.bytes || sha256(bytes) !== file.sha256) {
      throw new ArtifactError(
        `${path} does not match the manifest (size or sha256 differ; modified or half-written): ${rebuild}`,
      );
    }
  }
  const listed = new Set(manifest.files.map((file) => file.name));
  for (const name of [manifest.model.file, manifest.referenceFile, manifest.terminalsFile]) {
    if (!listed.has(name))
      throw new ArtifactError(`${manifestPath} does not list ${name} in files: ${rebuild}`);
  }

  const referencePath = join(dir, manifest.referenceFile);
  const reference = referenceValidator.validate(readJson(referencePath, 'reference distributions'));
  if (!reference.ok)
    throw new ArtifactError(
      `${referencePath} is malformed (${describeErrors(reference.errors)}): ${rebuild}`,
    );
  const terminals = parseTerminalDirectory(readFileSync(join(dir, manifest.terminalsFile), 'utf8'));
  const calibration = manifest.calibration;
  return {
    dir,
    manifest,
    modelPath: join(dir, manifest.model.file),
    reference: reference.value,
    terminals,
    calibrate: (rawProbability) => calibrate(calibration, rawProbability),
  };
}

/** sha256 and size of a file, as the manifest lists it (used by the writer). */
export function describeArtifactFile(dir: string, name: string): Static<typeof ArtifactFile> {
  const bytes = readFileSync(join(dir, name));
  return { name, bytes: bytes.length, sha256: sha256(bytes) };
}
