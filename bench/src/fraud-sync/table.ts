import type { RateRow } from './rows.js';

/** Short names for the CPU column, in the order a payment crosses the services. */
const SHORT: Record<string, string> = {
  'txn-api': 'api',
  'feature-engine': 'fe',
  'fraud-scorer': 'scorer',
  floor: 'floor',
};

const COLUMNS = [
  ['mode', 5],
  ['win', 3],
  ['rate/s', 6],
  ['got/s', 7],
  ['p50', 7],
  ['p95', 7],
  ['p99 ms', 8],
  ['2xx %', 6],
  ['full %', 6],
  ['lag p99', 7],
  ['load', 5],
  ['steal', 5],
] as const;

/** The header of the table the bench prints as it goes; one `tableLine` per rate follows it. */
export function tableHeader(): string {
  return `  ${COLUMNS.map(([name, width]) => name.padStart(width)).join(' ')}  CPU µs per decision`;
}

export function tableLine(row: RateRow): string {
  const percent = (share: number | null) => (share === null ? '-' : (100 * share).toFixed(1));
  const cells = [
    row.mode,
    row.batch_window_ms === null ? '-' : String(row.batch_window_ms),
    String(row.rate),
    row.achieved_rps.toFixed(0),
    row.p50_ms.toFixed(1),
    row.p95_ms.toFixed(1),
    row.p99_ms.toFixed(1),
    percent(row.availability),
    percent(row.full_share),
    row.generator_lag_p99_ms.toFixed(1),
    row.load_avg_1m.toFixed(1),
    row.host === null ? '-' : `${(100 * row.host.steal_share).toFixed(0)}%`,
  ];
  const cpu = Object.entries(row.cpu_us_per_decision)
    .filter(([name]) => name !== 'all')
    .map(([name, us]) => `${SHORT[name] ?? name} ${us}`)
    .join(' + ');
  return `  ${cells.map((cell, i) => cell.padStart(COLUMNS[i]![1])).join(' ')}  ${cpu} = ${row.cpu_us_per_decision.all}`;
}
