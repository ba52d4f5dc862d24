import { mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recs } from '@mlsys/datagen';
import { crossFeatures, RANKER_FEATURES, row, summarizeHistory, userVector } from '@mlsys/recs-core';
import { SongIndex } from '@mlsys/recs-core/ann';
import { loadRecsArtifacts, type RecsArtifacts, recentListensOf } from '@mlsys/recs-core/artifacts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExplorationTrial, ExplorationTuning } from '../../src/recs/exploration-tuning.js';
import { buildIndexVectors } from '../../src/recs/index-vectors.js';
import { CODE_ROOT, recsPaths } from '../../src/recs/paths.js';
import { run } from '../../src/recs/pipeline.js';
import { checkOnnxParity, PARITY_TOLERANCE, type RankerSummary } from '../../src/recs/ranker-training.js';
import {
  prepareQuery,
  type ReplayWorld,
  replayQueryVector,
  toRankCandidates,
} from '../../src/recs/replay.js';
import { type ServingSettings, trainingSettings } from '../../src/recs/settings.js';
import { buildSongFeatures, genreHourTableOf } from '../../src/recs/song-catalog.js';
import { evalQuery, splitListens } from '../../src/recs/split.js';

/** Runs the pipeline into `root` and returns what it printed. */
async function runPipeline(root: string): Promise<string[]> {
  const printed: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
  try {
    await run({ root, profile: 'tiny', force: false });
  } finally {
    spy.mockRestore();
  }
  return printed;
}

