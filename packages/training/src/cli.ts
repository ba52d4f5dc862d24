// `tsx packages/training/src/cli.ts <design> [--profile P] [--force]`
// Runs one design's offline pipeline (data -> features -> Python training ->
// ONNX / index -> offline report) into .cache/artifacts/<design>/<profile>/.
// Each pipeline skips the steps whose inputs did not change since last time.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Pipeline } from './shared/pipeline-options.js';

const pipelines: Record<string, () => Promise<Pipeline>> = {
  recs: async () => (await import('./recs/pipeline.js')).run,
  fraud: async () => (await import('./fraud/pipeline.js')).run,
};

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { profile: { type: 'string', default: 'default' }, force: { type: 'boolean', default: false } },
});
const design = positionals[0];
if (!design || !(design in pipelines)) {
  console.error(
    `usage: training <${Object.keys(pipelines).join('|')}> [--profile tiny|default|large] [--force]`,
  );
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const run = await pipelines[design]!();
await run({ root, profile: values.profile!, force: values.force! });
