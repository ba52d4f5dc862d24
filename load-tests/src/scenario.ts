import type { ConfigOf, ConfigShape } from '@mlsys/config';
import type { MetricKind, MetricsSink, TimelineSnapshot } from './metrics.js';
import type { LoadOptions } from './options.js';
import type { Iterate } from './runner.js';

/** Which part of the stack a scenario loads; picks the default target and its environment variable. */
export type TargetKind = 'rec-api' | 'txn-api' | 'kafka';

export interface HttpRequestSpec {
  method: 'GET' | 'POST';
  /** Path and query, e.g. `/v1/recommendations/u42?count=20`. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** What the autocannon comparison needs from an HTTP workload: the same endpoint and request mix. */
export interface HonestyTarget {
  origin: string;
  connections: number;
  /** Requests drawn from the workload's own mix; `[<id>]` in a body becomes a unique id per request. */
  requests(count: number): HttpRequestSpec[];
}

/** A scenario's open clients and the functions that run one iteration each. */
export interface Workload {
  /** Keyed by the entry's `exec` name; `default` runs for entries without one. */
  exec: Record<string, Iterate>;
  /** Waits for effects that outlive the iterations (decisions still on their way) and records them. */
  drain?(): Promise<void>;
  honesty?: HonestyTarget;
  /**
   * Figures and notes that are not metrics (what was killed and when), merged into the result after
   * the drain; `timeline` is the run's per-second record (its `tally` counts included).
   */
  summary?(timeline: TimelineSnapshot): { metrics?: Record<string, unknown>; notes?: string[] };
  close(): Promise<void>;
}

export interface WorkloadContext<P> {
  /** Base URL, or comma-separated Kafka brokers. */
  target: string;
  params: P;
  /** Where the workload records its own metrics (declared in `metrics`). */
  metrics: MetricsSink;
  /** Unique per run; prefixes ids the workload generates so runs never collide. */
  runId: string;
  /** The runner's clock, ms since the run started (meaningful once it has). */
  now(): number;
  /** Wall-clock ms since the epoch at the run's start, i.e. at a `scheduledAt` of 0. */
  wallOrigin(): number;
  /** True for the unmeasured warm-up: no faults are injected and nothing is reconciled. */
  warmup?: boolean;
  /** Every part of the stack's address (the run's own `target` is one of them), for scenarios that touch two. */
  targets?: Partial<Record<TargetKind, string>>;
}

export interface ScenarioDefinition<S extends ConfigShape = ConfigShape> {
  kind: 'scenario';
  name: string;
  description: string;
  target: TargetKind;
  /** `--param name=value` settings the workload reads, with defaults. */
  params: S;
  options: LoadOptions;
  /** Metrics the workload records beyond the built-in ones. */
  metrics?: Record<string, MetricKind>;
  /** Opens clients and checks the target answers; throws a message saying what to start when it does not. */
  open(context: WorkloadContext<ConfigOf<S>>): Promise<Workload>;
}

/** Several scenarios run one after another, each short and slow (the smoke test). */
export interface SuiteDefinition {
  kind: 'suite';
  name: string;
  description: string;
  members: string[];
  ratePerSecond: number;
  duration: string;
}

export function defineScenario<S extends ConfigShape>(
  definition: Omit<ScenarioDefinition<S>, 'kind'>,
): ScenarioDefinition<S> {
  return { kind: 'scenario', ...definition };
}
