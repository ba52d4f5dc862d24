import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli-args.js';
import {
  entryPointOf,
  findServiceProcess,
  KillRefused,
  killService,
  type ProcessControl,
  pidFileOf,
  type StackLayout,
  systemProcessControl,
} from '../src/faults/kill-service.js';
import { Recorder } from '../src/metrics.js';
import { answerSource, classifyAnswer } from '../src/workloads/availability.js';
import { DecisionLedger, reconcile } from '../src/workloads/decision-ledger.js';

const DEADLINE = 50;

describe('availability counting', () => {
  it('when a 2xx comes from the pipeline within the deadline, then it is available', () => {
    expect(classifyAnswer({ status: 200, source: 'pipeline', latencyMs: 12 }, DEADLINE)).toEqual({
      class: 'pipeline',
      available: true,
    });
  });

  it('when a 2xx is a flagged rules-only decision within the deadline, then it is available and counted apart', () => {
    expect(classifyAnswer({ status: 200, source: 'rules-only', latencyMs: 48 }, DEADLINE)).toEqual({
      class: 'rules-only',
      available: true,
    });
  });

  it('when the answer is a 5xx, or no answer came, then it is unavailable', () => {
    expect(classifyAnswer({ status: 503, source: 'unknown', latencyMs: 3 }, DEADLINE)).toEqual({
      class: 'failed',
      available: false,
    });
    expect(classifyAnswer({ status: 0, source: 'unknown', latencyMs: 10_000 }, DEADLINE)).toEqual({
      class: 'failed',
      available: false,
    });
  });

  it('when a 2xx comes after the deadline, then it is unavailable (late)', () => {
    expect(classifyAnswer({ status: 200, source: 'pipeline', latencyMs: 51 }, DEADLINE)).toEqual({
      class: 'late',
      available: false,
    });
  });

  it('when the payment is held for review (neither pipeline nor rules answered), then it is unavailable', () => {
    expect(classifyAnswer({ status: 200, source: 'held-for-review', latencyMs: 20 }, DEADLINE)).toEqual({
      class: 'held-for-review',
      available: false,
    });
  });

  it("when txn-api's Server-Timing names the source, then that source is read, whatever the body's mode says", () => {
    const held = JSON.stringify({ mode: 'rules-only' });
    expect(answerSource('decision;dur=41.2;desc="held-for-review"', held)).toBe('held-for-review');
    expect(answerSource('decision;dur=3.1;desc="pipeline"', '{}')).toBe('pipeline');
    expect(answerSource('decision;dur=44;desc="rules-only"', undefined)).toBe('rules-only');
  });

  it('when there is no Server-Timing, then the body mode decides, and an unreadable body is unknown', () => {
    expect(answerSource(undefined, JSON.stringify({ mode: 'full' }))).toBe('pipeline');
    expect(answerSource(undefined, JSON.stringify({ mode: 'rules-only' }))).toBe('rules-only');
    expect(answerSource(undefined, 'not json')).toBe('unknown');
  });
});

describe('per-second buckets', () => {
  it('when answers are tallied at their scheduled second, then the timeline has one count series per class, 0 where none', () => {
    const recorder = new Recorder();
    recorder.tally('pipeline', 100);
    recorder.tally('pipeline', 999);
    recorder.tally('rules-only', 1500);
    recorder.tally('pipeline', 2100);
    recorder.tally('failed', 2200, 3);
    const { counts, seconds } = recorder.timelineSnapshot();
    expect(seconds).toEqual([0, 1, 2]);
    expect(counts).toEqual({ pipeline: [2, 0, 1], 'rules-only': [0, 1, 0], failed: [0, 0, 3] });
    expect(Object.keys(counts ?? {})).toEqual(['failed', 'pipeline', 'rules-only']);
  });

  it('when nothing is tallied, then the snapshot carries no counts', () => {
    const recorder = new Recorder();
    recorder.second(1200).offered += 1;
    expect(recorder.timelineSnapshot().counts).toBeUndefined();
  });
});

describe('lost and duplicated decisions', () => {
  it('when decisions are reconciled with the accepted ids, then missing ones are lost and extra ones duplicated', () => {
    const result = reconcile(['r-0', 'r-1', 'r-2', 'r-3'], ['r-0', 'r-1', 'r-1', 'r-1', 'r-3', 'r-9']);
    expect(result).toEqual({
      accepted: 4,
      decidedOnce: 3,
      lost: 1,
      duplicated: 2,
      duplicatedTransactions: 1,
      unacknowledged: 1,
      lostSample: ['r-2'],
    });
  });

  it('when a decision arrives before its acceptance, then it still counts, and the ledger settles once none is missing', async () => {
    const ledger = new DecisionLedger('run-');
    expect(ledger.receive('run-1')).toBe(true);
    expect(ledger.receive('other-1')).toBe(false);
    ledger.accept('run-1');
    ledger.accept('run-2');
    expect(ledger.outstanding()).toBe(1);
    const settled = ledger.settled();
    ledger.receive('run-2');
    ledger.receive('run-2');
    await settled;
    expect(ledger.result()).toMatchObject({ accepted: 2, lost: 0, duplicated: 1, unacknowledged: 0 });
  });
});

