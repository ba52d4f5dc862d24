// The fraud stream bench's command line, read into one Settings object.
import { parseArgs } from 'node:util';
import { fraudArtifactsDir } from '../stack/infra.js';
import type { NodeLaunch } from '../stack/services.js';

/** The simulation profile payments come from. */
export const DATA_PROFILE = 'default';

/**
 * `passthrough`: plain consume-and-produce, at-least-once, bytes copied;
 * `eos-passthrough`: the same hops through the pipeline's exactly-once stream
 * (one Kafka transaction per batch) with nothing computed, which isolates what
 * exactly-once delivery costs from what features and scoring cost.
 */
export type Mode = 'pipeline' | 'passthrough' | 'eos-passthrough';
export const MODES: readonly Mode[] = ['pipeline', 'passthrough', 'eos-passthrough'];

export interface Settings {
  rates: number[];
  seconds: number;
  warmupSeconds: number;
  drainSeconds: number;
  checkpointMs: number;
  artifactsDir: string;
  brokers: string[];
  redisUrl: string;
  modes: Mode[];
  /** Also compare the state designs (per-transaction Redis Lua, in-memory with checkpoints). */
  designs: boolean;
  /** How the stage processes are launched (profiling, node flags). */
  launch: NodeLaunch;
}

export function parseSettings(args: string[]): Settings {
  const { values } = parseArgs({
    args,
    options: {
      rates: { type: 'string', default: '2500,5000,10000' },
      seconds: { type: 'string', default: '60' },
      'warmup-seconds': { type: 'string', default: '5' },
      'drain-seconds': { type: 'string', default: '120' },
      'checkpoint-ms': { type: 'string', default: '30000' },
      artifacts: { type: 'string' },
      kafka: { type: 'string', default: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092' },
      redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
      modes: { type: 'string', default: 'pipeline,passthrough' },
      'no-designs': { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      'stage-node-args': { type: 'string', default: '' },
    },
  });
  const positive = (name: string, text: string) => {
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0)
      throw new Error(`--${name} must be a positive number, got ${text}`);
    return value;
  };
  const artifactsDir = fraudArtifactsDir(values.artifacts);
  return {
    rates: values.rates.split(',').map((r) => positive('rates', r)),
    seconds: positive('seconds', values.seconds),
    warmupSeconds: Number(values['warmup-seconds']),
    drainSeconds: positive('drain-seconds', values['drain-seconds']),
    checkpointMs: Number(values['checkpoint-ms']),
    artifactsDir,
    brokers: values.kafka.split(','),
    redisUrl: values.redis,
    modes: values.modes.split(',').map((mode) => {
      if (!MODES.includes(mode as Mode)) throw new Error(`--modes takes ${MODES.join(', ')}, got ${mode}`);
      return mode as Mode;
    }),
    designs: !values['no-designs'],
    launch: {
      ...(values['cpu-prof'] ? { cpuProfileDir: values['cpu-prof'] } : {}),
      stageNodeArgs: values['stage-node-args'].split(' ').filter((arg) => arg !== ''),
    },
  };
}
