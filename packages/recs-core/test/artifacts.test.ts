import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeSongRow,
  encodeSongRow,
  loadAnnBenchmarkArtifacts,
  loadRecsArtifacts,
  MANIFEST_FILE,
  RecsArtifactError,
  recentListensOf,
} from '../src/artifacts/index.js';
import { fixtureSongs, writeServingSet } from './fixtures/artifact-set.js';

describe('artifact reader', () => {
  it('when the set is complete, then every file reads back as written', () => {
    const artifacts = loadRecsArtifacts(writeServingSet());

    expect(artifacts.manifest.artifactVersion).toBe('fixture0001');
    expect(artifacts.readSongs()).toEqual(fixtureSongs);
    expect(artifacts.readUsers()).toEqual([
      { id: 0, region: 'US' },
      { id: 1, region: 'GB' },
    ]);
    expect(Array.from(artifacts.readUserEmbeddings())).toEqual([0.5, 0.5, -1, 0]);
    const recent = artifacts.readRecentListens();
    expect(recentListensOf(recent, 0)).toEqual([]);
    expect(recentListensOf(recent, 1)).toEqual([
      { songId: 0, timestampMs: 1_720_000_000_000 },
      { songId: 1, timestampMs: 1_720_000_060_000 },
    ]);
    expect(artifacts.readPopularityByRegion()).toEqual({ US: [0], GB: [0, 1] });
    expect(artifacts.path('hnsw')).toBe(join(artifacts.dir, 'hnsw.bin'));
  });

  it('when the manifest carries the data window, then it reads back', () => {
    const window = { startMs: Date.UTC(2025, 11, 1), endMs: Date.UTC(2026, 2, 1) };

    const artifacts = loadRecsArtifacts(writeServingSet((manifest) => (manifest.dataWindow = window)));

    expect(artifacts.manifest.dataWindow).toEqual(window);
  });

  it('when the manifest predates the data window, then the set still loads, without one', () => {
    const artifacts = loadRecsArtifacts(writeServingSet());

    expect(artifacts.manifest.dataWindow).toBeUndefined();
    expect(artifacts.manifest.artifactVersion).toBe('fixture0001');
  });

  it('when the manifest carries exploration places, then they read back; without them the set still loads', () => {
    const exploration = { confidence: 1.25, temperature: 2 };

    const artifacts = loadRecsArtifacts(writeServingSet((manifest) => (manifest.exploration = exploration)));

    expect(artifacts.manifest.exploration).toEqual(exploration);
    expect(loadRecsArtifacts(writeServingSet()).manifest.exploration).toBeUndefined();
  });

  it('when the exploration temperature is not positive, then the field is named', () => {
    const dir = writeServingSet((m) => (m.exploration = { confidence: 1, temperature: 0 }));

    expect(() => loadRecsArtifacts(dir)).toThrow(/malformed: exploration/);
  });

  it('when the manifest is missing, then the error says so and how to build the set', () => {
    const dir = writeServingSet();
    rmSync(join(dir, MANIFEST_FILE));

    expect(() => loadRecsArtifacts(dir)).toThrow(RecsArtifactError);
    expect(() => loadRecsArtifacts(dir)).toThrow(/manifest\.json is missing.*cli\.ts recs --profile/);
  });

  it('when a listed file is missing, then the error names it', () => {
    const dir = writeServingSet();
    rmSync(join(dir, 'ranker.onnx'));

    expect(() => loadRecsArtifacts(dir)).toThrow(/ranker\.onnx \(ranker\) is missing/);
  });

  it('when the set has another format version, then it is refused before anything else is read', () => {
    const dir = writeServingSet((m) => {
      m.formatVersion = 99;
    });

    expect(() => loadRecsArtifacts(dir)).toThrow(/format version 99, this code reads version 1/);
  });

  it('when a file is truncated, then the size check catches it', () => {
    const dir = writeServingSet();
    writeFileSync(join(dir, 'song-embeddings.f32'), new Uint8Array(4));

    expect(() => loadRecsArtifacts(dir)).toThrow(/song-embeddings\.f32 is 4 bytes but the manifest says 16/);
  });

  it('when the ranker was trained on other features, then the set is refused', () => {
    const dir = writeServingSet((m) => {
      m.ranker!.featureNames = ['ann_score'];
    });

    expect(() => loadRecsArtifacts(dir)).toThrow(/trained on features \[ann_score\]/);
  });

  it('when the manifest lacks a required file, then the error names the role', () => {
    const dir = writeServingSet((m) => {
      delete m.files.popularityByRegion;
    });

    expect(() => loadRecsArtifacts(dir)).toThrow(/lists no "popularityByRegion" file/);
  });

  it('when the manifest is malformed, then the offending field is named', () => {
    const dir = writeServingSet((m) => {
      (m as { dim: unknown }).dim = 'sixty-four';
    });

    expect(() => loadRecsArtifacts(dir)).toThrow(/malformed: dim/);
  });

  it('when a serving set is opened as an ANN benchmark set, then the kind mismatch is reported', () => {
    expect(() => loadAnnBenchmarkArtifacts(writeServingSet())).toThrow(
      /kind "serving", this reader needs "ann-benchmark"/,
    );
  });
});

describe('songs.csv rows', () => {
  it('when a song is encoded and decoded, then it comes back unchanged', () => {
    for (const song of fixtureSongs) expect(decodeSongRow(encodeSongRow(song))).toEqual(song);
  });

  it('when a row has the wrong number of columns, then decoding says which columns it expects', () => {
    expect(() => decodeSongRow('1,2,3')).toThrow(/expected 8 columns/);
  });
});