/** A checkout-shaped folder with a pid file for `service` holding `pid`. */
function layoutWithPid(service: string, pid: number | string): StackLayout {
  const root = mkdtempSync(join(tmpdir(), 'fraud-availability-'));
  const pidFile = pidFileOf({ root }, service);
  mkdirSync(join(pidFile, '..'), { recursive: true });
  writeFileSync(pidFile, String(pid));
  return { root };
}

function standInControl(commandLines: Record<number, string[]>): ProcessControl & { killed: number[] } {
  const killed: number[] = [];
  return {
    killed,
    commandLine: async (pid) => commandLines[pid],
    kill: (pid) => {
      killed.push(pid);
    },
  };
}

describe('the kill step', () => {
  it("when the pid's command line runs another program, then it refuses and signals nothing", async () => {
    const layout = layoutWithPid('fraud-scorer', 4242);
    const control = standInControl({ 4242: ['/usr/bin/python3', '-m', 'http.server'] });
    await expect(killService('fraud-scorer', layout, control)).rejects.toThrow(
      /refusing to kill pid 4242 .*does not run fraud-scorer's entry point/,
    );
    expect(control.killed).toEqual([]);
  });

  it("when the pid runs another service's entry point, then it refuses", async () => {
    const layout = layoutWithPid('fraud-scorer', 4242);
    const control = standInControl({ 4242: ['node', entryPointOf(layout, 'feature-engine')] });
    await expect(killService('fraud-scorer', layout, control)).rejects.toBeInstanceOf(KillRefused);
    expect(control.killed).toEqual([]);
  });

  it('when there is no pid file, the pid is stale or malformed, or the service is not killable, then it refuses', async () => {
    const empty = { root: mkdtempSync(join(tmpdir(), 'fraud-availability-')) };
    const control = standInControl({});
    await expect(findServiceProcess('fraud-scorer', empty, control)).rejects.toThrow(/no pid file/);
    await expect(
      findServiceProcess('feature-engine', layoutWithPid('feature-engine', 777), control),
    ).rejects.toThrow(/not running/);
    await expect(
      findServiceProcess('feature-engine', layoutWithPid('feature-engine', '1; rm -rf'), control),
    ).rejects.toThrow(/not a service pid/);
    await expect(findServiceProcess('txn-api', empty, control)).rejects.toThrow(
      /only fraud-scorer, feature-engine/,
    );
    expect(control.killed).toEqual([]);
  });

  it("when the pid runs the service's entry point, then exactly that pid gets SIGKILL", async () => {
    const layout = layoutWithPid('feature-engine', 5151);
    const signals: Array<[number, string]> = [];
    const control: ProcessControl = {
      commandLine: async (pid) =>
        pid === 5151
          ? ['/usr/bin/node', '--enable-source-maps', entryPointOf(layout, 'feature-engine')]
          : undefined,
      kill: (pid, signal) => {
        signals.push([pid, signal]);
      },
    };
    const killed = await killService('feature-engine', layout, control);
    expect(killed.pid).toBe(5151);
    expect(signals).toEqual([[5151, 'SIGKILL']]);
  });
});

describe('the kill step against real processes', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0))
      if (child.exitCode === null && child.signalCode === null) child.kill();
  });

  function spawnIdle(script: string): ChildProcess {
    mkdirSync(join(script, '..'), { recursive: true });
    writeFileSync(script, 'setInterval(() => {}, 60_000);\n');
    const child = spawn(process.execPath, ['--enable-source-maps', script], { stdio: 'ignore' });
    children.push(child);
    return child;
  }

  const exited = (child: ChildProcess) =>
    new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));

  it("when the pid file points at a live process that is not the service's, then it stays alive", async () => {
    const root = mkdtempSync(join(tmpdir(), 'fraud-availability-'));
    const stranger = spawnIdle(join(root, 'elsewhere', 'main.js'));
    const layout = layoutWithPid('fraud-scorer', stranger.pid as number);
    await expect(killService('fraud-scorer', layout, systemProcessControl)).rejects.toBeInstanceOf(
      KillRefused,
    );
    expect(stranger.exitCode).toBeNull();
    expect(stranger.signalCode).toBeNull();
  });

  it("when the pid file points at the service's entry point, then that process dies of SIGKILL", async () => {
    const root = mkdtempSync(join(tmpdir(), 'fraud-availability-'));
    const layout = { root };
    const service = spawnIdle(entryPointOf(layout, 'fraud-scorer'));
    const pidFile = pidFileOf(layout, 'fraud-scorer');
    mkdirSync(join(pidFile, '..'), { recursive: true });
    writeFileSync(pidFile, String(service.pid));
    const died = exited(service);
    const killed = await killService('fraud-scorer', layout, systemProcessControl);
    expect(killed.pid).toBe(service.pid);
    expect(await died).toBe('SIGKILL');
  });
});

describe('fault flags', () => {
  it('when --kill and --kill-at are given, then they become the scenario parameters kill and killAt (seconds)', () => {
    const args = parseCliArgs(['fraud-availability', '--kill', 'feature-engine', '--kill-at', '1m30s']);
    expect(args.params).toEqual({ kill: 'feature-engine', killAt: '90' });
  });
});
