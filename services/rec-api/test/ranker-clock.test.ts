// The ranker's serving clock, through its real entry point (kept with the
// other recs entry-point tests here): a rank request without `nowMs` is
// ranked at the data's time, not the wall clock's, so the time features
// (release age, hours since the artist, local hour) stay in the range
// training saw.
import { encodeFloat32, encodeInt32, type RankRequest, type RankResponse } from '@mlsys/contracts';
import { recentListensOf } from '@mlsys/recs-core/artifacts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyArtifacts } from './artifacts.js';
import { type Running, startService } from './stack.js';

const DAY_MS = 86_400_000;
const artifacts = tinyArtifacts();
const dataEndMs = artifacts.manifest.dataWindow!.endMs;
const songs = artifacts.readSongs();
const recentTable = artifacts.readRecentListens();
// An hour of wall time since the anchor: the data clock reads the data end plus an hour.
const anchorMs = Date.now() - 3_600_000;
const dataNow = () => dataEndMs + (Date.now() - anchorMs);

let ranker: Running;

beforeAll(async () => {
  ranker = await startService('ranker', {
    ARTIFACTS_DIR: artifacts.dir,
    SERVING_CLOCK_ANCHOR_MS: String(anchorMs),
  });
});

afterAll(async () => {
  await ranker?.stop();
});

/**
 * Candidates whose scores hang on the time: the songs released in the 60
 * days before the data's end and those by the artists the user just played,
 * then popular ones up to 200.
 */
function timeSensitiveRequest(): Omit<RankRequest, 'nowMs'> {
  const user = artifacts.readUsers().find((u) => recentListensOf(recentTable, u.id).length >= 5)!;
  const recentListens = recentListensOf(recentTable, user.id);
  const artists = new Set(recentListens.map((l) => songs[l.songId]!.artistId));
  const playable = songs.filter((s) => s.licensedRegions.includes(user.region));
  const chosen = new Set<number>();
  for (const s of playable) if (dataEndMs - s.releaseMs < 60 * DAY_MS) chosen.add(s.id);
  for (const s of playable) if (artists.has(s.artistId)) chosen.add(s.id);
  for (const s of [...playable].sort((a, b) => b.listenCount - a.listenCount)) {
    if (chosen.size >= 200) break;
    chosen.add(s.id);
  }
  const ids = [...chosen];
  return {
    region: user.region,
    recentListens,
    candidates: {
      ids: encodeInt32(Int32Array.from(ids)),
      scores: encodeFloat32(Float32Array.from(ids, (_, i) => 1 - i / ids.length)),
    },
  };
}

async function rank(body: RankRequest): Promise<Omit<RankResponse, 'modelVersion'>> {
  const res = await fetch(`${ranker.url}/v1/rank`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  const { ids, scores } = (await res.json()) as RankResponse;
  return { ids, scores };
}

describe('ranker serving clock', () => {
  it('when a rank request has no nowMs, then it is ranked at the data clock, not the wall clock', async () => {
    const request = timeSensitiveRequest();

    const atDataBefore = await rank({ ...request, nowMs: dataNow() });
    const withoutTime = await rank(request);
    const atDataAfter = await rank({ ...request, nowMs: dataNow() });
    const atWall = await rank({ ...request, nowMs: Date.now() });

    // The ranker's own now falls between the two data-clock readings taken around it.
    expect([atDataBefore, atDataAfter]).toContainEqual(withoutTime);
    expect(atWall).not.toEqual(withoutTime);
  });
});
