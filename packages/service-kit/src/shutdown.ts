import type { Logger } from '@mlsys/telemetry';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void> | void;
}

/** What `installShutdown` needs of the process; tests pass a fake one. */
export interface ProcessHost {
  onSignal(signal: 'SIGTERM' | 'SIGINT', listener: () => void): void;
  exit(code: number): void;
  /** Where the one "cannot start" line goes: stderr, as `loadConfigOrExit` prints a bad environment. */
  printError(line: string): void;
}

const nodeProcess: ProcessHost = {
  // `on`, not `once`: a repeated signal reaches the guard below and is ignored instead of killing the process.
  onSignal: (signal, listener) => process.on(signal, listener),
  exit: (code) => process.exit(code),
  printError: (line) => console.error(line),
};

export interface ShutdownOptions {
  /** Names the process in the "cannot start" line. */
  service: string;
  logger: Logger;
  /** The whole shutdown's budget (`SHUTDOWN_DEADLINE_MS`); past it the process exits 1. */
  deadlineMs: number;
  host?: ProcessHost;
}

export interface Shutdown {
  /**
   * Adds a step. Steps run in the reverse order they were added, like a
   * stack of `finally` blocks: add each right after opening what it closes,
   * and the last thing opened, the HTTP listener that takes the work, is
   * the first to stop. A step added while stopping (start-up still opening
   * things after a signal) runs too.
   */
  onStop(name: string, run: () => Promise<void> | void): void;
  /**
   * Runs the start-up (open clients, load models, `listen`). When it throws,
   * or a signal or `fail` comes before it finishes, the steps added so far
   * run, one "<service> cannot start: <why>" line goes to stderr and the
   * process exits 1; the returned promise then never settles, so nothing
   * after it runs in a half-started process.
   */
  startUp(open: () => Promise<void>): Promise<void>;
  /**
   * A background failure the service cannot recover from (a stream's
   * `onFatal`, a worker thread's exit): logged, then the steps run and the
   * process exits 1, so that a supervisor restarts it.
   */
  fail(reason: string, error?: Error): void;
}

/**
 * The one lifecycle of a service process: SIGTERM/SIGINT handlers installed
 * once, the shutdown steps run once (a repeated signal is ignored) under a
 * deadline, so that a stuck client cannot keep the process alive, then exit
 * 0 when every step finished in time and 1 otherwise.
 */
export function installShutdown({
  service,
  logger,
  deadlineMs,
  host = nodeProcess,
}: ShutdownOptions): Shutdown {
  const steps: ShutdownStep[] = [];
  let phase: 'starting' | 'running' | 'stopping' = 'starting';

  const stop = (exitCode: number) => {
    phase = 'stopping';
    void shutdownInOrder(() => steps.pop(), deadlineMs, logger).then((clean) =>
      host.exit(clean ? exitCode : 1),
    );
  };
  const abortStartUp = (why: string, fields: Record<string, unknown>) => {
    host.printError(`${service} cannot start: ${why}`);
    logger.error(fields, 'start-up aborted; closing what was opened');
    stop(1);
  };

  const onSignal = (signal: 'SIGTERM' | 'SIGINT') => {
    if (phase === 'stopping') logger.info({ signal }, 'already shutting down; signal ignored');
    else if (phase === 'starting') abortStartUp(`${signal} arrived during start-up`, { signal });
    else {
      logger.info({ signal }, 'shutting down');
      stop(0);
    }
  };
  host.onSignal('SIGTERM', () => onSignal('SIGTERM'));
  host.onSignal('SIGINT', () => onSignal('SIGINT'));

  return {
    onStop: (name, run) => {
      steps.push({ name, run });
    },
    startUp: async (open) => {
      try {
        await open();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (phase !== 'stopping') abortStartUp(message, { err: error });
        // Once stopping, a start-up that fails is usually one whose clients the steps just closed.
        else logger.info({ err: message }, 'start-up ended by the shutdown');
        return new Promise<never>(() => {});
      }
      if (phase === 'stopping') return new Promise<never>(() => {});
      phase = 'running';
    },
    fail: (reason, error) => {
      const why = error ? `${reason}: ${error.message}` : reason;
      if (phase === 'stopping') logger.error({ err: error?.message }, `${reason} (already shutting down)`);
      else if (phase === 'starting') abortStartUp(why, { err: error?.message, reason });
      else {
        logger.error(
          { err: error?.message },
          `${reason}; shutting down, exit 1 for a supervisor to restart the service`,
        );
        stop(1);
      }
    },
  };
}

/**
 * Runs the steps `next` hands out, one at a time, until it has none left or
 * the deadline passes. Resolves to true when every step finished in time.
 */
async function shutdownInOrder(
  next: () => ShutdownStep | undefined,
  deadlineMs: number,
  logger: Logger,
): Promise<boolean> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), deadlineMs);
  });
  const sequence = (async () => {
    let clean = true;
    for (let step = next(); step; step = next()) {
      try {
        await step.run();
        logger.info({ step: step.name, ms: Date.now() - started }, 'shutdown step done');
      } catch (error) {
        clean = false;
        logger.error({ step: step.name, err: error }, 'shutdown step failed');
      }
    }
    return clean;
  })();
  const outcome = await Promise.race([sequence, deadline]);
  clearTimeout(timer);
  if (outcome === 'deadline') {
    logger.error({ deadlineMs }, 'shutdown did not finish before its deadline');
    return false;
  }
  return outcome;
}

/**
 * A SIGTERM/SIGINT handler running `steps` in the order given, once, then
 * exit 0, or exit 1 when a step failed or the deadline passed. Only the
 * fraud-sync bench's floor server (bench/src/fraud-sync/floor/main.ts) still
 * uses it; services use `installShutdown`, which also guards the start-up.
 */
export function onTerminationSignal(
  steps: ShutdownStep[],
  deadlineMs: number,
  logger: Logger,
): (signal: string) => void {
  let started = false;
  return (signal) => {
    if (started) return;
    started = true;
    logger.info({ signal }, 'shutting down');
    const queue = [...steps];
    void shutdownInOrder(() => queue.shift(), deadlineMs, logger).then((clean) => {
      if (clean) process.exitCode = 0;
      else process.exit(1);
    });
  };
}