describe('recs offline pipeline on the tiny profile', () => {
  let root: string;
  let artifacts: RecsArtifacts;
  let report: {
    ranker: { summary: RankerSummary };
    exploration: ExplorationTuning;
    evaluation: {
      lists: Record<string, { hitRateAt10: number; ndcgAt10: number; catalogCoverage: number }>;
      candidateRecall: number;
      explorationCurve: ExplorationTrial[];
    };
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'recs-pipeline-'));
    mkdirSync(join(root, '.cache'));
    // The Python environment is the checkout's; data and artifacts go to the temporary root.
    symlinkSync(join(CODE_ROOT, '.cache', 'venv'), join(root, '.cache', 'venv'));
    await runPipeline(root);
    artifacts = loadRecsArtifacts(recsPaths(root, 'tiny').artifacts);
    report = JSON.parse(readFileSync(artifacts.path('offlineReport'), 'utf8'));
  }, 240_000);

  afterAll(() => vi.restoreAllMocks());

  it('when the pipeline has run, then the serving set loads with every stage described in the manifest', () => {
    const { manifest } = artifacts;

    expect(manifest.kind).toBe('serving');
    expect(manifest.counts).toMatchObject({ songs: 2_000, users: 500 });
    expect(manifest.hnsw).toMatchObject({ dim: manifest.dim + 1, space: 'ip', candidates: 200 });
    expect(manifest.ranker!.featureNames).toEqual(RANKER_FEATURES);
    expect(manifest.userTower!.popularityWeight).toBeGreaterThan(0);
    const profile = recs.recsProfile('tiny');
    expect(manifest.dataWindow).toEqual({
      startMs: profile.endMs - profile.windowDays * 86_400_000,
      endMs: profile.endMs,
    });
    expect(artifacts.readSongs()).toHaveLength(2_000);
    expect(Object.keys(artifacts.readPopularityByRegion())).toEqual(manifest.regions.map((r) => r.code));
  });

  it('when onnxruntime-node scores the parity sample, then it matches LightGBM within 1e-5', async () => {
    const parity = await checkOnnxParity(recsPaths(root, 'tiny').ranker, report.ranker.summary);

    expect(parity.rows).toBeGreaterThan(100);
    expect(parity.maxAbsDiff).toBeLessThanOrEqual(PARITY_TOLERANCE);
  });

  it('when a held-out user is replayed offline and served from the artifacts, then the query and features are identical', () => {
    // Offline: the replay the training set and the report are built from.
    const paths = recsPaths(root, 'tiny');
    const settings = trainingSettings('tiny') as ServingSettings;
    const dataset = recs.readRecsDataset(paths.data);
    const split = splitListens(dataset.listens, settings, recs.Random.derive(dataset.meta.seed, 'split'));
    const songs = buildSongFeatures(dataset, split);
    const songEmbeddings = artifacts.readSongEmbeddings();
    const world: ReplayWorld = {
      dataset,
      songs,
      songEmbeddings,
      userEmbeddings: artifacts.readUserEmbeddings(),
      dim: dataset.meta.dim,
      indexVectors: buildIndexVectors(songEmbeddings, dataset.meta.dim, songs).vectors,
      genreHourLift: genreHourTableOf(dataset, split),
    };
    const user = split.evalUsers[0]!;
    const offline = prepareQuery(world, evalQuery(split, dataset.listens, user));
    const tower = artifacts.manifest.userTower!;
    const index = SongIndex.load(
      artifacts.path('hnsw'),
      artifacts.manifest.hnsw.dim,
      artifacts.manifest.hnsw.efSearch,
    );
    const offlineQuery = replayQueryVector(world, offline, tower);
    const offlineHits = index.search(offlineQuery, 200, offline.exclude);
    const offlineFeatures = crossFeatures(offline.ranking, toRankCandidates(world, offlineHits));

    // Online: only what a service reads from the artifact set, as of the same moment.
    const dim = artifacts.manifest.dim;
    const catalogue = artifacts.readSongs();
    const recent = recentListensOf(artifacts.readRecentListens(), user);
    const context = offline.context;
    const onlineQuery = userVector(
      row(artifacts.readUserEmbeddings(), dim, user),
      recent.map((l) => ({ vector: row(songEmbeddings, dim, l.songId), timestampMs: l.timestampMs })),
      context,
      tower,
    )!;
    const onlineHits = index.search(onlineQuery, 200, new Set(recent.map((l) => l.songId)));
    const onlineFeatures = crossFeatures(
      {
        context,
        history: summarizeHistory(recent, (id) => catalogue[id]),
        genreHourLift: artifacts.readGenreHourLift(),
      },
      Array.from(onlineHits.ids, (id, annRank) => ({
        song: catalogue[id]!,
        annScore: onlineHits.scores[annRank]!,
        annRank,
      })),
    );

    expect(recent).toEqual(offline.recent);
    expect(onlineQuery).toEqual(offlineQuery);
    expect(onlineHits.ids).toEqual(offlineHits.ids);
    expect(onlineFeatures).toEqual(offlineFeatures);
  });

  it('when the offline report is read, then the ranker beats the popularity baseline on held-out listens', () => {
    const { lists, candidateRecall } = report.evaluation;

    expect(candidateRecall).toBeGreaterThan(0.3);
    expect(lists.ranker!.hitRateAt10).toBeGreaterThan(lists.popularity!.hitRateAt10);
    expect(lists.ranker!.ndcgAt10).toBeGreaterThan(lists.popularity!.ndcgAt10);
  });

  it('when the report is read, then exploration was tuned from the plain order, the manifest ships the choice and the evaluation served it', () => {
    const { exploration, evaluation } = report;

    expect(exploration.trials[0]).toMatchObject({ quantile: null, confidence: null, exploredPlaces: 0 });
    expect(exploration.trials.length).toBe(
      1 + (trainingSettings('tiny') as ServingSettings).exploration.quantiles.length,
    );
    expect(artifacts.manifest.exploration).toEqual(exploration.params ?? undefined);
    // The evaluation replays the tuning grid; its row for the shipped setting is the served list.
    const served = evaluation.explorationCurve.find(
      (t) => t.confidence === (exploration.params?.confidence ?? null),
    );
    expect(served).toMatchObject({
      ndcgAt10: evaluation.lists.ranker!.ndcgAt10,
      catalogCoverage: evaluation.lists.ranker!.catalogCoverage,
    });
    expect(evaluation.lists.rankerWithoutExploration).toMatchObject({
      ndcgAt10: evaluation.explorationCurve[0]!.ndcgAt10,
    });
  });

  it('when run again with unchanged inputs, then every step is skipped and the set is untouched', async () => {
    const before = artifacts.manifest.artifactVersion;

    const printed = await runPipeline(root);

    expect(printed.join('\n')).toMatch(/↷ recs\/tiny artifacts: up to date/);
    expect(printed.some((line) => line.startsWith('▸'))).toBe(false);
    expect(loadRecsArtifacts(recsPaths(root, 'tiny').artifacts).manifest.artifactVersion).toBe(before);
  });
});
