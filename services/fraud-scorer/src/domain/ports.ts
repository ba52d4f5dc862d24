/** The trained model as the scorer uses it: one call per batch, calibrated fraud probabilities out. */
export interface FraudModel {
  /** Identifies the artifacts (hash of everything the model was built from). */
  readonly version: string;
  /** The feature spec the model was trained on; vectors of another spec are refused. */
  readonly featureSpecVersion: string;
  readonly featureCount: number;
  /** P(fraud), calibrated, for each row of a row-major `rows x featureCount` matrix. */
  predict(features: Float32Array, rows: number): Promise<Float64Array>;
}
