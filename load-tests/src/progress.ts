import { percentileMs } from './histogram.js';
import type { Recorder } from './metrics.js';

export interface ProgressSnapshot {
  name: string;
  elapsedS: number;
  totalS: number;
  /** Iterations completed in the last second. */
  ratePerS: number;
  inFlight: number;
  p95Ms: number | null;
  /** p50/p95/p99 of the iterations completed in the last second (null when none did). */
  lastSecond: { p50Ms: number; p95Ms: number; p99Ms: number } | null;
  errors: number;
  completed: number;
  dropped: number;
  cpuShare: number;
}

export function progressLine(s: ProgressSnapshot): string {
  const errorShare = s.completed > 0 ? ` (${((s.errors / s.completed) * 100).toFixed(2)} %)` : '';
  return [
    `[${s.name}]`,
    // Past the schedule's end the run waits for what is in flight (and, for streams, for the last decisions).
    s.elapsedS > s.totalS
      ? `${s.elapsedS.toFixed(0).padStart(4)}s draining`
      : `${s.elapsedS.toFixed(0).padStart(4)}s/${s.totalS.toFixed(0)}s`,
    `rate ${s.ratePerS.toFixed(0).padStart(5)}/s`,
    `in-flight ${String(s.inFlight).padStart(4)}`,
    `p95 ${s.p95Ms === null ? '-' : `${s.p95Ms.toFixed(1)} ms`}`,
    s.lastSecond === null
      ? 'last 1s -'
      : `last 1s p50/p95/p99 ${[s.lastSecond.p50Ms, s.lastSecond.p95Ms, s.lastSecond.p99Ms].map((v) => v.toFixed(1)).join('/')} ms`,
    `errors ${s.errors}${errorShare}`,
    ...(s.dropped > 0 ? [`dropped ${s.dropped}`] : []),
    `cpu ${(s.cpuShare * 100).toFixed(0)} %`,
  ].join('  ');
}

/**
 * Prints a progress line about once a second while a run goes (STYLE: long
 * work shows progress). Returns the function that stops it.
 */
export function startProgress(
  recorder: Recorder,
  sampleCpu: () => number,
  run: { name: string; totalS: number; elapsedS: () => number },
  print: (line: string) => void,
): () => void {
  let lastCompleted = 0;
  let lastAt = run.elapsedS();
  const timer = setInterval(() => {
    const elapsedS = run.elapsedS();
    const { completed, inFlight, errors, dropped } = recorder.live;
    const ratePerS = elapsedS > lastAt ? (completed - lastCompleted) / (elapsedS - lastAt) : 0;
    lastCompleted = completed;
    lastAt = elapsedS;
    const p95Ms = percentileMs(recorder.histogram('latency'), 95);
    const recent = recorder.takeRecentLatency();
    const lastSecond =
      recent === undefined || recent.totalCount === 0
        ? null
        : {
            p50Ms: percentileMs(recent, 50) ?? 0,
            p95Ms: percentileMs(recent, 95) ?? 0,
            p99Ms: percentileMs(recent, 99) ?? 0,
          };
    print(
      progressLine({
        name: run.name,
        elapsedS,
        totalS: run.totalS,
        ratePerS,
        inFlight,
        p95Ms,
        lastSecond,
        errors,
        completed,
        dropped,
        cpuShare: sampleCpu(),
      }),
    );
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}
