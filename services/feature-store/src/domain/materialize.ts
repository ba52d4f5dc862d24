import type { FeatureSource, VersionWriter } from './ports.js';
import type { VersionInfo } from './records.js';
import { newVersionId, versionsToCollect } from './versions.js';

export interface MaterializeOptions {
  nowMs: number;
  /** Records per write batch (one Redis pipeline each). */
  batchSize: number;
  /** Rebuild even when the live version came from the same artifact set. */
  force?: boolean;
  onProgress?: (progress: { phase: 'songs' | 'users'; done: number; total: number }) => void;
}

export interface MaterializeOutcome {
  version: VersionInfo;
  /** True when the live version already came from this artifact set and nothing was written. */
  skipped: boolean;
  collected: string[];
}

/**
 * Batch materialisation: writes every song and user of the artifact set
 * under a new version, beside the live one, then switches readers to it in
 * one step and deletes versions nobody reads any more. Restarting the
 * service on the same artifacts writes nothing, so the live listens
 * gathered since stay.
 */
export async function materialize(
  source: FeatureSource,
  writer: VersionWriter,
  options: MaterializeOptions,
): Promise<MaterializeOutcome> {
  const { current, stored } = await writer.versions();
  if (!options.force && current?.artifactVersion === source.artifactVersion) {
    return { version: current, skipped: true, collected: [] };
  }
  const version: VersionInfo = {
    id: newVersionId(source.artifactVersion, options.nowMs),
    artifactVersion: source.artifactVersion,
    createdAtMs: options.nowMs,
    users: source.userCount,
    songs: source.songCount,
  };
  await writer.begin(version);
  await inBatches(
    source.songs(),
    options.batchSize,
    (batch) => writer.writeSongs(version, batch),
    (done) => options.onProgress?.({ phase: 'songs', done, total: source.songCount }),
  );
  await inBatches(
    source.users(),
    options.batchSize,
    (batch) => writer.writeUsers(version, batch),
    (done) => options.onProgress?.({ phase: 'users', done, total: source.userCount }),
  );
  await writer.publish(version);

  const collected = versionsToCollect(stored, version.id, current?.id);
  for (const id of collected) await writer.collect(id);
  return { version, skipped: false, collected };
}

async function inBatches<T>(
  items: Iterable<T>,
  size: number,
  write: (batch: T[]) => Promise<void>,
  progress: (done: number) => void,
): Promise<void> {
  let batch: T[] = [];
  let done = 0;
  for (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      await write(batch);
      done += batch.length;
      progress(done);
      batch = [];
    }
  }
  if (batch.length > 0) {
    await write(batch);
    progress(done + batch.length);
  }
}
