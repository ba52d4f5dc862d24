import type { recs } from '@mlsys/datagen';
import type { GenreHourTable } from '@mlsys/recs-core';
import {
  type ExplorationParams,
  RANKER_FEATURES,
  RECENT_LISTENS_KEPT,
  type SongFeatures,
  type UserTowerParams,
} from '@mlsys/recs-core';
import { ANN_SPACE } from '@mlsys/recs-core/ann';
import {
  encodeSongRow,
  RECENT_LISTEN_RECORD_BYTES,
  type RecsManifest,
  SONGS_CSV_HEADER,
} from '@mlsys/recs-core/artifacts';
import { publishArtifacts } from './artifact-writer.js';
import type { EmbeddingFiles } from './embeddings.js';
import { HNSW_LIBRARY } from './hnsw-index.js';
import type { HnswSweepResult } from './hnsw-sweep.js';
import type { RankerSummary } from './ranker-training.js';
import type { ServingSettings } from './settings.js';
import type { RecsSplit } from './split.js';

/** Everything the serving set is assembled from. */
export interface ServingOutputs {
  dataset: recs.RecsDataset;
  split: RecsSplit;
  songs: readonly SongFeatures[];
  embeddings: EmbeddingFiles;
  sweep: HnswSweepResult;
  tower: UserTowerParams;
  /** The exploration places tuned for this ranker; null: none. */
  exploration: ExplorationParams | null;
  rankerOnnx: string;
  ranker: RankerSummary;
  popularByRegion: Record<string, number[]>;
  genreHourLift: GenreHourTable;
  /** The scale the index's popularity coordinate was built with. */
  popularityScale: number;
  /** offline-report.json's content. */
  report: unknown;
  settings: ServingSettings;
}

/** Writes the serving artifact set (see @mlsys/recs-core/artifacts for the format) and returns its manifest. */
export function publishServingSet(dir: string, out: ServingOutputs): RecsManifest {
  const { dataset, sweep } = out;
  const { meta } = dataset;
  return publishArtifacts(
    dir,
    {
      songs: { content: `${SONGS_CSV_HEADER}\n${out.songs.map((s) => `${encodeSongRow(s)}\n`).join('')}` },
      users: { content: usersCsv(dataset) },
      songEmbeddings: { from: out.embeddings.songEmbeddings },
      userEmbeddings: { from: out.embeddings.userEmbeddings },
      recentListens: { content: recentListens(dataset, out.split) },
      hnsw: { from: sweep.indexPath },
      ranker: { from: out.rankerOnnx },
      popularityByRegion: { content: `${JSON.stringify(out.popularByRegion)}\n` },
      genreHourLift: { content: `${JSON.stringify(out.genreHourLift)}\n` },
      offlineReport: { content: `${JSON.stringify(out.report, null, 2)}\n` },
    },
    {
      kind: 'serving',
      profile: meta.profile,
      dim: meta.dim,
      counts: {
        songs: meta.counts.songs,
        users: meta.counts.users,
        artists: meta.counts.artists,
        trainListens: out.songs.reduce((sum, s) => sum + s.listenCount, 0),
      },
      genres: meta.genres.map((g) => g.name),
      regions: meta.regions,
      // The services' serving clock starts at the data's end (recs-core clock.ts).
      dataWindow: { startMs: meta.window.startMs, endMs: meta.window.endMs },
      hnsw: {
        library: HNSW_LIBRARY,
        space: ANN_SPACE,
        dim: meta.dim + 1,
        popularityScale: out.popularityScale,
        m: sweep.chosen.m,
        efConstruction: sweep.chosen.efConstruction,
        efSearch: sweep.chosen.ef,
        candidates: out.settings.candidates,
        buildSeconds: Number(sweep.chosen.buildSeconds.toFixed(1)),
      },
      userTower: out.tower,
      ranker: {
        featureNames: [...RANKER_FEATURES],
        inputName: out.ranker.inputName,
        outputName: out.ranker.outputName,
        trees: out.ranker.trees,
      },
      ...(out.exploration ? { exploration: out.exploration } : {}),
    },
  );
}

function usersCsv(dataset: recs.RecsDataset): string {
  const lines = Array.from(dataset.userRegion, (region, id) => `${id},${dataset.meta.regions[region]!.code}`);
  return `id,region\n${lines.join('\n')}\n`;
}

/**
 * What the feature store starts from: each user's last listens before the
 * test period (the serving moment is the end of the training data).
 */
function recentListens(dataset: recs.RecsDataset, split: RecsSplit): Uint8Array {
  const { listens } = dataset;
  const rows: number[] = [];
  for (let user = 0; user < listens.userStart.length - 1; user++) {
    const end = split.testStart[user]!;
    for (let row = Math.max(listens.userStart[user]!, end - RECENT_LISTENS_KEPT); row < end; row++)
      rows.push(row);
  }
  const view = new DataView(new ArrayBuffer(rows.length * RECENT_LISTEN_RECORD_BYTES));
  rows.forEach((row, i) => {
    const offset = i * RECENT_LISTEN_RECORD_BYTES;
    view.setUint32(offset, listens.user[row]!, true);
    view.setUint32(offset + 4, listens.song[row]!, true);
    view.setFloat64(offset + 8, listens.timeMs[row]!, true);
  });
  return new Uint8Array(view.buffer);
}
