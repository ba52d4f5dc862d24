import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Type from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DeadlineExceededError,
  JsonServiceClient,
  parseServerTiming,
  ServiceContractError,
  ServiceStatusError,
  ServiceUnreachableError,
} from '../src/index.js';

const Answer = Type.Object({ value: Type.Integer() });
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Polls until `done` holds; the test's timeout bounds it. */
async function waitUntil(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
}

let server: Server | undefined;
let client: JsonServiceClient | undefined;

async function serve(handler: Handler): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await client?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  client = undefined;
});

describe('JsonServiceClient', () => {
  it('when the service answers a valid body, then it is returned with its Server-Timing', async () => {
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.setHeader('server-timing', 'ann;dur=2.50, io;dur=0.25;desc="redis"');
        res.end(JSON.stringify({ value: JSON.parse(body).n * 2 }));
      });
    });
    client = new JsonServiceClient({ service: 'doubler', baseUrl: url });

    const answer = await client.post('/double', { n: 21 }, Answer, { deadlineMs: 2000 });

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ value: 42 });
    expect(answer.serverTiming).toEqual([
      { name: 'ann', ms: 2.5 },
      { name: 'io', ms: 0.25, description: 'redis' },
    ]);
  });

  it('when the service holds its answer past the deadline, then the call fails as late', async () => {
    const held: ServerResponse[] = [];
    const url = await serve((_req, res) => held.push(res));
    client = new JsonServiceClient({ service: 'sleepy', baseUrl: url });

    const call = client.get('/slow', Answer, { deadlineMs: 50 });

    await expect(call).rejects.toBeInstanceOf(DeadlineExceededError);
    await expect(call).rejects.toThrow('sleepy did not answer within 50 ms');
    for (const res of held) res.destroy();
  });

  it('when an answer comes after the deadline, then its connection is kept for the next call', async () => {
    const held: ServerResponse[] = [];
    const sockets = new Set<unknown>();
    const url = await serve((req, res) => {
      sockets.add(req.socket);
      if (req.url === '/slow') held.push(res);
      else res.end(JSON.stringify({ value: 1 }));
    });
    client = new JsonServiceClient({ service: 'sleepy', baseUrl: url, connections: 1 });

    await expect(client.get('/slow', Answer, { deadlineMs: 20 })).rejects.toBeInstanceOf(
      DeadlineExceededError,
    );
    expect(client.abandonedCalls).toBe(1);
    const next = client.get('/fast', Answer, { deadlineMs: 2000 });
    held[0]!.end(JSON.stringify({ value: 0 }));
    const answer = await next;

    expect(answer.body).toEqual({ value: 1 });
    expect(sockets.size).toBe(1);
    expect(client.abandonedCalls).toBe(0);
  });

  it('when a late answer never comes, then the call is aborted after the grace period', async () => {
    const closed: boolean[] = [];
    const url = await serve((_req, res) => res.on('close', () => closed.push(true)));
    client = new JsonServiceClient({ service: 'hung', baseUrl: url, lateAnswerGraceMs: 50 });

    await expect(client.get('/hang', Answer, { deadlineMs: 10 })).rejects.toBeInstanceOf(
      DeadlineExceededError,
    );
    await waitUntil(() => closed.length === 1 && client!.abandonedCalls === 0);

    expect(closed).toEqual([true]);
  });

  it('when the caller cancels before the answer, then the call fails as cancelled, not as late', async () => {
    const held: ServerResponse[] = [];
    const url = await serve((_req, res) => held.push(res));
    client = new JsonServiceClient({ service: 'sleepy', baseUrl: url });
    const caller = new AbortController();

    const call = client.get('/slow', Answer, { deadlineMs: 10_000, signal: caller.signal });
    caller.abort();

    await expect(call).rejects.toThrow('call to sleepy was cancelled');
    await expect(call).rejects.not.toBeInstanceOf(DeadlineExceededError);
    for (const res of held) res.destroy();
  });

  it('when the service answers 404 with an error body, then the status error carries status and code', async () => {
    const url = await serve((_req, res) => {
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { code: 'not_found', message: 'user 7 was not found' } }));
    });
    client = new JsonServiceClient({ service: 'store', baseUrl: url });

    const error = await client.get('/users/7', Answer, { deadlineMs: 2000 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ServiceStatusError);
    expect((error as ServiceStatusError).status).toBe(404);
    expect((error as ServiceStatusError).code).toBe('not_found');
    expect((error as Error).message).toBe('store answered 404 not_found: user 7 was not found');
  });

  it('when a 2xx body breaks the contract, then the call fails naming the field', async () => {
    const url = await serve((_req, res) => res.end(JSON.stringify({ value: 'many' })));
    client = new JsonServiceClient({ service: 'skewed', baseUrl: url });

    const call = client.get('/x', Answer, { deadlineMs: 2000 });

    await expect(call).rejects.toBeInstanceOf(ServiceContractError);
    await expect(call).rejects.toThrow(/value/);
  });

  it('when nothing listens on the port, then the call fails as unreachable', async () => {
    const url = await serve(() => {});
    server!.close();
    client = new JsonServiceClient({ service: 'gone', baseUrl: url });

    await expect(client.get('/x', Answer, { deadlineMs: 2000 })).rejects.toBeInstanceOf(
      ServiceUnreachableError,
    );
  });
});

describe('parseServerTiming', () => {
  it('when metrics lack a duration or are malformed, then they are kept at 0 ms or skipped', () => {
    expect(parseServerTiming('cache, db;dur=abc, ;dur=3, total;dur=12.5')).toEqual([
      { name: 'cache', ms: 0 },
      { name: 'db', ms: 0 },
      { name: 'total', ms: 12.5 },
    ]);
  });
});
