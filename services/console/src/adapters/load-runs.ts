import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { ConsoleLoadRequest } from '@mlsys/contracts';
import { HttpError } from '@mlsys/service-kit';
import {
  type LoadOutcome,
  type LoadSample,
  loadOutcome,
  parseProgressLine,
} from '../domain/load-progress.js';

/**
 * Load runs started from the console, one at a time. Each is the load
 * runner's own command line (`npm run load -- <scenario> --rate N --duration S
 * --out DIR`, `load-tests/src/cli.ts`) in a process of its own, so
 * the report is the one a user gets from the terminal, the generator's CPU
 * and event-loop readings (which decide whether a run is valid) are not the
 * console's, and a run can be stopped without touching the console.
 */

/** One run as the launcher starts it. */
export interface LoadLaunch extends ConsoleLoadRequest {
  /** Where the runner writes `<scenario>.json` and `<scenario>.html`. */
  outDir: string;
}

export interface LoadProcess {
  /** Resolves with the runner's exit status (null when a signal ended it). */
  exited: Promise<number | null>;
  stop(): void;
}

/** Starts the runner and hands every line it prints (stdout and stderr) to `onLine`. */
export type LaunchLoad = (launch: LoadLaunch, onLine: (line: string) => void) => LoadProcess;

/** The runner's exit statuses (load-tests/src/commands.ts `EXIT`), as the page names them. */
const EXIT_STATES: Record<number, LoadState> = { 0: 'passed', 1: 'failed', 2: 'could-not-run', 3: 'invalid' };

export type LoadState = 'running' | 'passed' | 'failed' | 'could-not-run' | 'invalid' | 'stopped';

export interface LoadRunStatus extends ConsoleLoadRequest {
  id: string;
  startedAt: string;
  state: LoadState;
  /** What the runner is doing: `warming up` (not measured), `running`, `draining`, `done`. */
  phase: 'starting' | 'warming up' | 'running' | 'draining' | 'done';
  /** One per progress line (about one a second), oldest first. */
  samples: LoadSample[];
  /** The result file's per-second figures and verdicts, once the runner has written it. */
  outcome?: LoadOutcome;
  /** Links to the run's reports, served by the console (`GET /reports/<file>`). */
  report?: { html: string; json: string };
  /** The runner's last lines other than progress: its result table, or why it could not run. */
  tail: string[];
}

const MAX_SAMPLES = 1200;
const MAX_TAIL = 24;
const REPORT_FILE = /^[a-z0-9][a-z0-9-]*\.(html|json)$/;

export class LoadRuns {
  private run: LoadRunStatus | undefined;
  private outDir: string | undefined;
  private process: LoadProcess | undefined;

  constructor(
    private readonly deps: {
      launch: LaunchLoad;
      /** Each run gets a folder of its own under this one. */
      reportsDir: string;
      now?: () => Date;
    },
  ) {}

  /** Starts a run; 409 while one goes. */
  start(request: ConsoleLoadRequest): LoadRunStatus {
    if (this.run?.state === 'running')
      throw new HttpError(
        409,
        'busy',
        `a load run (${this.run.scenario} at ${this.run.rate}/s) is going; wait for it to finish (GET /api/load shows its progress)`,
      );
    const startedAt = (this.deps.now ?? (() => new Date()))();
    const id = startedAt.toISOString().replace(/[:.]/g, '-');
    const run: LoadRunStatus = {
      ...request,
      id,
      startedAt: startedAt.toISOString(),
      state: 'running',
      phase: 'starting',
      samples: [],
      tail: [],
    };
    const outDir = join(resolve(this.deps.reportsDir), id);
    this.run = run;
    this.outDir = outDir;
    try {
      this.process = this.deps.launch({ ...request, outDir }, (line) => this.onLine(run, line));
    } catch (error) {
      this.keep(run, (error as Error).message);
      this.finish(run, outDir, 2);
      return run;
    }
    void this.process.exited.then((status) => this.finish(run, outDir, status));
    return run;
  }

