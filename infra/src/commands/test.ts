import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { artifactsDir, pipelineExists, prepareArtifacts } from '../artifacts.js';
import { ROOT } from '../paths.js';
import { bin, runInherit } from '../run.js';
import { bringUpInfra, stopInfra } from '../servers.js';
import { say } from '../ui.js';

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
  lines: string[];
}

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
    if (!existsSync(file)) {
      tally.failed += 1;
      tally.lines.push(`  ${dir}: no test report (the run crashed before reporting)`);
      continue;
    }
    const report = JSON.parse(readFileSync(file, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTodoTests: number;
      numTotalTests: number;
    };
    tally.passed += report.numPassedTests;
    tally.failed += report.numFailedTests;
    tally.skipped += report.numPendingTests + report.numTodoTests;
    tally.lines.push(`  ${dir}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
  }
}

/** pytest's JUnit XML: tests, failures, errors and skips in the <testsuite> element. */
function tallyPytest(file: string, tally: Tally): void {
  if (!existsSync(file)) {
    tally.failed += 1;
    tally.lines.push('  python: no pytest report');
    return;
  }
  const xml = readFileSync(file, 'utf8');
  const attr = (name: string) => Number(new RegExp(`<testsuite[^>]*\\b${name}="(\\d+)"`).exec(xml)?.[1] ?? 0);
  const failed = attr('failures') + attr('errors');
  const skipped = attr('skipped');
  const passed = attr('tests') - failed - skipped;
  tally.passed += passed;
  tally.failed += failed;
  tally.skipped += skipped;
  tally.lines.push(`  python (pytest): ${passed} passed, ${failed} failed`);
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
  const tally: Tally = { passed: 0, failed: 0, skipped: 0, lines: [] };

  const infra = await bringUpInfra('test', {
    keepAfterExit: false,
    reuse: true,
    portOffset: options.portOffset ?? 0,
  });
  try {
    const sets = (['recs', 'fraud'] as const).filter(pipelineExists);
    await prepareArtifacts(sets, 'tiny');
    const env = {
      ...process.env,
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

    say('running the tests of every package against the real Redis and Kafka');
    await runInherit(bin('turbo'), ['run', 'test', '--continue', '--concurrency=2'], env);
    tallyVitest(dirs, tally);

    const pythonTests = join(ROOT, 'packages', 'training', 'python', 'tests');
    if (existsSync(pythonTests)) {
      say('running the Python tests (pytest)');
      const junit = join(ROOT, 'packages', 'training', 'reports', 'pytest.xml');
      const python = join(ROOT, '.cache', 'venv', 'bin', 'python');
      await runInherit(python, ['-m', 'pytest', '-q', pythonTests, `--junitxml=${junit}`], env);
      tallyPytest(junit, tally);
    }
  } finally {
    await stopInfra(infra);
  }

  console.log('\nTest summary by package:');
  for (const line of tally.lines) console.log(line);
  const skipped = tally.skipped > 0 ? `, ${tally.skipped} skipped` : '';
  console.log(`${tally.passed} passed, ${tally.failed} failed${skipped}`);
  return tally.failed === 0 && tally.passed > 0 ? 0 : 1;
}
