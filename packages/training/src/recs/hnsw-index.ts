import { mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { SongIndex } from '@mlsys/recs-core/ann';
import { readInt32File, writeTypedArray } from './binary-files.js';
import { runPythonScript } from './python.js';
import type { HnswConfig } from './settings.js';

/** hnswlib inside both the Python package and hnswlib-node 3.0.0; the file format is this version's. */
export const HNSW_LIBRARY = 'hnswlib 0.8.0';

export interface BuiltIndex {
  path: string;
  config: HnswConfig;
  buildSeconds: number;
  bytes: number;
  nodeAgreement: NeighbourAgreement;
}

/**
 * Builds the index with Python hnswlib on every core (hnswlib-node inserts on
 * one thread only), then proves hnswlib-node reads it: the same queries at
 * the same ef must return the same neighbours from the file in both
 * (see assertSameNeighbours for the one allowed difference).
 */
export async function buildIndex(input: {
  root: string;
  vectorsPath: string;
  dim: number;
  config: HnswConfig;
  out: string;
  label: string;
  /** Queries (row-major) for the Python/Node agreement check. */
  checkQueries: Float32Array;
}): Promise<BuiltIndex> {
  const { dim, config, out } = input;
  const queriesPath = `${out}.check-queries.f32`;
  const labelsPath = `${out}.check-labels.i32`;
  const k = 100;
  const ef = 200;
  mkdirSync(dirname(out), { recursive: true });
  writeTypedArray(queriesPath, input.checkQueries);
  const started = performance.now();
  await runPythonScript(input.root, 'build_hnsw.py', {
    vectors: input.vectorsPath,
    dim,
    m: config.m,
    efConstruction: config.efConstruction,
    out,
    checkQueries: queriesPath,
    checkK: k,
    checkEf: ef,
    checkOut: labelsPath,
    label: input.label,
  });
  const buildSeconds = (performance.now() - started) / 1000;
  const nodeAgreement = assertSameNeighbours(out, dim, input.checkQueries, readInt32File(labelsPath), k, ef);
  rmSync(queriesPath);
  rmSync(labelsPath);
  return { path: out, config, buildSeconds, bytes: statSync(out).size, nodeAgreement };
}

/** How the two libraries' answers on the same file compared. */
export interface NeighbourAgreement {
  queries: number;
  /** Queries whose top-k came back in exactly the same order. */
  sameOrder: number;
  /** Share of all returned ids that both returned. */
  overlap: number;
}

/**
 * Python's hnswlib is compiled for this CPU (AVX-512 distance kernels),
 * hnswlib-node for plain SSE, so two songs whose inner products tie to the
 * last float bit can swap places. The sets must still match: a different
 * set would mean a different file format or library version.
 */
function assertSameNeighbours(
  path: string,
  dim: number,
  queries: Float32Array,
  pythonLabels: Int32Array,
  k: number,
  ef: number,
): NeighbourAgreement {
  const index = SongIndex.load(path, dim, ef);
  const width = Math.min(k, index.count);
  const count = queries.length / dim;
  let sameOrder = 0;
  let shared = 0;
  for (let q = 0; q < count; q++) {
    const hits = index.search(queries.subarray(q * dim, (q + 1) * dim), width);
    const expected = pythonLabels.subarray(q * width, (q + 1) * width);
    if (hits.ids.every((id, i) => id === expected[i])) sameOrder++;
    const expectedSet = new Set(expected);
    shared += hits.ids.filter((id) => expectedSet.has(id)).length;
  }
  const agreement = { queries: count, sameOrder, overlap: shared / (count * width) };
  if (agreement.overlap < MIN_OVERLAP) {
    throw new Error(
      `hnswlib-node finds ${(agreement.overlap * 100).toFixed(2)}% of Python hnswlib's neighbours in ${path} (need ${MIN_OVERLAP * 100}%): the libraries do not read the same index; check that both bundle ${HNSW_LIBRARY}`,
    );
  }
  return agreement;
}

/** Rounding can, very rarely, send a search down another branch; anything beyond that is a real mismatch. */
const MIN_OVERLAP = 0.999;