  /** The current or last run, or null before the first. */
  status(): { run: LoadRunStatus | null } {
    return { run: this.run ?? null };
  }

  /** The path of a report of the last run, or undefined: only plain file names in that run's folder. */
  reportFile(name: string): string | undefined {
    if (!this.outDir || !REPORT_FILE.test(name)) return undefined;
    const path = resolve(this.outDir, name);
    if (dirname(path) !== this.outDir || !existsSync(path)) return undefined;
    return path;
  }

  /** Stops a run that goes and waits for the runner to exit (the page's stop button, shutdown). */
  async stop(): Promise<void> {
    if (this.run?.state !== 'running' || !this.process) return;
    this.process.stop();
    await this.process.exited;
  }

  private onLine(run: LoadRunStatus, line: string): void {
    const sample = parseProgressLine(line, run.durationSeconds);
    if (sample) {
      run.phase = sample.draining ? 'draining' : 'running';
      run.samples.push(sample);
      if (run.samples.length > MAX_SAMPLES) run.samples.shift();
      return;
    }
    if (/warming up/.test(line) && run.phase === 'starting') run.phase = 'warming up';
    if (line.trim() !== '') this.keep(run, line);
  }

  private keep(run: LoadRunStatus, line: string): void {
    run.tail.push(line);
    if (run.tail.length > MAX_TAIL) run.tail.shift();
  }

  private finish(run: LoadRunStatus, outDir: string, status: number | null): void {
    run.phase = 'done';
    run.state = status === null ? 'stopped' : (EXIT_STATES[status] ?? 'could-not-run');
    const json = join(outDir, `${run.scenario}.json`);
    if (!existsSync(json)) return;
    try {
      run.outcome = loadOutcome(JSON.parse(readFileSync(json, 'utf8')));
    } catch (error) {
      this.keep(run, `the result file ${json} could not be read: ${(error as Error).message}`);
    }
    if (existsSync(join(outDir, `${run.scenario}.html`)))
      run.report = { html: `/reports/${run.scenario}.html`, json: `/reports/${run.scenario}.json` };
  }
}

/**
 * node's arguments that run the load runner from this checkout's sources, as `npm run load`
 * does: tsx as a loader inside the one process (not the tsx CLI, whose extra process would
 * have to relay the stop signal), so that nothing needs building first.
 */
export const loadRunnerArgs = (root: string): string[] => [
  '--conditions=@mlsys/source',
  '--import',
  'tsx',
  join(root, 'load-tests', 'src', 'cli.ts'),
];

/**
 * The real runner, in a process of its own. The stack's addresses come from the console's own
 * configuration; nothing else of its environment (the token) is passed on.
 */
export function childProcessLauncher(options: {
  /** The checkout's root: the runner's working folder, where `tsx` resolves. */
  root: string;
  /** node's arguments up to the scenario's: `loadRunnerArgs(root)`, or a stand-in's entry point. */
  runner: string[];
  /** The stack's addresses and the PATH, from the console's own configuration. */
  env: { PATH: string; REC_API_URL: string; TXN_API_URL: string; KAFKA_BROKERS: string };
}): LaunchLoad {
  const entry = options.runner.at(-1) ?? '';
  return (launch, onLine) => {
    if (!existsSync(entry))
      throw new Error(`the load runner's entry point ${entry} is missing from this checkout`);
    const child = spawn(
      process.execPath,
      [
        ...options.runner,
        launch.scenario,
        '--rate',
        String(launch.rate),
        '--duration',
        `${launch.durationSeconds}s`,
        '--out',
        launch.outDir,
      ],
      {
        cwd: options.root,
        env: { NODE_ENV: 'production', ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', onLine);
    const exited = new Promise<number | null>((done) => {
      child.on('error', (error) => {
        onLine(`the load runner did not start: ${error.message}`);
        done(2);
      });
      child.on('close', (code) => done(code));
    });
    return { exited, stop: () => child.kill('SIGTERM') };
  };
}
