// Sums the test reports of `npm test` into one line. The rule it enforces:
// the run passes only when every test that exists ran and passed. A test file
// that failed to import, a hook that threw (vitest then reports the file's
// tests as skipped), a skipped test, a missing report or a test runner that
// failed without saying why are all failures, each named in the summary.

export interface Tally {
  passed: number;
  failed: number;
  lines: string[];
}

export const emptyTally = (): Tally => ({ passed: 0, failed: 0, lines: [] });

/** The part of vitest's JSON reporter output (jest's format) the tally reads. */
export interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numFailedTestSuites?: number;
  success?: boolean;
  testResults: Array<{
    name: string;
    status: string;
    message?: string;
    assertionResults: Array<{
      status: string;
      fullName?: string;
      title?: string;
      failureMessages?: string[];
    }>;
  }>;
}

const firstLine = (text: string | undefined) => (text ?? '').trim().split('\n')[0]?.slice(0, 200) ?? '';

/**
 * Adds one package's vitest report. Per test file: passed tests count as
 * passed; failed, skipped, pending and todo tests as failed, each failed one
 * named with the first line of its failure (CI keeps only the summary's
 * tail); a file that failed with no failed test of its own (an import
 * error, a throwing hook) counts at least one failure.
 */
export function addVitestReport(tally: Tally, pkg: string, report: VitestReport, root = ''): void {
  let passed = 0;
  let failed = 0;
  const why: string[] = [];
  for (const file of report.testResults) {
    const name = root && file.name.startsWith(root) ? file.name.slice(root.length + 1) : file.name;
    const failedHere = file.assertionResults.filter((test) => test.status === 'failed').length;
    const notRun = file.assertionResults.filter((test) => !['passed', 'failed'].includes(test.status));
    passed += file.assertionResults.filter((test) => test.status === 'passed').length;
    failed += failedHere;
    for (const test of file.assertionResults.filter((t) => t.status === 'failed'))
      why.push(
        `${name}: ${test.fullName ?? test.title} (${firstLine(test.failureMessages?.[0]) || 'no message'})`,
      );
    if (file.status === 'failed' && failedHere === 0) {
      const lost = Math.max(1, notRun.length);
      failed += lost;
      why.push(
        `${name}: the file failed (${firstLine(file.message) || 'no message'}); ${lost} counted failed`,
      );
    } else if (notRun.length > 0) {
      failed += notRun.length;
      why.push(
        `${name}: ${notRun.length} not run (${notRun.map((t) => t.fullName ?? t.title).join('; ')}); a skipped test is a failure here`,
      );
    }
  }
  if (report.success === false && failed === 0) {
    failed = 1;
    why.push('the report says the run failed, with no failed test in it');
  }
  tally.passed += passed;
  tally.failed += failed;
  tally.lines.push(`  ${pkg}: ${passed} passed, ${failed} failed`);
  for (const line of why) tally.lines.push(`    ${line}`);
}

/** A package that should have written a report and did not. */
export function addMissingReport(tally: Tally, pkg: string): void {
  tally.failed += 1;
  tally.lines.push(`  ${pkg}: no test report (the run crashed before reporting)`);
}

/**
 * A runner (turbo, pytest) that exited non-zero: a failure of its own unless
 * the reports already hold the failures that explain it.
 */
export function addRunnerExit(tally: Tally, runner: string, exitCode: number, failedBefore: number): void {
  if (exitCode === 0 || tally.failed > failedBefore) return;
  tally.failed += 1;
  tally.lines.push(`  ${runner}: exited ${exitCode} with no failure in its reports (see its output above)`);
}

/** pytest's JUnit XML: tests, failures, errors and skips in the <testsuite> element; a skip is a failure. */
export function addPytestReport(tally: Tally, xml: string): void {
  const attr = (name: string) => Number(new RegExp(`<testsuite[^>]*\\b${name}="(\\d+)"`).exec(xml)?.[1] ?? 0);
  const failed = attr('failures') + attr('errors') + attr('skipped');
  const passed = attr('tests') - failed;
  tally.passed += passed;
  tally.failed += failed;
  tally.lines.push(`  python (pytest): ${passed} passed, ${failed} failed`);
}

export function summaryLine(tally: Tally): string {
  return `${tally.passed} passed, ${tally.failed} failed`;
}

export const tallyPasses = (tally: Tally) => tally.failed === 0 && tally.passed > 0;

/** One service's counts from the API fuzz (`packages/api-fuzz` writes one file per service). */
export interface FuzzReport {
  service: string;
  operations: string[];
  requests: number;
  /** Answers by HTTP status (`none`: no answer). */
  statuses: Record<string, number>;
  /** 5xx answers the fuzz does not allow, and answers outside their operation's schema. */
  serverErrors: number;
  schemaViolations: number;
  seconds: number;
}

const byClass = (statuses: Record<string, number>) => {
  const classes: Record<string, number> = {};
  for (const [status, count] of Object.entries(statuses)) {
    const name = /^\d{3}$/.test(status) ? `${status[0]}xx` : status;
    classes[name] = (classes[name] ?? 0) + count;
  }
  return Object.keys(classes)
    .sort()
    .map((name) => `${name} ${classes[name]!.toLocaleString('en-US')}`)
    .join(', ');
};

/**
 * The fuzz's counts under the summary: what was sent and what came back.
 * Lines only; its vitest report already counts each service's pass or failure.
 */
export function addFuzzReports(tally: Tally, reports: readonly FuzzReport[]): void {
  if (reports.length === 0) return;
  const sum = (pick: (report: FuzzReport) => number) => reports.reduce((total, r) => total + pick(r), 0);
  const statuses: Record<string, number> = {};
  for (const report of reports)
    for (const [status, count] of Object.entries(report.statuses))
      statuses[status] = (statuses[status] ?? 0) + count;
  tally.lines.push(
    `  API fuzz (schemathesis, packages/api-fuzz): ${sum((r) => r.requests).toLocaleString('en-US')} requests to ${sum((r) => r.operations.length)} operations of ${reports.length} services (${byClass(statuses)}); ${sum((r) => r.serverErrors)} unexpected 5xx, ${sum((r) => r.schemaViolations)} answers outside their schema`,
  );
  for (const r of reports)
    tally.lines.push(
      `    ${r.service}: ${r.requests.toLocaleString('en-US')} requests (${Object.entries(r.statuses)
        .map(([status, count]) => `${status}: ${count}`)
        .join(
          ', ',
        )}); ${r.serverErrors} unexpected 5xx, ${r.schemaViolations} outside the schema; ${Math.round(r.seconds)} s`,
    );
}
