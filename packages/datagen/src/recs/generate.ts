import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BufferedFileWriter } from './binary-io.js';
import { ALL_REGIONS_MASK, type Catalog, generateCatalog } from './catalog.js';
import {
  ALL_REGIONS,
  DATASET_FILES,
  DATASET_FORMAT_VERSION,
  LISTEN_RECORD_BYTES,
  type RecsDataMeta,
} from './dataset-format.js';
import { LATENT_MODEL } from './latent-model.js';
import { ListenBuffer, ListenGenerator } from './listens.js';
import type { RecsProfile } from './profiles.js';
import { generateUsers, type Users } from './users.js';
import { GENRES, REGIONS } from './world.js';

const DAY_MS = 86_400_000;

/** Reports progress of one phase ('catalog', 'users', 'listens') as a fraction in [0, 1]. */
export type GenerationProgress = (phase: string, fraction: number) => void;

/**
 * Generates a profile's dataset into `outDir` (see dataset-format.ts for the
 * files). Deterministic: the same profile gives byte-identical files. Every
 * file is streamed, so the large profile's 1M songs never sit in a string.
 */
export function generateRecsDataset(
  profile: RecsProfile,
  outDir: string,
  onProgress: GenerationProgress = () => {},
): RecsDataMeta {
  mkdirSync(outDir, { recursive: true });
  const catalog = generateCatalog(profile, (f) => onProgress('catalog', f * 0.8));
  writeCatalog(catalog, outDir);
  onProgress('catalog', 1);

  const users = generateUsers(profile, catalog.genreCentroids);
  writeUsers(users, outDir);
  onProgress('users', 1);

  const listens = writeListens(profile, catalog, users, outDir, (f) => onProgress('listens', f));

  const meta: RecsDataMeta = {
    formatVersion: DATASET_FORMAT_VERSION,
    profile: profile.name,
    seed: profile.seed,
    dim: profile.dim,
    counts: { songs: catalog.songs.count, artists: catalog.artists.count, users: users.count, listens },
    window: { startMs: profile.endMs - profile.windowDays * DAY_MS, endMs: profile.endMs },
    genres: GENRES.map((g) => ({ ...g })),
    regions: REGIONS.map(({ code, utcOffsetHours }) => ({ code, utcOffsetHours })),
    model: LATENT_MODEL,
  };
  const metaWriter = new BufferedFileWriter(join(outDir, DATASET_FILES.meta));
  metaWriter.text(`${JSON.stringify(meta, null, 2)}\n`);
  metaWriter.close();
  return meta;
}

function writeCatalog(catalog: Catalog, outDir: string): void {
  const { songs, artists } = catalog;
  const songsCsv = new BufferedFileWriter(join(outDir, DATASET_FILES.songs));
  songsCsv.text('id,artistId,genre,releaseMs,licensedRegions,explicit\n');
  for (let s = 0; s < songs.count; s++) {
    const regions =
      songs.licenseMask[s] === ALL_REGIONS_MASK ? ALL_REGIONS : regionCodes(songs.licenseMask[s]!);
    songsCsv.text(
      `${s},${songs.artist[s]},${songs.genre[s]},${songs.releaseMs[s]},${regions},${songs.explicit[s]}\n`,
    );
  }
  songsCsv.close();

  const artistsCsv = new BufferedFileWriter(join(outDir, DATASET_FILES.artists));
  artistsCsv.text('id,genre,homeRegion\n');
  for (let a = 0; a < artists.count; a++) {
    artistsCsv.text(`${a},${artists.genre[a]},${REGIONS[artists.homeRegion[a]!]!.code}\n`);
  }
  artistsCsv.close();

  const factors = new BufferedFileWriter(join(outDir, DATASET_FILES.songFactors));
  factors.bytes(songs.vectors);
  factors.close();
}

function writeUsers(users: Users, outDir: string): void {
  const csv = new BufferedFileWriter(join(outDir, DATASET_FILES.users));
  csv.text('id,region\n');
  for (let u = 0; u < users.count; u++) csv.text(`${u},${REGIONS[users.region[u]!]!.code}\n`);
  csv.close();
  const factors = new BufferedFileWriter(join(outDir, DATASET_FILES.userFactors));
  factors.bytes(users.vectors);
  factors.close();
}

function writeListens(
  profile: RecsProfile,
  catalog: Catalog,
  users: Users,
  outDir: string,
  onProgress: (fraction: number) => void,
): number {
  const out = new BufferedFileWriter(join(outDir, DATASET_FILES.listens));
  let total = 0;
  if (profile.meanListensPerUser > 0) {
    const generator = new ListenGenerator(profile, catalog, users);
    const maxListens = users.listenCount.reduce((a, b) => Math.max(a, b), 0);
    const buffer = new ListenBuffer(maxListens);
    const block = new DataView(new ArrayBuffer(maxListens * LISTEN_RECORD_BYTES));
    const progressEvery = Math.max(1, Math.floor(users.count / 100));
    for (let u = 0; u < users.count; u++) {
      generator.generate(u, buffer);
      for (let i = 0; i < buffer.count; i++) {
        const offset = i * LISTEN_RECORD_BYTES;
        block.setUint32(offset, u, true);
        block.setUint32(offset + 4, buffer.songs[i]!, true);
        block.setFloat64(offset + 8, buffer.times[i]!, true);
      }
      out.bytes(new Uint8Array(block.buffer, 0, buffer.count * LISTEN_RECORD_BYTES));
      total += buffer.count;
      if (u % progressEvery === 0) onProgress(u / users.count);
    }
  }
  out.close();
  onProgress(1);
  return total;
}

function regionCodes(mask: number): string {
  return REGIONS.filter((_, r) => (mask & (1 << r)) !== 0)
    .map((r) => r.code)
    .join('|');
}
