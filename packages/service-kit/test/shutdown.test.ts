import { createLogger } from '@mlsys/telemetry';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installShutdown, type ProcessHost } from '../src/index.js';

const silent = createLogger({ service: 'test', level: 'silent' });

/** A process whose signals the test sends and whose exits and stderr it records. */
function fakeProcess() {
  const listeners = new Map<string, () => void>();
  const exits: number[] = [];
  const stderr: string[] = [];
  let exited!: (code: number) => void;
  const firstExit = new Promise<number>((resolve) => {
    exited = resolve;
  });
  const host: ProcessHost = {
    onSignal: (signal, listener) => void listeners.set(signal, listener),
    exit: (code) => {
      exits.push(code);
      exited(code);
    },
    printError: (line) => void stderr.push(line),
  };
  return { host, exits, stderr, firstExit, signal: (name: 'SIGTERM' | 'SIGINT') => listeners.get(name)!() };
}

function install(host: ProcessHost, deadlineMs = 1000) {
  return installShutdown({ service: 'svc', logger: silent, deadlineMs, host });
}

/** A promise the test settles by hand. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('installShutdown after start-up', () => {
  it('when SIGTERM arrives, then the steps run once, the last added first, and the process exits 0', async () => {
    const proc = fakeProcess();
    const shutdown = install(proc.host);
    const order: string[] = [];
    await shutdown.startUp(async () => {
      shutdown.onStop('redis', () => void order.push('redis'));
      shutdown.onStop('stream', async () => void order.push('stream'));
      shutdown.onStop('http', async () => void order.push('http'));
    });

    proc.signal('SIGTERM');

    expect(await proc.firstExit).toBe(0);
    expect(order).toEqual(['http', 'stream', 'redis']);
    expect(proc.stderr).toEqual([]);
  });

  it('when a second signal arrives while stopping, then it is ignored and every step runs once', async () => {
    const proc = fakeProcess();
    const shutdown = install(proc.host);
    const slow = gate();
    const runs: string[] = [];
    await shutdown.startUp(async () => {
      shutdown.onStop('redis', () => void runs.push('redis'));
      shutdown.onStop('http', async () => {
        runs.push('http');
        await slow.promise;
      });
    });

    proc.signal('SIGTERM');
    proc.signal('SIGINT');
    proc.signal('SIGTERM');
    slow.open();

    expect(await proc.firstExit).toBe(0);
    expect(runs).toEqual(['http', 'redis']);
    expect(proc.exits).toEqual([0]);
  });

  it('when a step fails, then the later steps still run and the process exits 1', async () => {
    const proc = fakeProcess();
    const shutdown = install(proc.host);
    const order: string[] = [];
    await shutdown.startUp(async () => {
      shutdown.onStop('redis', () => void order.push('redis'));
      shutdown.onStop('stream', () => Promise.reject(new Error('broker gone')));
    });

    proc.signal('SIGINT');

    expect(await proc.firstExit).toBe(1);
    expect(order).toEqual(['redis']);
  });

  it('when a step hangs past the deadline, then the process exits 1 without waiting for it', async () => {
    vi.useFakeTimers();
    const proc = fakeProcess();
    const shutdown = install(proc.host, 5000);
    await shutdown.startUp(async () => {
      shutdown.onStop('stuck client', () => new Promise(() => {}));
    });

    proc.signal('SIGTERM');
    await vi.advanceTimersByTimeAsync(5000);

    expect(proc.exits).toEqual([1]);
  });

  it('when a background failure is reported, then the steps run and the process exits 1 although they were clean', async () => {
    const proc = fakeProcess();
    const shutdown = install(proc.host);
    const order: string[] = [];
    await shutdown.startUp(async () => {
      shutdown.onStop('http', () => void order.push('http'));
    });

    shutdown.fail('the stream stopped', new Error('fenced'));
    proc.signal('SIGTERM');

    expect(await proc.firstExit).toBe(1);
    expect(order).toEqual(['http']);
    expect(proc.exits).toEqual([1]);
  });
});

describe('installShutdown during start-up', () => {
  it('when start-up throws, then what was opened closes, one line names the cause, and nothing after start-up runs', async () => {
    const proc = fakeProcess();
    const shutdown = install(proc.host);
    const closed: string[] = [];
    let afterStartUp = false;

    void shutdown
      .startUp(async () => {
        shutdown.onStop('redis', () => void closed.push('redis'));
        throw new Error('ranker.onnx (ranker) is missing');
      })
      .then(() => {
        afterStartUp = true;
      });

    expect(await proc.firstExit).toBe(1);
    expect(closed).toEqual(['redis']);
    expect(proc.stderr).toEqual(['svc cannot start: ranker.onnx (ranker) is missing']);
    expect(afterStartUp).toBe(false);
  });

  it('when a signal arrives before listen, then what was opened closes and the process exits 1', async () => {
    const proc = fakeProcess();
    const shutdown = install(proc.host);
    const connecting = gate();
    const closed: string[] = [];
    let afterStartUp = false;
    void shutdown
      .startUp(async () => {
        shutdown.onStop('redis', () => {
          closed.push('redis');
          // Closing the client ends its pending connect, as ioredis's quit does.
          connecting.fail(new Error('Connection is closed'));
        });
        await connecting.promise;
      })
      .then(() => {
        afterStartUp = true;
      });

    proc.signal('SIGTERM');

    expect(await proc.firstExit).toBe(1);
    expect(closed).toEqual(['redis']);
    expect(proc.stderr).toEqual(['svc cannot start: SIGTERM arrived during start-up']);
    expect(afterStartUp).toBe(false);
    expect(proc.exits).toEqual([1]);
  });

  it('when start-up opens something after the signal, then that is closed too, before what was opened earlier', async () => {
    const proc = fakeProcess();
    const shutdown = install(proc.host);
    const connected = gate();
    const producerAdded = gate();
    const closed: string[] = [];
    void shutdown.startUp(async () => {
      shutdown.onStop('redis', async () => {
        closed.push('redis');
        connected.open();
        await producerAdded.promise;
      });
      await connected.promise;
      shutdown.onStop('producer', () => void closed.push('producer'));
      producerAdded.open();
    });

    proc.signal('SIGINT');

    expect(await proc.firstExit).toBe(1);
    expect(closed).toEqual(['redis', 'producer']);
  });

  it('when a background failure is reported before listen, then start-up is abandoned with exit 1', async () => {
    const proc = fakeProcess();
    const shutdown = install(proc.host);
    const listening = gate();
    const closed: string[] = [];
    void shutdown.startUp(async () => {
      shutdown.onStop('checkpoint worker', () => void closed.push('checkpoint worker'));
      await listening.promise;
    });

    shutdown.fail('checkpoints stopped', new Error('worker exited with code 1'));

    expect(await proc.firstExit).toBe(1);
    expect(closed).toEqual(['checkpoint worker']);
    expect(proc.stderr).toEqual(['svc cannot start: checkpoints stopped: worker exited with code 1']);
  });
});
