// `npm run bench -- ha-memory [--data default] [--settle-seconds 90] [--start-timeout-minutes 40] [--out FILE]`
//
// The memory the whole `ha` stack takes on this machine (issue 11: under 8 GiB). Starts it as a
// user does (`npm start -- --profile ha`: three Kafka nodes, a Redis pair, three Sentinels, HAProxy,
// two instances of every service, one of the feature engine and the console, and the supervisor),
// waits until the start-up table is printed, then samples every process of the stack every 2 s
// until their summed RSS has moved less than 2 % over the last 10 s (or --settle-seconds pass),
// records that sample, and stops the stack with Ctrl-C as a user would.
//
// The processes are those of the process groups named by `.cache/ha/pids/*.pid` (each server and
// instance runs in a group of its own) and the runner's group. RSS counts pages shared between
// processes (the node binary, the JVM's libraries) once per process, so its sum is an upper bound;
// PSS (/proc/<pid>/smaps_rollup) splits each shared page between its users, so its sum is what the
// stack takes from the machine. The SLO is on the RSS sum, the stricter of the two.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { buildResult, type RunResult, writeResult } from '@mlsys/results';
import { repoRoot, resultsDir } from '../paths.js';

const GOAL_GIB = 8;
const SAMPLE_MS = 2000;
/** Settled: the last this-many samples' sums lie within STABLE_SHARE of each other. */
const STABLE_SAMPLES = 5;
const STABLE_SHARE = 0.02;
const UP_LINE = 'The ha stack is up';
const STOP_TIMEOUT_MS = 180_000;
const MIB = 2 ** 20;
const GIB = 2 ** 30;

interface ProcessMemory {
  /** The group's name: a server or instance (`kafka-1`, `rec-api-2`), or `supervisor`. */
  group: string;
  pid: number;
  rssBytes: number;
  pssBytes: number | null;
}

interface Sample {
  atS: number;
  processes: ProcessMemory[];
  rssBytes: number;
}

export async function run(args: string[]): Promise<RunResult> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string', default: 'default' },
      'settle-seconds': { type: 'string', default: '90' },
      'start-timeout-minutes': { type: 'string', default: '40' },
      out: { type: 'string', default: join(resultsDir, 'ha-memory.json') },
    },
  });
  const settleMs = Number(values['settle-seconds']) * 1000;
  const startTimeoutMs = Number(values['start-timeout-minutes']) * 60_000;
  const startedAt = new Date();
  console.log(
    `ha-memory bench: npm start -- --profile ha --data ${values.data}, then the RSS and PSS of every process once they settle (up to ${values['settle-seconds']} s)`,
  );

  const runner = spawn(
    process.execPath,
    ['scripts/bootstrap.mjs', 'start', '--profile', 'ha', '--data', values.data!],
    { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let sample: Sample;
  const spawnedAt = Date.now();
  try {
    await stackUp(runner, startTimeoutMs);
    const upMs = Date.now() - spawnedAt;
    console.log(
      `  the stack was up after ${(upMs / 1000).toFixed(0)} s; sampling memory every ${SAMPLE_MS / 1000} s`,
    );
    sample = await settled(runner.pid!, settleMs);
  } finally {
    await stop(runner);
  }
  return report(sample, { data: values.data!, settleMs, out: values.out! }, startedAt);
}

/** Resolves when the runner prints its start-up table; rejects when it exits first or takes too long. */
function stackUp(runner: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    const timer = setTimeout(
      () => reject(new Error(`the ha stack was not up within ${timeoutMs / 60_000} min`)),
      timeoutMs,
    );
    const read = (stream: NodeJS.ReadableStream) =>
      createInterface({ input: stream }).on('line', (line) => {
        console.log(`  | ${line}`);
        lines.push(line);
        if (line.includes(UP_LINE)) {
          clearTimeout(timer);
          resolve();
        }
      });
    read(runner.stdout!);
    read(runner.stderr!);
    runner.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`npm start -- --profile ha exited (${signal ?? `code ${code}`}) before the stack was up`),
      );
    });
  });
}

/** Samples until the sum has settled, or `maxMs` has passed: the last sample either way. */
async function settled(runnerPid: number, maxMs: number): Promise<Sample> {
  const t0 = Date.now();
  const sums: number[] = [];
  for (;;) {
    const current = { atS: (Date.now() - t0) / 1000, ...measure(runnerPid) };
    sums.push(current.rssBytes);
    console.log(
      `  ${current.atS.toFixed(0).padStart(4)} s  ${current.processes.length} processes, RSS ${(current.rssBytes / GIB).toFixed(2)} GiB`,
    );
    const recent = sums.slice(-STABLE_SAMPLES);
    const stable =
      recent.length === STABLE_SAMPLES &&
      (Math.max(...recent) - Math.min(...recent)) / Math.max(...recent) < STABLE_SHARE;
    if (stable || Date.now() - t0 >= maxMs) return current;
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
  }
}

