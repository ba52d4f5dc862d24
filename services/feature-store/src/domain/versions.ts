import type { VersionInfo } from './records.js';

/**
 * A new version id per materialisation, even of the same artifact set: a
 * forced rebuild must not write into the keys readers are using.
 */
export function newVersionId(artifactVersion: string, nowMs: number): string {
  return `${artifactVersion.slice(0, 12)}-${nowMs.toString(36)}`;
}

/**
 * Versions to delete after `published` went live. The one it replaced is
 * kept: a reader that cached the old pointer a moment ago still finds its
 * keys, and an operator can switch back to it.
 */
export function versionsToCollect(
  stored: readonly VersionInfo[],
  published: string,
  replaced: string | undefined,
): string[] {
  return stored.map((v) => v.id).filter((id) => id !== published && id !== replaced);
}
