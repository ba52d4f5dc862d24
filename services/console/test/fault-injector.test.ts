import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FAULTS,
  type FaultStep,
  KILL_KAFKA_LEADER,
  KILL_REDIS_PRIMARY,
  KILLABLE_SERVICES,
  type ProcessControl,
  RESTART_SERVERS,
  THROTTLABLE_SERVICES,
  throttleService,
} from '@mlsys/load-tests/faults';
import { waitUntil } from '@mlsys/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultInjector } from '../src/adapters/fault-injector.js';
import type { TrafficSettings } from '../src/adapters/traffic-runner.js';

const root = mkdtempSync(join(tmpdir(), 'console-faults-'));

function injector(stack = { root }, control?: ProcessControl) {
  const commands: string[][] = [];
  const changes: Array<Partial<TrafficSettings>> = [];
  const faults = new FaultInjector({
    stack,
    ...(control ? { control } : {}),
    redisCommand: async (...command) => {
      commands.push(command);
      return 'OK';
    },
    traffic: { update: (change: Partial<TrafficSettings>) => changes.push(change) } as never,
  });
  return { faults, commands, changes };
}

/** An injector whose ha faults are the given stand-in steps. */
const haInjector = (haStep: (id: string) => FaultStep) =>
  new FaultInjector({
    stack: { root },
    redisCommand: async () => 'OK',
    traffic: { update: () => {} } as never,
    haStep,
  });

describe('faults from the shared list', () => {
  it("when the list is read, then it holds the load runner's kills and the console's own, each described", () => {
    const ids = FAULTS.map((f) => f.id);
    for (const service of KILLABLE_SERVICES) expect(ids).toContain(`kill-${service}`);
    for (const service of THROTTLABLE_SERVICES) expect(ids).toContain(`throttle-${service}`);
    expect(ids).toEqual(expect.arrayContaining(['pause-redis', 'stop-chargebacks', 'inject-drift']));
    expect(FAULTS.every((f) => f.description.length > 40)).toBe(true);
  });

  it('when Redis is paused for 3 s, then one CLIENT PAUSE of 3000 ms goes to the stack Redis', async () => {
    const { faults, commands } = injector();
    const outcome = await faults.inject({ fault: 'pause-redis', seconds: 3 });
    expect(commands).toEqual([['CLIENT', 'PAUSE', '3000', 'ALL']]);
    expect(outcome.message).toBe('Redis paused for 3 s');
  });

  it('when drift is injected for 1 s, then amounts are tripled, then set back', async () => {
    const { faults, changes } = injector();
    await faults.inject({ fault: 'inject-drift', seconds: 1 });
    expect(changes).toEqual([{ amountFactor: 3 }]);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(changes).toEqual([{ amountFactor: 3 }, { amountFactor: 1 }]);
    faults.stop();
  });

  it('when a kill finds no stack started from the checkout, then it is refused with the reason (409), nothing signalled', async () => {
    const { faults } = injector();
    await expect(faults.inject({ fault: 'kill-fraud-scorer' })).rejects.toMatchObject({
      statusCode: 409,
      message: expect.stringMatching(/no pid file .*npm start/),
    });
    rmSync(root, { recursive: true, force: true });
  });

  it('when an ha fault is asked of a stack without the ha profile, then it is refused with the reason (409)', async () => {
    const { faults } = injector({ root: mkdtempSync(join(tmpdir(), 'console-no-ha-')) });
    await expect(faults.inject({ fault: KILL_REDIS_PRIMARY })).rejects.toMatchObject({
      statusCode: 409,
      message: expect.stringMatching(/no ha stack in this checkout .*--profile ha/),
    });
  });

  it("when an ha fault's checks pass, then it is injected through the drill's own step and its target is reported", async () => {
    const calls: string[] = [];
    const faults = haInjector((id) => ({
      id,
      check: async () => {
        calls.push(`check ${id}`);
      },
      inject: async () => {
        calls.push(`inject ${id}`);
        return {
          target: 'kafka-2, leading 41 of 120 partitions',
          recovery: async () => ({ recovered: true, state: '' }),
        };
      },
    }));
    const outcome = await faults.inject({ fault: KILL_KAFKA_LEADER });
    expect(calls).toEqual([`check ${KILL_KAFKA_LEADER}`, `inject ${KILL_KAFKA_LEADER}`]);
    expect(outcome.message).toMatch(/^kafka-2, leading 41 of 120 partitions/);
  });

  it('when the servers are restarted from the page, then the drill\'s "already down" check is not asked: bringing them back is the point', async () => {
    const calls: string[] = [];
    const faults = haInjector((id) => ({
      id,
      check: async () => {
        throw new Error('ha servers already down before the drill: kafka-1');
      },
      inject: async () => {
        calls.push(`inject ${id}`);
        return { target: 'started kafka-1, redis', recovery: async () => ({ recovered: true, state: '' }) };
      },
    }));
    const outcome = await faults.inject({ fault: RESTART_SERVERS });
    expect(calls).toEqual([`inject ${RESTART_SERVERS}`]);
    expect(outcome.message).toMatch(/^started kafka-1, redis/);
  });

  it('when the fault is not on the list, then 400 names it', async () => {
    const { faults } = injector();
    await expect(faults.inject({ fault: 'unplug-the-machine' })).rejects.toMatchObject({ statusCode: 400 });
  });
});

