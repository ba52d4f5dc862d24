import { describe, expect, it } from 'vitest';
import { parseTrafficArgs } from '../src/domain/traffic-args.js';
import { listenerMix, Pacer } from '../src/domain/traffic-schedule.js';

describe('open-model pacing', () => {
  it('when time passes, then requests come due at the rate whatever was sent before', () => {
    const pacer = new Pacer(50, 0);
    expect(pacer.take(0)).toBe(0);
    expect(pacer.take(100)).toBe(5);
    expect(pacer.take(100)).toBe(0);
    expect(pacer.take(1000)).toBe(45);
  });

  it('when the rate changes, then the new schedule starts from that moment: no burst, no stall', () => {
    const pacer = new Pacer(10, 0);
    pacer.take(10_000);
    pacer.setRate(200, 10_000);
    expect(pacer.take(10_000)).toBe(0);
    expect(pacer.take(10_500)).toBe(100);
    pacer.setRate(0, 11_000);
    expect(pacer.take(60_000)).toBe(0);
  });

  it('when a rate is negative, then it is refused', () => {
    expect(() => new Pacer(-1, 0)).toThrow(/rate must be >= 0/);
  });
});

describe('who asks for recommendations', () => {
  const users = Array.from({ length: 100 }, (_, i) => ({ id: String(i), region: i % 2 ? 'SE' : 'US' }));

  it('when drawn many times, then heavy listeners come first (Zipf), some are new and some travel', () => {
    let state = 7;
    const random = () => {
      state = (state * 16_807) % 2_147_483_647;
      return state / 2_147_483_647;
    };
    const next = listenerMix({
      users,
      regions: ['US', 'SE', 'JP'],
      newUserShare: 0.05,
      travelShare: 0.1,
      zipfExponent: 1,
      random,
      newUserPrefix: 'new-run-',
    });
    const draws = Array.from({ length: 20_000 }, next);
    const known = draws.filter((d) => !d.newUser);
    const share = (id: string) => known.filter((d) => d.userId === id).length / known.length;

    expect(share('0')).toBeGreaterThan(5 * share('50'));
    expect(draws.filter((d) => d.newUser).length / draws.length).toBeCloseTo(0.05, 1);
    expect(draws.find((d) => d.newUser)?.userId).toMatch(/^new-run-\d+$/);
    const away = known.filter((d) => d.region !== users[Number(d.userId)]!.region).length / known.length;
    expect(away).toBeGreaterThan(0.02);
    expect(away).toBeLessThan(0.1);
  });
});

describe('npm run traffic arguments', () => {
  it('when designs and rates are given in pairs, then each design gets its rate and the others 0', () => {
    expect(parseTrafficArgs(['recs', '50', 'fraud', '200'])).toEqual({ recs: 50, fraud: 200 });
    expect(parseTrafficArgs(['fraud', '2.5'])).toEqual({ recs: 0, fraud: 2.5 });
  });

  it('when a word or a rate is wrong, then the error names it', () => {
    expect(() => parseTrafficArgs([])).toThrow(/pairs/);
    expect(() => parseTrafficArgs(['ads', '5'])).toThrow(/unknown design "ads"/);
    expect(() => parseTrafficArgs(['recs', '-5'])).toThrow(/recs: rate must be a number >= 0/);
  });
});
