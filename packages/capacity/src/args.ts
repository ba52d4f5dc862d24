// The flags of `npm run estimate`, checked all at once, each error naming
// the flag and an example of a good value.
import { parseArgs } from 'node:util';
import { DEFAULT_RECS_RPS } from './designs/recs.js';
import { DEFAULTS } from './givens.js';

export const USAGE = `usage:
  npm run estimate -- --design fraud --tps 10000 [--peak 3] [--entities 5M]
  npm run estimate -- --design recs --users 100M --songs 50M [--rps ${DEFAULT_RECS_RPS}] [--peak 1]
  common flags: [--utilisation ${DEFAULTS.utilisation}] [--json]
  counts take k, M and B suffixes (100M = 100,000,000)`;

export class UsageError extends Error {}

/** "100M" -> 1e8, "2.5k" -> 2500; a plain number as itself. */
export function parseCount(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)([kKmMbBgG]?)$/.exec(text.replace(/[_,]/g, ''));
  if (!match) throw new UsageError(`${flag} must be a number such as 10000, 10k or 100M; got "${text}"`);
  const scale = { '': 1, k: 1e3, m: 1e6, b: 1e9, g: 1e9 }[match[2]!.toLowerCase()]!;
  return Number(match[1]) * scale;
}

export function parseCli(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      design: { type: 'string' },
      tps: { type: 'string' },
      peak: { type: 'string' },
      users: { type: 'string' },
      songs: { type: 'string' },
      rps: { type: 'string' },
      entities: { type: 'string' },
      utilisation: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const utilisation = values.utilisation === undefined ? DEFAULTS.utilisation : Number(values.utilisation);
  if (!(utilisation > 0 && utilisation < 1))
    throw new UsageError(`--utilisation must be between 0 and 1 (e.g. 0.6); got "${values.utilisation}"`);
  const peak = parseCount('--peak', values.peak) ?? 1;
  if (peak < 1)
    throw new UsageError(`--peak is the peak over the design load, 1 or more; got "${values.peak}"`);
  const common = { peak, utilisation, json: values.json!, help: values.help! };
  const positive = (flag: string, n: number | undefined) => {
    if (n !== undefined && !(n > 0)) throw new UsageError(`${flag} must be above 0`);
    return n;
  };
  if (values.design === 'fraud') {
    const tps = positive('--tps', parseCount('--tps', values.tps));
    if (tps === undefined)
      throw new UsageError('--design fraud needs --tps (payments per second, e.g. --tps 10000)');
    const entities = positive('--entities', parseCount('--entities', values.entities));
    return { ...common, design: 'fraud' as const, tps, ...(entities === undefined ? {} : { entities }) };
  }
  if (values.design === 'recs') {
    const users = positive('--users', parseCount('--users', values.users));
    const songs = positive('--songs', parseCount('--songs', values.songs));
    if (users === undefined || songs === undefined)
      throw new UsageError('--design recs needs --users and --songs (e.g. --users 100M --songs 50M)');
    const rps = positive('--rps', parseCount('--rps', values.rps));
    return {
      ...common,
      design: 'recs' as const,
      users,
      songs,
      rps: rps ?? DEFAULT_RECS_RPS,
      rpsDefaulted: rps === undefined,
    };
  }
  if (values.help) return { ...common, design: undefined };
  throw new UsageError(`--design must be fraud or recs${values.design ? `; got "${values.design}"` : ''}`);
}
