// `node --conditions=@mlsys/source --import tsx bench/src/ann/doc-tables.ts [bench/results/ann.json] [--ef 1200]`
// prints the Markdown of the 1M-song (or any profile's) ANN results for
// docs/designs/recommendations.md: every figure followed by its docs-check
// marker, read from the file the markers name, so the pasted text agrees
// with the file by construction. Nothing here is measured; it only formats.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { valueAt } from '@mlsys/results';
import { repoRoot } from '../paths.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { ef: { type: 'string', default: '1200' } },
});
const file = relative(repoRoot, positionals[0] ?? `${repoRoot}/bench/results/ann.json`);
const result = JSON.parse(readFileSync(`${repoRoot}/${file}`, 'utf8')) as unknown;
const ef = Number(values.ef);

/** `value<!-- fig: path -->`, the value shown with `digits` decimals (thousands separated when 0). */
function fig(path: string, digits: number, scale = 1): string {
  const raw = valueAt(result, path);
  if (typeof raw !== 'number') throw new Error(`${file}#${path} is not a number`);
  const value = raw * scale;
  const text =
    digits === 0 ? Math.round(value).toLocaleString('en') : value.toFixed(digits).replace(/^-0\./, '0.');
  return `${text}<!-- fig: ${path}${scale === 1 ? '' : ` *${scale}`} -->`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const sweepEfs = (valueAt(result, 'params.ef_sweep') as number[]).map(Number);
const shardCounts = valueAt(result, 'params.shard_counts') as number[];
const hostings = valueAt(result, 'params.shard_hostings') as string[];
const fetchOf = (shards: number) => (shards === 1 ? 'all' : 'bound');
const goalMet = valueAt(result, 'metrics.goal.met') === true;

const out: string[] = [];
out.push(`<!-- results: ${file} -->`);
out.push(
  `The offline index (${fig('params.songs', 0)} songs) per ef, one query at a time (\`${file}\`; host load average ${fig('metrics.host_load_average_start', 1)} at the start):`,
  '',
  table(
    ['ef', 'recall@1000', 'p50 / p99 ms'],
    sweepEfs.map((e) => [
      String(e),
      fig(`metrics.sweep[ef=${e}].recall`, 3),
      `${fig(`metrics.sweep[ef=${e}].p50_ms`, 2)} / ${fig(`metrics.sweep[ef=${e}].p99_ms`, 2)}`,
    ]),
  ),
  '',
  `Shards at whole-index ef ${ef} (each shard at that ef scaled by k'/k), recall@1000 and p50 / p99 ms of the whole query; the slowest shard's own p99 in the last column:`,
  '',
  table(
    ['shards', ...hostings.map((h) => `${h}: recall, p50 / p99 ms`), 'slowest shard p99 ms (in-process)'],
    shardCounts.map((s) => {
      const at = (h: string) => `metrics.shards[shards=${s},hosting=${h},fetch=${fetchOf(s)},ef=${ef}]`;
      return [
        String(s),
        ...hostings.map(
          (h) => `${fig(`${at(h)}.recall`, 3)}, ${fig(`${at(h)}.p50_ms`, 2)} / ${fig(`${at(h)}.p99_ms`, 2)}`,
        ),
        fig(`${at(hostings[0]!)}.shard_p99_ms`, 2),
      ];
    }),
  ),
  '',
  'The shard sets (S = 1 is the offline index, built by Python hnswlib; S > 1 by hnswlib-node, one worker thread per shard):',
  '',
  table(
    ['shards', 'build s', 'bytes per song in memory', 'bytes per song on disk'],
    shardCounts.map((s) => [
      String(s),
      fig(`metrics.shard_sets[shards=${s}].build_seconds`, 1),
      fig(`metrics.shard_sets[shards=${s}].bytes_per_vector_memory`, 0),
      fig(`metrics.shard_sets[shards=${s}].bytes_per_vector_disk`, 0),
    ]),
  ),
  '',
  `The goal (recall@1000 >= 0.97<!-- given --> at p99 <= 5 ms<!-- given -->, built in <= 300 s<!-- given -->) is **${goalMet ? 'met' : 'not met'}**<!-- pass: ${file}#metrics.goal.met -->` +
    (valueAt(result, 'metrics.goal.best') === null
      ? ': no setup reached the recall.'
      : `: the lowest p99 reaching the recall is ${String(valueAt(result, 'metrics.goal.best.shards'))} shard(s), ${String(valueAt(result, 'metrics.goal.best.hosting'))}, at whole-index ef ${String(valueAt(result, 'metrics.goal.best.ef'))}: recall ${fig('metrics.goal.best.recall', 3)}, p99 ${fig('metrics.goal.best.p99_ms', 2)} ms, built in ${fig('metrics.goal.best.build_seconds', 1)} s.`),
);
console.log(out.join('\n'));
