import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  ARTIFACT_FILES,
  type ArtifactRole,
  MANIFEST_FILE,
  RECS_ARTIFACT_FORMAT_VERSION,
  type RecsManifest,
} from '@mlsys/recs-core/artifacts';

/** A file to publish: copied from `from`, or written from `content`. */
export type ArtifactSource = { from: string } | { content: string | Uint8Array };

/**
 * Writes an artifact set into a staging folder, hashes every file into the
 * manifest (the manifest goes last), then swaps the folder into place, so a
 * reader never sees half of an old set and half of a new one.
 */
export function publishArtifacts(
  dir: string,
  files: Partial<Record<ArtifactRole, ArtifactSource>>,
  manifest: Omit<RecsManifest, 'formatVersion' | 'design' | 'artifactVersion' | 'createdAt' | 'files'>,
): RecsManifest {
  const staging = join(dirname(dir), `.${basename(dir)}.staging`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });

  const entries: RecsManifest['files'] = {};
  for (const [role, source] of Object.entries(files) as [ArtifactRole, ArtifactSource][]) {
    const name = ARTIFACT_FILES[role];
    const target = join(staging, name);
    if ('from' in source) copyFileSync(source.from, target);
    else writeFileSync(target, source.content);
    entries[role] = { path: name, bytes: statSync(target).size, sha256: sha256File(target) };
  }
  // The version changes with any file and with any parameter the services read (ef, tower blend, ...).
  const versionHash = createHash('sha256').update(`${JSON.stringify(manifest)}\n`);
  for (const role of Object.keys(entries).sort()) versionHash.update(`${role}:${entries[role]!.sha256}\n`);

  const full: RecsManifest = {
    formatVersion: RECS_ARTIFACT_FORMAT_VERSION,
    design: 'recs',
    artifactVersion: versionHash.digest('hex').slice(0, 16),
    createdAt: new Date().toISOString(),
    ...manifest,
    files: entries,
  };
  writeFileSync(join(staging, MANIFEST_FILE), `${JSON.stringify(full, null, 2)}\n`);

  const previous = join(dirname(dir), `.${basename(dir)}.previous`);
  rmSync(previous, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, previous);
  renameSync(staging, dir);
  rmSync(previous, { recursive: true, force: true });
  return full;
}

function sha256File(path: string): string {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1 << 22);
  const fd = openSync(path, 'r');
  try {
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer))
      hash.update(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
