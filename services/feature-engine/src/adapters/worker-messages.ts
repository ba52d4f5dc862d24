import type { CommittedBatch } from '../domain/ports.js';

/** What the checkpoint worker starts with (structured-cloned: plain data only). */
export interface WorkerSettings {
  redisUrl: string;
  namespace: string;
  intervalMs: number;
  terminals: Array<[string, { x: number; y: number }]>;
}

export type ToReplica =
  | { type: 'apply'; batch: CommittedBatch }
  | { type: 'restore'; request: number }
  | { type: 'close'; request: number };

export type ToStream =
  | { type: 'done'; request: number }
  | { type: 'failed'; request: number; message: string }
  | { type: 'checkpointed'; entities: number; ms: number }
  | { type: 'checkpoint-failed'; message: string };
