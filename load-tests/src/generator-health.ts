import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { GeneratorLimits } from './options.js';

/** The event-loop monitor's timer period; its readings include it, so it is subtracted. */
const RESOLUTION_MS = 10;

export interface GeneratorReadings {
  eventLoopP99Ms: number;
  eventLoopMaxMs: number;
  /** Process CPU (all threads) as a share of one core, over the whole run and its busiest second. */
  cpuShareMean: number;
  cpuShareMax: number;
}

/** Watches the load generator itself while a run goes, so a run can say when it measured itself. */
export class GeneratorMonitor {
  private readonly loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private startCpu = process.cpuUsage();
  private startWall = performance.now();
  private lastCpu = this.startCpu;
  private lastWall = this.startWall;
  private busiest = 0;

  start(): void {
    this.loop.reset();
    this.loop.enable();
    this.startCpu = this.lastCpu = process.cpuUsage();
    this.startWall = this.lastWall = performance.now();
    this.busiest = 0;
  }

  /** CPU share of one core since the previous sample; the progress line calls it once a second. */
  sample(): number {
    const cpu = process.cpuUsage(this.lastCpu);
    const wall = performance.now();
    const share = cpuShare(cpu, wall - this.lastWall);
    this.lastCpu = process.cpuUsage();
    this.lastWall = wall;
    this.busiest = Math.max(this.busiest, share);
    return share;
  }

  stop(): GeneratorReadings {
    this.loop.disable();
    const mean = cpuShare(process.cpuUsage(this.startCpu), performance.now() - this.startWall);
    const lag = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
    return {
      eventLoopP99Ms: lag(this.loop.percentile(99)),
      eventLoopMaxMs: lag(this.loop.max),
      cpuShareMean: mean,
      cpuShareMax: Math.max(this.busiest, mean),
    };
  }
}

function cpuShare(usage: NodeJS.CpuUsage, wallMs: number): number {
  return wallMs > 0 ? (usage.user + usage.system) / 1000 / wallMs : 0;
}

export interface ScheduleKeeping {
  offered: number;
  started: number;
  lateStarts: number;
  dropped: number;
  startDelayP99Ms: number | null;
}

export interface GeneratorVerdict {
  valid: boolean;
  /** Each reason says what went wrong and what to change. */
  reasons: string[];
}

const pct = (share: number) => `${(share * 100).toFixed(1)} %`;

/** Decides whether the generator, not the system under test, limited the run. */
export function judgeGenerator(
  readings: GeneratorReadings,
  schedule: ScheduleKeeping,
  limits: GeneratorLimits,
): GeneratorVerdict {
  const reasons: string[] = [];
  if (schedule.dropped > 0) {
    reasons.push(
      `${schedule.dropped} of ${schedule.offered} iterations (${pct(schedule.dropped / schedule.offered)}) were dropped ` +
        "because their entry's maxVUs were already in flight, so the slowest part of the run was never measured; " +
        'raise maxVUs or lower the rate',
    );
  }
  const lateShare = schedule.started > 0 ? schedule.lateStarts / schedule.started : 0;
  if (lateShare > limits.maxLateStartShare) {
    reasons.push(
      `${pct(lateShare)} of starts were more than ${limits.lateStartToleranceMs} ms late ` +
        `(p99 start delay ${schedule.startDelayP99Ms?.toFixed(1)} ms): the generator could not keep the schedule`,
    );
  }
  if (readings.eventLoopP99Ms > limits.maxEventLoopP99Ms) {
    reasons.push(
      `the generator's event loop was delayed ${readings.eventLoopP99Ms.toFixed(1)} ms at p99 ` +
        `(limit ${limits.maxEventLoopP99Ms} ms), which adds to every measured latency; lower the rate or give it a free core`,
    );
  }
  if (readings.cpuShareMean > limits.maxCpuShare) {
    reasons.push(
      `the generator used ${pct(readings.cpuShareMean)} of a core on average (limit ${pct(limits.maxCpuShare)}): ` +
        'it was saturated; lower the rate or give it a free core',
    );
  }
  return { valid: reasons.length === 0, reasons };
}
