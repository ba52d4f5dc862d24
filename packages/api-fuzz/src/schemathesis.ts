import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '@mlsys/testkit';

/** The CLI from the project's Python venv (infra/python/requirements.txt pins it). */
export const SCHEMATHESIS = join(repoRoot(), '.cache', 'venv', 'bin', 'schemathesis');

/** The two properties every answer must have: no 5xx, and a body that matches its status's schema. */
const CHECKS = ['not_a_server_error', 'response_schema_conformance'] as const;

export interface FuzzOptions {
  /** Cases per operation in the fuzzing phase; the coverage phase adds its own boundary cases. */
  maxExamples: number;
  seed: number;
  /** The whole run is stopped (and fails) past this. */
  timeoutMs: number;
  /**
   * 5xx statuses of an operation that do not fail the run (the caller says
   * why). They are still counted in `statuses`.
   */
  allowedServerErrors?: Array<{ path: string; statuses: number[] }>;
}

/** What one service's fuzz run saw, counted over every request schemathesis sent. */
export interface FuzzCounts {
  operations: string[];
  requests: number;
  /** Answers by HTTP status; `none` for a request that got no answer (timeout, reset). */
  statuses: Record<string, number>;
  serverErrors: number;
  schemaViolations: number;
  /** The first problems found, in words: failed checks, unanswered requests, schemathesis errors. */
  problems: string[];
  seconds: number;
}

interface CheckResult {
  name: string;
  status: string;
  failure_info?: { failure?: { operation?: string; title?: string; message?: string } };
}
interface Interaction {
  request: { method: string; uri: string; body?: { $base64: string } };
  response: { status_code: number; content?: { $base64: string } } | null;
}
interface Recorder {
  label: string;
  checks?: Record<string, CheckResult[]>;
  interactions?: Record<string, Interaction>;
}

const MAX_PROBLEMS = 10;

const text = (payload: { $base64: string } | undefined) =>
  payload ? Buffer.from(payload.$base64, 'base64').toString('utf8').slice(0, 600) : '(none)';

/** The request and answer behind a failed check, to reproduce it with curl. */
function describe(interaction: Interaction | undefined): string {
  if (!interaction) return '  (no request recorded)';
  const { request, response } = interaction;
  return [
    `  sent: ${request.method} ${request.uri} ${text(request.body)}`,
    `  got: ${response ? `${response.status_code} ${text(response.content)}` : 'no answer'}`,
  ].join('\n');
}

/** Tallies schemathesis' NDJSON event stream: one event per line, each scenario with its requests and checks. */
export async function countEvents(file: string): Promise<Omit<FuzzCounts, 'seconds'>> {
  const counts: Omit<FuzzCounts, 'seconds'> = {
    operations: [],
    requests: 0,
    statuses: {},
    serverErrors: 0,
    schemaViolations: 0,
    problems: [],
  };
  const operations = new Set<string>();
  const problem = (text: string) => {
    if (counts.problems.length < MAX_PROBLEMS) counts.problems.push(text);
  };
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const event = JSON.parse(line) as Record<string, Record<string, unknown>>;
    const [kind, body] = Object.entries(event)[0] ?? [];
    if (kind === 'NonFatalError' || kind === 'FatalError') {
      problem(`schemathesis ${kind}: ${JSON.stringify(body).slice(0, 400)}`);
      continue;
    }
    if (kind !== 'ScenarioFinished' || !body) continue;
    const recorder = body.recorder as Recorder;
    // Stateful scenarios chain operations under a label of their own; their requests count, the label does not.
    if (/^[A-Z]+ \//.test(recorder.label)) operations.add(recorder.label);
    for (const interaction of Object.values(recorder.interactions ?? {})) {
      counts.requests += 1;
      const status = interaction.response ? String(interaction.response.status_code) : 'none';
      counts.statuses[status] = (counts.statuses[status] ?? 0) + 1;
      if (!interaction.response)
        problem(`${interaction.request.method} ${interaction.request.uri}: no answer`);
    }
    for (const [id, checks] of Object.entries(recorder.checks ?? {})) {
      for (const check of checks) {
        if (check.status === 'success') continue;
        if (check.name === 'not_a_server_error') counts.serverErrors += 1;
        if (check.name === 'response_schema_conformance') counts.schemaViolations += 1;
        const failure = check.failure_info?.failure;
        problem(
          [
            `${failure?.operation ?? recorder.label}: ${check.name} ${check.status}: ${failure?.title ?? ''} ${failure?.message ?? ''}`.trim(),
            describe(recorder.interactions?.[id]),
          ].join('\n'),
        );
      }
    }
  }
  counts.operations = [...operations].sort();
  return counts;
}

/**
 * Fuzzes the API behind `baseUrl` from its `/openapi.json`: positive and
 * negative cases, the coverage phase's boundary values first, then up to
 * `maxExamples` generated cases per operation, with a fixed seed so a run can
 * be repeated. Resolves with what every request got, even when checks fail.
 */
export async function fuzzApi(baseUrl: string, options: FuzzOptions): Promise<FuzzCounts> {
  if (!existsSync(SCHEMATHESIS))
    throw new Error(
      `schemathesis is not installed in the Python venv (${SCHEMATHESIS}); \`npm test\` builds .cache/venv from infra/python/requirements.txt, or run .cache/venv/bin/pip install -r infra/python/requirements.txt`,
    );
  const dir = mkdtempSync(join(tmpdir(), 'api-fuzz-'));
  const config = join(dir, 'schemathesis.toml');
  writeFileSync(config, configToml(options));
  const args = [
    '--config-file',
    config,
    'run',
    `${baseUrl}/openapi.json`,
    '--checks',
    CHECKS.join(','),
    '--max-examples',
    String(options.maxExamples),
    '--seed',
    String(options.seed),
    '--request-timeout',
    '10',
    '--generation-database',
    'none',
    '--report',
    'ndjson',
    '--report-ndjson-path',
    join(dir, 'events.ndjson'),
    '--no-color',
  ];
  const started = performance.now();
  try {
    const output = await run(args, dir, options.timeoutMs);
    const events = join(dir, 'events.ndjson');
    if (!existsSync(events))
      throw new Error(`schemathesis wrote no report (exit ${output.code}):\n${output.tail}`);
    const counts = await countEvents(events);
    if (output.code !== 0 && counts.serverErrors + counts.schemaViolations + counts.problems.length === 0)
      counts.problems.push(`schemathesis exited ${output.code} with no failed check:\n${output.tail}`);
    return { ...counts, seconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The per-operation settings the CLI has no flag for. */
function configToml(options: FuzzOptions): string {
  return (options.allowedServerErrors ?? [])
    .map(({ path, statuses }) =>
      [
        '[[operations]]',
        `include-path = ${JSON.stringify(path)}`,
        `checks.not_a_server_error.expected-statuses = ${JSON.stringify(['2xx', '3xx', '4xx', ...statuses.map(String)])}`,
        '',
      ].join('\n'),
    )
    .join('\n');
}

/** Runs the CLI in `cwd`; rejects when it outlives `timeoutMs` (after stopping it). */
function run(args: string[], cwd: string, timeoutMs: number): Promise<{ code: number; tail: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(SCHEMATHESIS, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`schemathesis ran past ${timeoutMs} ms and was stopped:\n${output.slice(-2000)}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, tail: output.slice(-2000) });
    });
  });
}
