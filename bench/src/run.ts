// `npm run bench -- <name> [args]`: runs the benchmark module bench/src/benches/<name>.ts.
// Each module exports `run(args: string[]): Promise<RunResult>` and writes its own
// results file through @mlsys/results; the exit code says whether its SLOs held.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '@mlsys/results';

const benchesDir = join(dirname(fileURLToPath(import.meta.url)), 'benches');

const available = () =>
  readdirSync(benchesDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();

const [name, ...args] = process.argv.slice(2);
if (!name || !available().includes(name)) {
  console.error(
    `usage: npm run bench -- <name>\navailable benchmarks: ${available().join(', ') || '(none yet)'}`,
  );
  process.exit(2);
}
const module = (await import(join(benchesDir, `${name}.ts`))) as {
  run: (args: string[]) => Promise<RunResult>;
};
const result = await module.run(args);
process.exit(result.pass ? 0 : 1);
