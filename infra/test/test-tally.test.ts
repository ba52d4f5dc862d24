import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../src/paths.js';
import {
  addFuzzReports,
  addMissingReport,
  addPytestReport,
  addRunnerExit,
  addVitestReport,
  emptyTally,
  summaryLine,
  tallyPasses,
  type VitestReport,
} from '../src/test-tally.js';

const fixtures = join(ROOT, 'infra', 'test', 'fixtures', 'tally');

/** Runs the deliberately broken fixture suite with vitest's own JSON reporter. */
async function realReport(): Promise<VitestReport> {
  const out = join(mkdtempSync(join(tmpdir(), 'tally-')), 'vitest.json');
  const vitest = join(ROOT, 'node_modules', '.bin', 'vitest');
  const exit = await promisify(execFile)(vitest, ['run', '--reporter=json', `--outputFile=${out}`], {
    cwd: fixtures,
    timeout: 90_000,
  }).then(
    () => 0,
    (error: { code?: number }) => error.code ?? 1,
  );
  expect(exit).not.toBe(0);
  return JSON.parse(readFileSync(out, 'utf8')) as VitestReport;
}

const only = (report: VitestReport, file: string): VitestReport => ({
  ...report,
  testResults: report.testResults.filter((result) => result.name.endsWith(file)),
  success: undefined,
});

describe('the npm test tally, on real vitest reports', () => {
  let report: VitestReport;
  beforeAll(async () => {
    report = await realReport();
  });

  it('when vitest itself counts the broken suite, then it reports only the failed assertion (the bug the tally guards against)', () => {
    expect(report.numFailedTests).toBe(1);
    expect(report.numPassedTests).toBe(2);
  });

  it('when a test file fails to import, then it counts one failure naming the file and the error', () => {
    const tally = emptyTally();
    addVitestReport(tally, 'pkg', only(report, 'broken-import.check.ts'), fixtures);
    expect(summaryLine(tally)).toBe('0 passed, 1 failed');
    expect(tally.lines.join('\n')).toMatch(/broken-import\.check\.ts: the file failed \(.*no-such-module/);
    expect(tallyPasses(tally)).toBe(false);
  });

  it('when a beforeAll hook throws, then every test behind it counts as failed, with the hook error', () => {
    const tally = emptyTally();
    addVitestReport(tally, 'pkg', only(report, 'failing-hook.check.ts'), fixtures);
    expect(summaryLine(tally)).toBe('0 passed, 2 failed');
    expect(tally.lines.join('\n')).toContain('Redis is not reachable at redis://127.0.0.1:1');
  });

  it('when a test is skipped, then it counts as failed and is named', () => {
    const tally = emptyTally();
    addVitestReport(tally, 'pkg', only(report, 'skipped.check.ts'), fixtures);
    expect(summaryLine(tally)).toBe('1 passed, 1 failed');
    expect(tally.lines.join('\n')).toContain('is skipped');
  });

  it('when a test fails, then it is named with the first line of its failure', () => {
    const tally = emptyTally();
    addVitestReport(tally, 'pkg', only(report, 'failing-assertion.check.ts'), fixtures);
    expect(summaryLine(tally)).toBe('0 passed, 1 failed');
    expect(tally.lines.join('\n')).toMatch(
      /failing-assertion\.check\.ts: when the answer is wrong, then the assertion fails \(.*expected 42 to be 43/,
    );
  });

  it('when the whole broken suite is summed, then only the passing tests pass', () => {
    const tally = emptyTally();
    addVitestReport(tally, 'pkg', report, fixtures);
    expect(summaryLine(tally)).toBe('2 passed, 5 failed');
  });
});

describe('the npm test tally, on what has no report', () => {
  it('when a package wrote no report, then it is one failure', () => {
    const tally = emptyTally();
    addMissingReport(tally, 'services/x');
    expect(summaryLine(tally)).toBe('0 passed, 1 failed');
  });

  it('when turbo fails and the reports hold no failure, then the run fails', () => {
    const tally = emptyTally();
    tally.passed = 10;
    addRunnerExit(tally, 'turbo run test', 1, 0);
    expect(summaryLine(tally)).toBe('10 passed, 1 failed');
    expect(tally.lines[0]).toContain('exited 1');
  });

  it('when turbo fails and the reports already explain it, then nothing more is counted', () => {
    const tally = emptyTally();
    tally.failed = 2;
    addRunnerExit(tally, 'turbo run test', 1, 0);
    expect(tally.failed).toBe(2);
  });

  it('when nothing ran at all, then the run does not pass', () => {
    expect(tallyPasses(emptyTally())).toBe(false);
  });

  it('when pytest skips a test, then it counts as failed', () => {
    const tally = emptyTally();
    addPytestReport(tally, '<testsuite name="pytest" errors="1" failures="1" skipped="1" tests="10">');
    expect(summaryLine(tally)).toBe('7 passed, 3 failed');
  });
});

describe('the npm test tally, on the API fuzz counts', () => {
  it('when services were fuzzed, then their requests and answers are listed and nothing more is counted', () => {
    const tally = emptyTally();
    const report = (service: string, statuses: Record<string, number>) => ({
      service,
      operations: ['GET /livez', 'POST /v1/x'],
      requests: Object.values(statuses).reduce((a, b) => a + b, 0),
      statuses,
      serverErrors: 0,
      schemaViolations: 0,
      seconds: 12.4,
    });
    addFuzzReports(tally, [report('a', { '200': 900, '400': 300 }), report('b', { '202': 10, '503': 2 })]);
    expect(summaryLine(tally)).toBe('0 passed, 0 failed');
    expect(tally.lines[0]).toBe(
      '  API fuzz (schemathesis, packages/api-fuzz): 1,212 requests to 4 operations of 2 services (2xx 910, 4xx 300, 5xx 2); 0 unexpected 5xx, 0 answers outside their schema',
    );
    expect(tally.lines[2]).toBe(
      '    b: 12 requests (202: 10, 503: 2); 0 unexpected 5xx, 0 outside the schema; 12 s',
    );
  });
});