/** Every process of the stack's groups, with its memory. */
function measure(runnerPid: number): Omit<Sample, 'atS'> {
  const groups = new Map<number, string>([[runnerPid, 'supervisor']]);
  const pidsDir = join(repoRoot, '.cache', 'ha', 'pids');
  if (existsSync(pidsDir)) {
    for (const file of readdirSync(pidsDir).filter((f) => f.endsWith('.pid'))) {
      const pid = Number.parseInt(readFileSync(join(pidsDir, file), 'utf8'), 10);
      if (Number.isFinite(pid)) groups.set(pid, file.replace(/\.pid$/, ''));
    }
  }
  const processes: ProcessMemory[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 5 of /proc/<pid>/stat is the process group; the command name before it may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      const group = groups.get(pgrp);
      if (group === undefined) continue;
      const rssKb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1] ?? 0);
      processes.push({ group, pid: Number(entry), rssBytes: rssKb * 1024, pssBytes: pss(entry) });
    } catch {
      // The process exited between the listing and the read.
    }
  }
  return { processes, rssBytes: processes.reduce((sum, p) => sum + p.rssBytes, 0) };
}

function pss(pid: string): number | null {
  try {
    const kb = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}

/** Ctrl-C to the runner, as a user stops the stack; a runner that hangs is killed with its group. */
async function stop(runner: ChildProcess): Promise<void> {
  if (runner.exitCode !== null || runner.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => runner.once('exit', () => resolve()));
  process.kill(-runner.pid!, 'SIGINT');
  const timer = setTimeout(() => {
    console.error(
      '  the runner did not stop within 3 min: killing it (then: npm run infra -- down --profile ha)',
    );
    process.kill(-runner.pid!, 'SIGKILL');
  }, STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Which part of the stack a group is: a server, the supervisor, or an instance of a service. */
function kind(group: string): 'servers' | 'supervisor' | 'services' {
  if (group === 'supervisor') return 'supervisor';
  return /^(kafka-\d|redis|redis-replica|redis-sentinel-\d|haproxy)$/.test(group) ? 'servers' : 'services';
}

function report(
  sample: Sample,
  settings: { data: string; settleMs: number; out: string },
  startedAt: Date,
): RunResult {
  const byGroup = new Map<string, { rss: number; pss: number; processes: number }>();
  for (const p of sample.processes) {
    const entry = byGroup.get(p.group) ?? { rss: 0, pss: 0, processes: 0 };
    entry.rss += p.rssBytes;
    entry.pss += p.pssBytes ?? p.rssBytes;
    entry.processes += 1;
    byGroup.set(p.group, entry);
  }
  const sumOf = (which: string) =>
    [...byGroup].filter(([group]) => kind(group) === which).reduce((sum, [, v]) => sum + v.rss, 0);
  const round = (value: number, digits = 2) => Number(value.toFixed(digits));
  const pssMissing = sample.processes.filter((p) => p.pssBytes === null).length;
  const result = buildResult({
    name: 'ha-memory',
    startedAt,
    params: {
      command: `npm start -- --profile ha --data ${settings.data}`,
      data: settings.data,
      settle: `every ${SAMPLE_MS / 1000} s until the RSS sum moved < ${STABLE_SHARE * 100} % over ${STABLE_SAMPLES} samples, at most ${settings.settleMs / 1000} s`,
    },
    metrics: {
      rss_gib: round(sample.rssBytes / GIB),
      pss_gib: round(sample.processes.reduce((sum, p) => sum + (p.pssBytes ?? p.rssBytes), 0) / GIB),
      servers_rss_gib: round(sumOf('servers') / GIB),
      services_rss_gib: round(sumOf('services') / GIB),
      supervisor_rss_gib: round(sumOf('supervisor') / GIB),
      process_groups: byGroup.size,
      processes: sample.processes.length,
      sampled_after_s: round(sample.atS, 0),
      by_group: [...byGroup]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([group, v]) => ({
          group,
          kind: kind(group),
          processes: v.processes,
          rss_mib: round(v.rss / MIB, 0),
          pss_mib: round(v.pss / MIB, 0),
        })),
    },
    slo: [{ metric: 'rss_gib', op: '<', target: GOAL_GIB }],
    notes: [
      'RSS sums count each shared page once per process (an upper bound); PSS splits shared pages between their users (what the stack takes from the machine).',
      'Idle after start-up: no traffic. Under load the JVMs and the services grow (Kafka page cache is the kernel’s, not in these figures).',
      ...(pssMissing > 0
        ? [`${pssMissing} processes had no readable smaps_rollup: their RSS stands in for their PSS`]
        : []),
    ],
  });
  writeResult(settings.out, result);
  return result;
}
