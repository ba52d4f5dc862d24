/**
 * Where a shard lives while it serves: in the caller's thread, in a worker
 * thread, or in a child process. hnswlib-node searches synchronously, so
 * shards in one thread are searched one after another; a worker thread or a
 * child process holds its own copy of the graph and searches on its own
 * core, so S shards answer in parallel for the price of a message each way.
 */
import type { ChildProcess } from 'node:child_process';
import type { Worker } from 'node:worker_threads';
import type { ScoredIds } from '../exact-search.js';
import { SongIndex } from './song-index.js';
import { startChild, startWorker } from './worker-entry.js';

export const SHARD_HOSTINGS = ['in-process', 'worker-threads', 'child-processes'] as const;
export type ShardHosting = (typeof SHARD_HOSTINGS)[number];

/** One shard's answer and the time its own search took (without the trip). */
export interface ShardAnswer extends ScoredIds {
  ms: number;
}

export interface ShardHost {
  readonly count: number;
  /** Resident bytes the shard added where it was loaded (its own process's, for a child). */
  readonly loadedBytes: number;
  /** Top `k` of this shard at beam `ef` (hnswlib uses max(ef, k)); `exclude` holds global ids. */
  search(query: Float32Array, k: number, ef: number, exclude: Int32Array): Promise<ShardAnswer>;
  close(): Promise<void>;
}

/** @internal */
export interface HostStart {
  path: string;
  dim: number;
  ef: number;
}
/** @internal */
export interface HostRequest {
  seq: number;
  query: Float32Array;
  k: number;
  ef: number;
  exclude: Int32Array;
}
/** @internal */
export type HostReply =
  | { type: 'ready'; count: number; rssBytes: number }
  | { type: 'answer'; seq: number; ids: Int32Array; scores: Float32Array; ms: number }
  | { type: 'error'; seq: number; message: string };

/**
 * Loads one shard where `hosting` says. `onLost` hears of a thread or
 * process that dies after it loaded, other than by `close()`: its searches
 * fail from then on, which a service should treat as fatal.
 */
export async function openShardHost(
  hosting: ShardHosting,
  start: HostStart,
  onLost?: (why: string) => void,
): Promise<ShardHost> {
  if (hosting === 'in-process') return InProcessHost.load(start);
  const channel: Channel =
    hosting === 'worker-threads'
      ? workerChannel(startWorker('shard-host-worker', start))
      : childChannel(startChild('shard-host-worker', [start.path, String(start.dim), String(start.ef)]));
  return RemoteHost.open(channel, start.path, onLost);
}

class InProcessHost implements ShardHost {
  private constructor(
    private readonly index: SongIndex,
    readonly loadedBytes: number,
  ) {}

  static load(start: HostStart): InProcessHost {
    const before = process.memoryUsage().rss;
    const index = SongIndex.load(start.path, start.dim, start.ef);
    return new InProcessHost(index, process.memoryUsage().rss - before);
  }

  get count(): number {
    return this.index.count;
  }

  async search(query: Float32Array, k: number, ef: number, exclude: Int32Array): Promise<ShardAnswer> {
    const started = performance.now();
    if (this.index.efSearch !== ef) this.index.setEfSearch(ef);
    const hits = this.index.search(query, k, exclude.length > 0 ? new Set(exclude) : undefined);
    return { ...hits, ms: performance.now() - started };
  }

  async close(): Promise<void> {}
}

/** The part of a Worker and a ChildProcess the remote host uses. */
interface Channel {
  send(request: HostRequest): void;
  onReply(listener: (reply: HostReply) => void): void;
  onExit(listener: (why: string) => void): void;
  close(): Promise<void>;
}

function workerChannel(worker: Worker): Channel {
  return {
    send: (request) => worker.postMessage(request),
    onReply: (listener) => worker.on('message', listener),
    onExit: (listener) => {
      worker.once('error', (error) => listener(error.message));
      worker.once('exit', (code) => listener(`exited with ${code}`));
    },
    close: async () => {
      await worker.terminate();
    },
  };
}

function childChannel(child: ChildProcess): Channel {
  return {
    // A send that fails means the child is gone; its 'exit' fails the search, not an 'error' event.
    send: (request) => child.connected && child.send(request, () => {}),
    onReply: (listener) => child.on('message', (reply) => listener(reply as HostReply)),
    onExit: (listener) => {
      child.once('error', (error) => listener(error.message));
      child.once('exit', (code, signal) => listener(`exited with ${signal ?? code}`));
    },
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.disconnect();
      await exited;
    },
  };
}

class RemoteHost implements ShardHost {
  private readonly pending = new Map<number, { resolve(a: ShardAnswer): void; reject(e: Error): void }>();
  private seq = 0;
  private gone: string | undefined;
  private closing = false;

  private constructor(
    private readonly channel: Channel,
    private readonly path: string,
    readonly count: number,
    readonly loadedBytes: number,
    onLost: ((why: string) => void) | undefined,
  ) {
    channel.onReply((reply) => {
      if (reply.type === 'ready') return;
      const waiter = this.pending.get(reply.seq);
      this.pending.delete(reply.seq);
      if (reply.type === 'answer') waiter?.resolve(reply);
      else waiter?.reject(new Error(`shard ${path}: ${reply.message}`));
    });
    channel.onExit((why) => {
      if (this.gone) return;
      this.gone = why;
      if (!this.closing) onLost?.(`shard ${path} ${why}`);
      for (const waiter of this.pending.values()) waiter.reject(new Error(`shard ${path} ${why}`));
      this.pending.clear();
    });
  }

  /** Resolves once the shard is loaded; rejects when its host dies first (e.g. a bad file). */
  static open(channel: Channel, path: string, onLost?: (why: string) => void): Promise<RemoteHost> {
    return new Promise((resolve, reject) => {
      let settled = false;
      channel.onReply((reply) => {
        if (reply.type !== 'ready' || settled) return;
        settled = true;
        resolve(new RemoteHost(channel, path, reply.count, reply.rssBytes, onLost));
      });
      channel.onExit((why) => {
        if (settled) return;
        settled = true;
        reject(new Error(`the host of shard ${path} ${why} before it had loaded the shard`));
      });
    });
  }

  search(query: Float32Array, k: number, ef: number, exclude: Int32Array): Promise<ShardAnswer> {
    if (this.gone) return Promise.reject(new Error(`shard ${this.path} ${this.gone}`));
    const seq = this.seq++;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.channel.send({ seq, query, k, ef, exclude });
    });
  }

  close(): Promise<void> {
    this.closing = true;
    return this.channel.close();
  }
}
