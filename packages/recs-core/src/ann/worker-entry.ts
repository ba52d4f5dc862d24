/**
 * Starting a file of this folder in a worker thread or a child process. The
 * built `.js` runs under plain node; when this package runs from source
 * (tests, the benchmark, `tsx`), the `.ts` runs and tsx's loader is
 * registered first, since neither a worker nor a child inherits it reliably.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';

const fromSource = import.meta.url.endsWith('.ts');

function entry(name: string): URL {
  return new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, import.meta.url);
}

/** A worker thread running `./<name>` with `workerData`. */
export function startWorker(name: string, workerData: unknown): Worker {
  const file = entry(name);
  if (!fromSource) return new Worker(file, { workerData });
  const bootstrap = `import('tsx/esm/api')
    .then(({ register }) => { register(); return import(${JSON.stringify(file.href)}); })
    .catch((error) => { console.error(error); process.exit(1); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * A child process running `./<name>` with `args`, talking over an IPC
 * channel with V8's serializer ('advanced'), so typed arrays cross as bytes
 * rather than as JSON arrays of numbers.
 */
export function startChild(name: string, args: string[]): ChildProcess {
  return fork(entry(name), args, {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: fromSource ? ['--import', 'tsx'] : [],
  });
}
