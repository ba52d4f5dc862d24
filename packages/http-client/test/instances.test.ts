import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Type from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DeadlineExceededError,
  JsonServiceClient,
  ServiceStatusError,
  ServiceUnreachableError,
} from '../src/index.js';

const Answer = Type.Object({ from: Type.String() });
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const servers: Server[] = [];
let client: JsonServiceClient | undefined;

/** An instance that says who it is, unless `handler` answers otherwise. */
async function instance(name: string, handler?: Handler): Promise<{ url: string; server: Server }> {
  const server = createServer(handler ?? ((_req, res) => res.end(JSON.stringify({ from: name }))));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A URL nothing listens on: an instance that was killed. */
async function deadInstance(): Promise<string> {
  const { url, server } = await instance('dead');
  await new Promise((resolve) => server.close(resolve));
  return url;
}

const from = async (call: Promise<{ body: { from: string } }>) => (await call).body.from;

afterEach(async () => {
  await client?.close();
  client = undefined;
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('JsonServiceClient over several instances', () => {
  it('when two instances are up, then calls alternate between them', async () => {
    const a = await instance('a');
    const b = await instance('b');
    client = new JsonServiceClient({ service: 'ranker', baseUrl: [a.url, b.url] });

    const answered = [];
    for (let i = 0; i < 4; i++) answered.push(await from(client.get('/x', Answer, { deadlineMs: 2000 })));

    expect(answered).toEqual(['a', 'b', 'a', 'b']);
  });

  it('when the base URL is one comma-separated string, then it names the same instances as an array', async () => {
    const a = await instance('a');
    const b = await instance('b');
    client = new JsonServiceClient({ service: 'ranker', baseUrl: `${a.url}, ${b.url}` });

    expect(client.instances).toEqual([
      { url: a.url, up: true },
      { url: b.url, up: true },
    ]);
  });

  it('when one instance refuses connections, then every call is answered by the other and the dead one is passed over', async () => {
    const dead = await deadInstance();
    const b = await instance('b');
    client = new JsonServiceClient({ service: 'rules', baseUrl: [dead, b.url], instanceCooldownMs: 60_000 });

    const answered = [];
    for (let i = 0; i < 4; i++) answered.push(await from(client.get('/x', Answer, { deadlineMs: 2000 })));

    expect(answered).toEqual(['b', 'b', 'b', 'b']);
    expect(client.instances).toEqual([
      { url: dead, up: false },
      { url: b.url, up: true },
    ]);
  });

  it('when an instance answers 503 (stopping or not ready), then the call is answered by the other', async () => {
    const stopping = await instance('stopping', (_req, res) => {
      res.statusCode = 503;
      res.end(JSON.stringify({ error: { code: 'closing', message: 'the server is shutting down' } }));
    });
    const b = await instance('b');
    client = new JsonServiceClient({ service: 'rules', baseUrl: [stopping.url, b.url] });

    expect(await from(client.get('/x', Answer, { deadlineMs: 2000 }))).toBe('b');
    expect(client.instances[0]!.up).toBe(false);
  });

  it('when a passed-over instance is back after its cooldown, then calls reach it again', async () => {
    const a = await instance('a');
    const port = new URL(a.url).port;
    await new Promise((resolve) => a.server.close(resolve));
    const b = await instance('b');
    client = new JsonServiceClient({ service: 'ranker', baseUrl: [a.url, b.url], instanceCooldownMs: 20 });
    expect(await from(client.get('/x', Answer, { deadlineMs: 2000 }))).toBe('b');
    expect(client.instances[0]!.up).toBe(false);

    // The restarted instance, on its port again.
    const back = createServer((_req, res) => res.end(JSON.stringify({ from: 'a again' })));
    servers.push(back);
    await new Promise<void>((resolve) => back.listen(Number(port), '127.0.0.1', resolve));
    const answered = new Set<string>();
    while (!answered.has('a again')) answered.add(await from(client.get('/x', Answer, { deadlineMs: 2000 })));

    expect(client.instances).toEqual([
      { url: a.url, up: true },
      { url: b.url, up: true },
    ]);
  });

  it('when a failed instance is back but not ready yet, then calls stay with the other until its /readyz answers 200', async () => {
    let ready = false;
    let calls = 0;
    const restarted = await instance('restarted', (req, res) => {
      if (req.url === '/readyz') {
        res.statusCode = ready ? 200 : 503;
        res.end();
        return;
      }
      calls++;
      res.end(JSON.stringify({ from: 'restarted' }));
    });
    const b = await instance('b');
    client = new JsonServiceClient({
      service: 'ranker',
      baseUrl: [restarted.url, b.url],
      instanceCooldownMs: 10,
    });
    // It fails one call (as a process killed mid-call would), then listens again, not ready.
    const failing = restarted.server.listeners('request')[0] as Handler;
    restarted.server.removeAllListeners('request');
    restarted.server.once('request', (_req: IncomingMessage, res: ServerResponse) => {
      res.statusCode = 503;
      res.end();
      restarted.server.on('request', failing);
    });
    expect(await from(client.get('/x', Answer, { deadlineMs: 2000 }))).toBe('b');

    const answered = new Set<string>();
    while (answered.size < 20)
      answered.add(`${await from(client.get('/x', Answer, { deadlineMs: 2000 }))}-${answered.size}`);
    expect(calls).toBe(0);
    expect(client.instances[0]!.up).toBe(false);

    ready = true;
    const after = new Set<string>();
    while (!after.has('restarted')) after.add(await from(client.get('/x', Answer, { deadlineMs: 2000 })));
    expect(client.instances[0]!.up).toBe(true);
  });

  it('when every instance refuses, then the call fails as unreachable', async () => {
    client = new JsonServiceClient({
      service: 'gone',
      baseUrl: [await deadInstance(), await deadInstance()],
    });

    await expect(client.get('/x', Answer, { deadlineMs: 2000 })).rejects.toBeInstanceOf(
      ServiceUnreachableError,
    );
  });

  it('when an instance is late, then the call fails at its deadline without a second try (no doubled load)', async () => {
    const held: ServerResponse[] = [];
    const slow = await instance('slow', (_req, res) => held.push(res));
    const b = await instance('b');
    client = new JsonServiceClient({ service: 'candidate-gen', baseUrl: [slow.url, b.url] });

    const error = await client.get('/x', Answer, { deadlineMs: 30 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as Error).message).toBe('candidate-gen did not answer within 30 ms');
    expect(client.instances.map((i) => i.up)).toEqual([true, true]);
    for (const res of held) res.destroy();
  });

  it('when an instance answers an error other than 503, then it is the answer: not retried elsewhere', async () => {
    const failing = await instance('failing', (_req, res) => {
      res.statusCode = 500;
      res.end(JSON.stringify({ error: { code: 'internal', message: 'boom' } }));
    });
    const b = await instance('b');
    client = new JsonServiceClient({ service: 'ranker', baseUrl: [failing.url, b.url] });

    const error = await client.get('/x', Answer, { deadlineMs: 2000 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ServiceStatusError);
    expect((error as ServiceStatusError).status).toBe(500);
  });
});
