import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { describe, expect, it } from 'vitest';
import { ANN_SPACE, exactNeighbours, measureAnn, SongIndex } from '../src/ann/index.js';

const dim = 3;
const vectors = Float32Array.from([1, 0, 0, 0.8, 0.6, 0, 0, 1, 0, 0, 0, 1, 0.6, 0, 0.8]);

function writeIndex(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'song-index-')), 'hnsw.bin');
  const index = new hnswlib.HierarchicalNSW(ANN_SPACE, dim);
  index.initIndex(vectors.length / dim, 8, 50, 1);
  for (let id = 0; id < vectors.length / dim; id++)
    index.addPoint(Array.from(vectors.subarray(id * dim, (id + 1) * dim)), id);
  index.writeIndexSync(path);
  return path;
}

describe('song index', () => {
  it('when searched, then songs come back best first with their inner product as score', () => {
    const index = SongIndex.load(writeIndex(), dim, 10);

    const hits = index.search([1, 0, 0], 3);

    expect(Array.from(hits.ids)).toEqual([0, 1, 4]);
    expect(Array.from(hits.scores)).toEqual([1, Math.fround(0.8), Math.fround(0.6)]);
  });

  it('when songs are excluded, then the k best others come back', () => {
    const index = SongIndex.load(writeIndex(), dim, 10);

    const hits = index.search([1, 0, 0], 2, new Set([0]));

    expect(Array.from(hits.ids)).toEqual([1, 4]);
  });

  it('when the query has the wrong dimension, then the error gives both sizes', () => {
    const index = SongIndex.load(writeIndex(), dim, 10);

    expect(() => index.search([1, 0], 2)).toThrow(/query has 2 dimensions, the index 3/);
  });

  it('when the file does not exist, then loading fails naming the path', () => {
    expect(() => SongIndex.load('/nonexistent/hnsw.bin', dim, 10)).toThrow(/\/nonexistent\/hnsw\.bin/);
  });

  it('when measured against exact search on a tiny index, then each setup reports perfect recall', () => {
    const index = SongIndex.load(writeIndex(), dim, 10);
    const queries = Float32Array.from([1, 0, 0, 0, 0.6, 0.8]);

    const measured = measureAnn(
      [
        { index, ef: 3 },
        { index, ef: 10 },
      ],
      queries,
      exactNeighbours(vectors, dim, queries, 3),
      3,
    );

    expect(measured.map((m) => [m.ef, m.recall])).toEqual([
      [3, 1],
      [10, 1],
    ]);
    expect(measured[0]!.p99Ms).toBeGreaterThanOrEqual(measured[0]!.p50Ms);
  });
});
