import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { artifactsDir, pipelineExists, prepareArtifacts } from '../artifacts.js';
import { ensureChromium } from '../chromium.js';
import { HAPROXY } from '../haproxy.js';
import { ROOT } from '../paths.js';
import { REDIS_SENTINEL } from '../redis-sentinel.js';
import { bin, runInherit } from '../run.js';
import { bringUpInfra, stopInfra } from '../servers.js';
import { ensureAptProgram } from '../system-packages.js';
import {
  addFuzzReports,
  addMissingReport,
  addPytestReport,
  addRunnerExit,
  addVitestReport,
  emptyTally,
  type FuzzReport,
  summaryLine,
  type Tally,
  tallyPasses,
} from '../test-tally.js';
import { say } from '../ui.js';
import { checkDocs, type DocsReport } from './docs-check.js';

/** Every workspace folder that has a `test` script. */
function testedPackages(): string[] {
  const dirs: string[] = [];
  for (const group of ['packages', 'services']) {
    const parent = join(ROOT, group);
    if (!existsSync(parent)) continue;
    for (const name of readdirSync(parent).sort()) dirs.push(join(group, name));
  }
  dirs.push('infra', 'load-tests', 'bench');
  return dirs.filter((dir) => {
    const pkg = join(ROOT, dir, 'package.json');
    return existsSync(pkg) && Boolean(JSON.parse(readFileSync(pkg, 'utf8')).scripts?.test);
  });
}

const reportOf = (dir: string) => join(ROOT, dir, 'reports', 'vitest.json');

function tallyVitest(dirs: string[], tally: Tally): void {
  for (const dir of dirs) {
    const file = reportOf(dir);
    if (existsSync(file)) addVitestReport(tally, dir, JSON.parse(readFileSync(file, 'utf8')), ROOT);
    else addMissingReport(tally, dir);
  }
}

/** The API fuzz's per-service counts (packages/api-fuzz), for the lines under the summary. */
function fuzzReports(): FuzzReport[] {
  const dir = join(ROOT, 'packages', 'api-fuzz', 'reports', 'api-fuzz');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as FuzzReport);
}

/** docs:check in the tally: one passed test per clean Markdown file, one failure per problem. */
function addDocsReport(tally: Tally, report: DocsReport): void {
  const dirty = new Set(report.problems.map((problem) => problem.file));
  tally.passed += report.files - dirty.size;
  tally.failed += report.problems.length;
  tally.lines.push(
    `  docs:check: ${report.files - dirty.size} files clean, ${report.problems.length} problems (${report.checked} figures checked)`,
  );
  for (const problem of report.problems.slice(0, 50))
    tally.lines.push(`    ${problem.file}:${problem.line}: ${problem.message}`);
  if (report.problems.length > 50)
    tally.lines.push(`    … and ${report.problems.length - 50} more (npm run docs:check)`);
}

/**
 * `npm test`: provisions the test profile's Redis and Kafka, prepares the
 * tiny models the service tests load, typechecks, runs every package's tests
 * (and the Python ones) against the real servers, and prints one line
 * `N passed, N failed` summed over the workspace.
 */
export async function runTests(options: { portOffset?: number } = {}): Promise<number> {
  const dirs = testedPackages();
  for (const dir of dirs) rmSync(join(ROOT, dir, 'reports'), { recursive: true, force: true });
  const tally = emptyTally();

  const infra = await bringUpInfra('test', {
    keepAfterExit: false,
    reuse: true,
    portOffset: options.portOffset ?? 0,
  });
  try {
    const sets = (['recs', 'fraud'] as const).filter(pipelineExists);
    await prepareArtifacts(sets, 'tiny');
    const chromium = await ensureChromium();
    // The ha profile's programs, installed here once: two test files installing them in parallel
    // would race for apt's lock.
    for (const program of [HAPROXY, REDIS_SENTINEL]) await ensureAptProgram(program);
    const env = {
      ...process.env,
      ...(chromium ? { MLSYS_CHROMIUM: chromium } : {}),
      REDIS_URL: infra.redisUrl,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      MLSYS_RECS_ARTIFACTS: artifactsDir('recs', 'tiny'),
      MLSYS_FRAUD_ARTIFACTS: artifactsDir('fraud', 'tiny'),
    };

    say('typechecking every package');
    if (
      (await runInherit(
        bin('turbo'),
        ['run', 'typecheck', '--continue', '--output-logs=errors-only'],
        env,
      )) !== 0
    ) {
      tally.failed += 1;
      tally.lines.push('  typecheck: failed (see above)');
    }

    say('checking every measured figure in the Markdown against its results file (docs:check)');
    addDocsReport(tally, checkDocs());

    say('running the tests of every package against the real Redis and Kafka');
    const before = tally.failed;
    const turbo = await runInherit(bin('turbo'), ['run', 'test', '--continue', '--concurrency=2'], env);
    tallyVitest(dirs, tally);
    addFuzzReports(tally, fuzzReports());
    addRunnerExit(tally, 'turbo run test', turbo, before);

    const pythonTests = join(ROOT, 'packages', 'training', 'python', 'tests');
    if (existsSync(pythonTests)) {
      say('running the Python tests (pytest)');
      const junit = join(ROOT, 'packages', 'training', 'reports', 'pytest.xml');
      const python = join(ROOT, '.cache', 'venv', 'bin', 'python');
      const before = tally.failed;
      const pytest = await runInherit(
        python,
        ['-m', 'pytest', '-q', pythonTests, `--junitxml=${junit}`],
        env,
      );
      if (existsSync(junit)) addPytestReport(tally, readFileSync(junit, 'utf8'));
      else addMissingReport(tally, 'python (pytest)');
      addRunnerExit(tally, 'pytest', pytest, before);
    }
  } finally {
    await stopInfra(infra);
  }

  console.log('\nTest summary by package:');
  for (const line of tally.lines) console.log(line);
  console.log(summaryLine(tally));
  return tallyPasses(tally) ? 0 : 1;
}
