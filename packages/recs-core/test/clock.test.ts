import { describe, expect, it } from 'vitest';
import { describeServingClock, servingClock } from '../src/index.js';

const DATA_END = Date.UTC(2026, 2, 1);
const ANCHOR = Date.UTC(2026, 10, 29, 6, 0);
const MINUTE = 60_000;

/** A wall clock the test moves by hand. */
function manualWall(startMs: number) {
  let nowMs = startMs;
  return { now: () => nowMs, advance: (ms: number) => (nowMs += ms) };
}

describe('serving clock', () => {
  it('when the wall clock is at the anchor, then the data clock reads the data end', () => {
    const wall = manualWall(ANCHOR);

    const now = servingClock({ mode: 'data', dataEndMs: DATA_END, anchorMs: ANCHOR, wallNow: wall.now });

    expect(now()).toBe(DATA_END);
  });

  it('when wall time passes, then the data clock advances by the same amount', () => {
    const wall = manualWall(ANCHOR);
    const now = servingClock({ mode: 'data', dataEndMs: DATA_END, anchorMs: ANCHOR, wallNow: wall.now });

    wall.advance(90 * MINUTE);

    expect(now()).toBe(DATA_END + 90 * MINUTE);
  });

  it('when the process starts after the anchor (a restart), then it keeps the clock of the first start', () => {
    const wall = manualWall(ANCHOR + 3 * 60 * MINUTE);

    const now = servingClock({ mode: 'data', dataEndMs: DATA_END, anchorMs: ANCHOR, wallNow: wall.now });

    expect(now()).toBe(DATA_END + 3 * 60 * MINUTE);
  });

  it('when the mode is wall, then the clock is the wall clock whatever the data end', () => {
    const wall = manualWall(ANCHOR + 5 * MINUTE);

    const now = servingClock({ mode: 'wall', dataEndMs: DATA_END, anchorMs: ANCHOR, wallNow: wall.now });

    expect(now()).toBe(ANCHOR + 5 * MINUTE);
    wall.advance(MINUTE);
    expect(now()).toBe(ANCHOR + 6 * MINUTE);
  });

  it('when no real wall clock is passed, then wall mode is Date.now itself', () => {
    expect(servingClock({ mode: 'wall', dataEndMs: DATA_END, anchorMs: ANCHOR })).toBe(Date.now);
  });

  it('when the artifact set has no data end, then the data mode falls back to the wall clock and says why', () => {
    const wall = manualWall(ANCHOR);
    const options = { mode: 'data', dataEndMs: undefined, anchorMs: ANCHOR, wallNow: wall.now } as const;

    const now = servingClock(options);
    const summary = describeServingClock(options);

    expect(now()).toBe(ANCHOR);
    expect(summary.clock).toBe('wall');
    expect(summary.message).toContain('no dataWindow');
  });

  it('when the data clock is described, then the log names the data end, the anchor and the serving now', () => {
    const wall = manualWall(ANCHOR + MINUTE);

    const summary = describeServingClock({
      mode: 'data',
      dataEndMs: DATA_END,
      anchorMs: ANCHOR,
      wallNow: wall.now,
    });

    expect(summary).toMatchObject({
      clock: 'data',
      dataEnd: '2026-03-01T00:00:00.000Z',
      anchor: '2026-11-29T06:00:00.000Z',
      servingNow: '2026-03-01T00:01:00.000Z',
    });
  });

  it('when the wall mode is chosen, then the description says it was asked for', () => {
    const summary = describeServingClock({ mode: 'wall', dataEndMs: DATA_END, anchorMs: ANCHOR });

    expect(summary.clock).toBe('wall');
    expect(summary.message).toContain('SERVING_CLOCK=wall');
  });
});