/** A checkout with the ranker's entry point and pid file, as npm start leaves them. */
function rankerStack(pid: number) {
  const stackRoot = mkdtempSync(join(tmpdir(), 'console-throttle-'));
  const entry = join(stackRoot, 'services', 'ranker', 'dist', 'main.js');
  mkdirSync(join(stackRoot, 'services', 'ranker', 'dist'), { recursive: true });
  mkdirSync(join(stackRoot, '.cache', 'stack', 'pids'), { recursive: true });
  writeFileSync(entry, 'setInterval(() => {}, 1000);\n');
  writeFileSync(join(stackRoot, '.cache', 'stack', 'pids', 'ranker.pid'), `${pid}\n`);
  return { root: stackRoot, entry };
}

/** Signals recorded instead of sent; the command line is the ranker's until `replaced` is set. */
function standInControl(entry: string) {
  const signals: string[] = [];
  const state = { replaced: false };
  const control: ProcessControl = {
    commandLine: async () => (state.replaced ? ['python3', 'other.py'] : ['node', entry]),
    kill: (_pid, signal) => {
      signals.push(signal);
    },
  };
  return { control, signals, state };
}

const count = (signals: string[], signal: string) => signals.filter((s) => s === signal).length;

describe('the throttle: latency at one stage', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const step of cleanup.splice(0)) step();
  });

  it('when its time is up, then the process was frozen and thawed in turns and is left thawed', async () => {
    const stack = rankerStack(4242);
    cleanup.push(() => rmSync(stack.root, { recursive: true, force: true }));
    const { control, signals } = standInControl(stack.entry);
    const throttle = await throttleService('ranker', stack, control, {
      freezeMs: 20,
      periodMs: 40,
      durationMs: 200,
    });
    const { freezes, ended } = await throttle.done;

    expect(ended).toBe('its time was up');
    expect(freezes).toBeGreaterThan(0);
    expect(count(signals, 'SIGSTOP')).toBe(freezes);
    expect(count(signals, 'SIGCONT')).toBe(freezes);
    expect(signals.at(-1)).toBe('SIGCONT');
  });

  it('when the pid stops running the ranker, then no further freeze is sent', async () => {
    const stack = rankerStack(4242);
    cleanup.push(() => rmSync(stack.root, { recursive: true, force: true }));
    const { control, signals, state } = standInControl(stack.entry);
    const throttle = await throttleService('ranker', stack, control, {
      freezeMs: 5,
      periodMs: 10,
      durationMs: 60_000,
    });
    await waitUntil(() => signals.length >= 2, { timeoutMs: 5000, what: 'a first freeze' });
    state.replaced = true;
    const { ended } = await throttle.done;

    expect(ended).toBe('pid 4242 no longer runs ranker');
    expect(count(signals, 'SIGSTOP')).toBe(count(signals, 'SIGCONT'));
  });

  it('when the ranker is slowed down twice at once, or with no stack, then 409 with the reason', async () => {
    const stack = rankerStack(4242);
    cleanup.push(() => rmSync(stack.root, { recursive: true, force: true }));
    const { control, signals } = standInControl(stack.entry);
    const { faults } = injector(stack, control);
    const first = await faults.inject({ fault: 'throttle-ranker', seconds: 60 });
    await expect(faults.inject({ fault: 'throttle-ranker', seconds: 5 })).rejects.toMatchObject({
      statusCode: 409,
    });
    await faults.stop();

    expect(first.message).toMatch(/^ranker \(pid 4242\) frozen 50 ms of every 100 ms for 60 s$/);
    expect(signals.at(-1)).toBe('SIGCONT');
    const empty = mkdtempSync(join(tmpdir(), 'console-throttle-'));
    cleanup.push(() => rmSync(empty, { recursive: true, force: true }));
    await expect(
      injector({ root: empty }, control).faults.inject({ fault: 'throttle-ranker' }),
    ).rejects.toMatchObject({
      statusCode: 409,
      message: expect.stringMatching(/refusing to throttle ranker: no pid file/),
    });
  });

  it('when a real process is slowed down and the console stops, then it was stopped by the kernel and runs again', async () => {
    // A process whose command line runs the stand-in checkout's ranker entry point, signalled for real.
    const stack = rankerStack(0);
    const child: ChildProcess = spawn(process.execPath, [stack.entry], { stdio: 'ignore' });
    cleanup.push(() => {
      child.kill('SIGKILL');
      rmSync(stack.root, { recursive: true, force: true });
    });
    writeFileSync(join(stack.root, '.cache', 'stack', 'pids', 'ranker.pid'), `${child.pid}\n`);
    // The kernel's view of the process: field 3 of /proc/<pid>/stat, `T` while stopped by a signal.
    const state = () => readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.[0];
    const { faults } = injector(stack);
    await faults.inject({ fault: 'throttle-ranker', seconds: 60 });
    await waitUntil(() => state() === 'T', {
      timeoutMs: 10_000,
      intervalMs: 5,
      what: 'the ranker to be stopped',
    });
    await faults.stop();

    expect(state()).not.toBe('T');
  });
});
