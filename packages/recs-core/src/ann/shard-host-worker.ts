// One shard in its own thread or process: loads the shard's file and answers
// searches until its parent goes away. Runs as a worker thread (workerData)
// or as a child process (argv: path dim ef), answering over whichever
// channel it was started with.
import { parentPort, workerData } from 'node:worker_threads';
import type { HostReply, HostRequest, HostStart } from './shard-host.js';
import { SongIndex } from './song-index.js';

const start: HostStart = parentPort
  ? (workerData as HostStart)
  : { path: process.argv[2]!, dim: Number(process.argv[3]), ef: Number(process.argv[4]) };
// A reply can race the parent closing the channel (a search in flight at shutdown); the callback
// keeps that from becoming an unhandled 'error' on a process that is about to exit anyway.
const send = (reply: HostReply) =>
  parentPort ? parentPort.postMessage(reply) : process.connected && process.send!(reply, () => {});

const rssBefore = process.memoryUsage().rss;
const index = SongIndex.load(start.path, start.dim, start.ef);
send({ type: 'ready', count: index.count, rssBytes: process.memoryUsage().rss - rssBefore });

function answer(request: HostRequest): void {
  try {
    const started = performance.now();
    if (index.efSearch !== request.ef) index.setEfSearch(request.ef);
    const exclude = request.exclude.length > 0 ? new Set(request.exclude) : undefined;
    const { ids, scores } = index.search(request.query, request.k, exclude);
    send({ type: 'answer', seq: request.seq, ids, scores, ms: performance.now() - started });
  } catch (error) {
    send({ type: 'error', seq: request.seq, message: (error as Error).message });
  }
}

if (parentPort) parentPort.on('message', answer);
else {
  process.on('message', (request) => answer(request as HostRequest));
  // The parent's end of the channel closing is this process's signal to go.
  process.on('disconnect', () => process.exit(0));
}
