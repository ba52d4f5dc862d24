import type { Logger } from '@mlsys/telemetry';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

/**
 * Runs the shutdown steps in order (stop taking work, finish in-flight work,
 * commit offsets, close clients) and gives up when the deadline passes, so a
 * stuck client cannot keep a process alive forever. Resolves to true when
 * every step finished in time.
 */
export async function shutdownInOrder(
  steps: ShutdownStep[],
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
    for (const step of steps) {
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
 * The handler a process entry point installs for SIGTERM and SIGINT: runs
 * the steps once (a second signal while stopping is ignored, not fatal), then
 * lets the process exit 0, or exits 1 at once when a step failed or the
 * deadline passed, since something is then stuck.
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
    void shutdownInOrder(steps, deadlineMs, logger).then((clean) => {
      if (clean) process.exitCode = 0;
      else process.exit(1);
    });
  };
}
