export const TRAFFIC_USAGE = `usage: npm run traffic -- [recs <req/s>] [fraud <payments/s>]
  e.g. npm run traffic -- recs 50 fraud 200   (against the stack npm start runs; Ctrl-C stops)`;

/** `recs 50 fraud 200` -> rates per design; a design left out gets 0, a bad word or number throws. */
export function parseTrafficArgs(args: readonly string[]): { recs: number; fraud: number } {
  const rates = { recs: 0, fraud: 0 };
  if (args.length === 0 || args.length % 2 !== 0)
    throw new Error(`expected pairs of a design and a rate, got "${args.join(' ')}"`);
  for (let i = 0; i < args.length; i += 2) {
    const design = args[i]!;
    const raw = args[i + 1]!;
    if (design !== 'recs' && design !== 'fraud')
      throw new Error(`unknown design "${design}": use recs or fraud`);
    const rate = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || !(rate >= 0))
      throw new Error(`${design}: rate must be a number >= 0, got "${raw}"`);
    rates[design] = rate;
  }
  return rates;
}
