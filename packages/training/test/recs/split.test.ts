import { recs } from '@mlsys/datagen';
import { describe, expect, it } from 'vitest';
import type { ServingSettings } from '../../src/recs/settings.js';
import { TRAINING_SETTINGS } from '../../src/recs/settings.js';
import { countedEnd, evalQuery, rankerQuery, splitListens } from '../../src/recs/split.js';

/** Listens of users with the given counts, one minute apart. */
function listens(perUser: number[]): recs.ListenTable {
  const count = perUser.reduce((a, b) => a + b, 0);
  const table: recs.ListenTable = {
    count,
    user: new Uint32Array(count),
    song: new Uint32Array(count),
    timeMs: new Float64Array(count),
    userStart: new Int32Array(perUser.length + 1),
  };
  let row = 0;
  perUser.forEach((n, user) => {
    table.userStart[user] = row;
    for (let i = 0; i < n; i++, row++) {
      table.user[row] = user;
      table.song[row] = row;
      table.timeMs[row] = row * 60_000;
    }
  });
  table.userStart[perUser.length] = row;
  return table;
}

const settings: ServingSettings = {
  ...(TRAINING_SETTINGS.tiny as ServingSettings),
  holdoutListens: 5,
  minListensForHoldout: 15,
  labelWindow: 5,
  rankerUsers: 10,
  tuningUsers: 1,
  evalUsers: 10,
};

describe('time-based split', () => {
  it('when a user has enough listens, then the last ones are held out for the test and the ones before label the ranker', () => {
    const table = listens([30, 8]);

    const split = splitListens(table, settings, new recs.Random(1));

    expect(split.testStart[0]).toBe(25);
    expect(split.labelStart[0]).toBe(20);
    expect(rankerQuery(split, 0)).toEqual({ user: 0, historyEnd: 20, targetEnd: 25 });
    expect(evalQuery(split, table, 0)).toEqual({ user: 0, historyEnd: 25, targetEnd: 30 });
    expect(Array.from(split.evalUsers)).toEqual([0]);
  });

  it('when a user has few listens, then nothing is held out and they neither label the ranker nor get evaluated', () => {
    const split = splitListens(listens([30, 8]), settings, new recs.Random(1));

    expect(split.testStart[1]).toBe(38);
    expect(split.labelStart[1]).toBe(-1);
    expect(Array.from(split.rankerUsers)).toEqual([0]);
  });

  it('when counting listens for embeddings and popularity, then label and test rows are left out', () => {
    const split = splitListens(listens([30, 8]), settings, new recs.Random(1));

    expect(countedEnd(split, 0)).toBe(20);
    expect(countedEnd(split, 1)).toBe(38);
  });

  it('when more users qualify than asked for, then a sample of the asked size is drawn, sorted', () => {
    const split = splitListens(listens(Array.from({ length: 50 }, () => 30)), settings, new recs.Random(7));

    expect(split.rankerUsers).toHaveLength(10);
    expect(Array.from(split.rankerUsers)).toEqual([...split.rankerUsers].sort((a, b) => a - b));
    expect(split.tuningUsers).toHaveLength(1);
    expect(split.rankerUsers).toContain(split.tuningUsers[0]);
  });
});
