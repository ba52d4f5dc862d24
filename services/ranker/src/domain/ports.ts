/** The trained ranker: one score per row of a row-major feature matrix (RANKER_FEATURES columns). */
export interface ScoringModel {
  score(features: Float32Array, rows: number): Promise<Float32Array>;
}
