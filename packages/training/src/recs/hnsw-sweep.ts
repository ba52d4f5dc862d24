import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SLO } from '@mlsys/load-tests/slo';
import { type AnnMeasurement, exactNeighbours, measureAnn, SongIndex } from '@mlsys/recs-core/ann';
import type { StepProgress } from '../shared/progress.js';
import { type BuiltIndex, buildIndex, type NeighbourAgreement } from './hnsw-index.js';
import type { HnswConfig, ServingSettings } from './settings.js';

export interface HnswSweepResult {
  indexPath: string;
  chosen: SweepRow;
  recallTarget: number;
  queries: number;
  rows: SweepRow[];
  nodeAgreement: NeighbourAgreement;
}

const MiB = 2 ** 20;

/**
 * Builds one index per (M, efConstruction) of the grid, then measures
 * recall@k against exact search and query latency for each ef of the grid
 * on real tower queries (interleaved, see measureAnn), and keeps the
 * cheapest combination that reaches the design's recall target
 * (SLO.recs.annRecall).
 */
export async function sweepHnsw(input: {
  root: string;
  vectorsPath: string;
  vectors: Float32Array;
  dim: number;
  queries: Float32Array;
  settings: ServingSettings;
  dir: string;
  label: string;
  progress: StepProgress;
}): Promise<HnswSweepResult> {
  const { settings, dim, dir } = input;
  const k = settings.candidates;
  const recallTarget = SLO.recs.annRecall.target;
  mkdirSync(dir, { recursive: true });
  const fileOf = (config: HnswConfig) => join(dir, `m${config.m}-efc${config.efConstruction}.bin`);

  const built: BuiltIndex[] = [];
  for (const config of settings.hnswGrid) {
    built.push(
      await buildIndex({
        root: input.root,
        vectorsPath: input.vectorsPath,
        dim,
        config,
        out: fileOf(config),
        label: `${input.label} M=${config.m} efC=${config.efConstruction}`,
        checkQueries: input.queries.subarray(0, Math.min(input.queries.length, 100 * dim)),
      }),
    );
  }

  input.progress.note(`exact top-${k} of ${input.queries.length / dim} queries (the recall ground truth)`);
  const exact = exactNeighbours(input.vectors, dim, input.queries, k);
  // One loaded copy per built index; measureAnn sets each setup's ef before its query.
  const setups = built.flatMap((build) => {
    const index = SongIndex.load(build.path, dim, k);
    return settings.efGrid.map((ef) => ({ build, ef, index }));
  });
  const rows: SweepRow[] = measureAnn(setups, input.queries, exact, k).map((measured, i) => {
    const { build } = setups[i]!;
    return { ...build.config, ...measured, buildSeconds: build.buildSeconds, indexMiB: build.bytes / MiB };
  });
  for (const row of rows) {
    input.progress.note(
      `M=${row.m} efC=${row.efConstruction} ef=${row.ef}: recall@${k} ${row.recall.toFixed(4)}, mean ${row.meanMs.toFixed(2)} ms, p99 ${row.p99Ms.toFixed(2)} ms`,
    );
  }

  const chosen = chooseSweepRow(rows, recallTarget);
  const chosenBuild = built.find(
    (b) => b.config.m === chosen.m && b.config.efConstruction === chosen.efConstruction,
  )!;
  const indexPath = join(dir, 'index.bin');
  renameSync(chosenBuild.path, indexPath);
  for (const b of built) rmSync(b.path, { force: true });
  return {
    indexPath,
    chosen,
    recallTarget,
    queries: input.queries.length / dim,
    rows,
    nodeAgreement: chosenBuild.nodeAgreement,
  };
}

export interface SweepRow extends AnnMeasurement {
  m: number;
  efConstruction: number;
  buildSeconds: number;
  indexMiB: number;
}

/**
 * The sweep's verdict: the (M, efConstruction, ef) with the lowest mean
 * latency among those reaching the recall target, or the best recall when
 * none does. Mean rather than p99 because the sweep runs on a shared
 * machine, where the tail is mostly other processes' noise.
 */
export function chooseSweepRow(rows: readonly SweepRow[], recallTarget: number): SweepRow {
  const passing = rows.filter((r) => r.recall >= recallTarget);
  const pool = passing.length > 0 ? passing : rows;
  return [...pool].sort((a, b) =>
    passing.length > 0 ? a.meanMs - b.meanMs || a.indexMiB - b.indexMiB : b.recall - a.recall,
  )[0]!;
}
