// `npm run interview-numbers` (in packages/capacity): rewrites the "ten
// numbers to remember" of both interview packs from the results files.
// `--check` writes nothing and exits 1 when a pack is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKS, replaceSection, tenNumbers } from './interview-numbers.js';
import { REPO_ROOT } from './paths.js';
import { Results } from './results.js';

const check = process.argv.includes('--check');
const results = Results.load(REPO_ROOT);
let stale = 0;
for (const [design, file] of Object.entries(PACKS) as Array<[keyof typeof PACKS, string]>) {
  const path = join(REPO_ROOT, file);
  const before = readFileSync(path, 'utf8');
  const after = replaceSection(before, tenNumbers(results, design), file);
  if (before === after) {
    console.log(`${file}: up to date`);
    continue;
  }
  stale += 1;
  if (check) console.log(`${file}: out of date (run npm run interview-numbers in packages/capacity)`);
  else {
    writeFileSync(path, after);
    console.log(`${file}: ten numbers rewritten from bench/results`);
  }
}
process.exitCode = check && stale > 0 ? 1 : 0;
