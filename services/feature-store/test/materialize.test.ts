import { describe, expect, it } from 'vitest';
import { materialize } from '../src/domain/materialize.js';
import type { FeatureSource, VersionWriter } from '../src/domain/ports.js';
import type { SongRecord, UserRecord, VersionInfo } from '../src/domain/records.js';

/** Records what a materialisation writes, in order. */
class RecordingWriter implements VersionWriter {
  readonly log: string[] = [];
  stored: VersionInfo[] = [];
  current: VersionInfo | undefined;
  async versions() {
    return { current: this.current, stored: [...this.stored] };
  }
  async begin(version: VersionInfo) {
    this.stored.push(version);
    this.log.push(`begin ${version.id}`);
  }
  async writeSongs(_v: VersionInfo, batch: readonly SongRecord[]) {
    this.log.push(`songs ${batch.length}`);
  }
  async writeUsers(_v: VersionInfo, batch: readonly UserRecord[]) {
    this.log.push(`users ${batch.length}`);
  }
  async publish(version: VersionInfo) {
    this.current = version;
    this.log.push(`publish ${version.id}`);
  }
  async collect(id: string) {
    this.stored = this.stored.filter((v) => v.id !== id);
    this.log.push(`collect ${id}`);
    return 1;
  }
}

const source = (artifactVersion: string, users: number, songs: number): FeatureSource => ({
  artifactVersion,
  userCount: users,
  songCount: songs,
  *users() {
    for (let i = 0; i < users; i++)
      yield { userId: String(i), region: 'US', embedding: new Float32Array(2), recentListens: [] };
  },
  *songs() {
    for (let i = 0; i < songs; i++) {
      yield {
        features: {
          id: i,
          artistId: 0,
          genre: 0,
          releaseMs: 0,
          licensedRegions: ['US'],
          explicit: false,
          listenCount: 0,
          regionListenCounts: {},
        },
        embedding: new Float32Array(2),
      };
    }
  },
});

describe('materialize', () => {
  it('when no version is live, then songs and users are written in batches before the switch, with progress', async () => {
    const writer = new RecordingWriter();
    const progress: string[] = [];

    const outcome = await materialize(source('aaaa1111bbbb2222', 5, 3), writer, {
      nowMs: 1000,
      batchSize: 2,
      onProgress: (p) => progress.push(`${p.phase} ${p.done}/${p.total}`),
    });

    expect(outcome.skipped).toBe(false);
    expect(outcome.version.id).toBe(`aaaa1111bbbb-${(1000).toString(36)}`);
    expect(writer.log).toEqual([
      `begin ${outcome.version.id}`,
      'songs 2',
      'songs 1',
      'users 2',
      'users 2',
      'users 1',
      `publish ${outcome.version.id}`,
    ]);
    expect(progress).toEqual(['songs 2/3', 'songs 3/3', 'users 2/5', 'users 4/5', 'users 5/5']);
  });

  it('when the live version came from the same artifact set, then nothing is written', async () => {
    const writer = new RecordingWriter();
    const first = await materialize(source('same', 1, 1), writer, { nowMs: 1, batchSize: 10 });
    writer.log.length = 0;

    const second = await materialize(source('same', 1, 1), writer, { nowMs: 2, batchSize: 10 });

    expect(second).toEqual({ version: first.version, skipped: true, collected: [] });
    expect(writer.log).toEqual([]);
  });

  it('when a third version goes live, then the first is collected and the one it replaced is kept', async () => {
    const writer = new RecordingWriter();
    const v1 = await materialize(source('one', 1, 1), writer, { nowMs: 1, batchSize: 10 });
    const v2 = await materialize(source('two', 1, 1), writer, { nowMs: 2, batchSize: 10 });

    const v3 = await materialize(source('three', 1, 1), writer, { nowMs: 3, batchSize: 10 });

    expect(v2.collected).toEqual([]);
    expect(v3.collected).toEqual([v1.version.id]);
    expect(writer.stored.map((v) => v.id)).toEqual([v2.version.id, v3.version.id]);
  });
});
