import Fastify, { type FastifyInstance } from 'fastify';

export interface FakeServer {
  origin: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** A fastify app on 127.0.0.1 at a free port; `routes` adds what the test needs. */
export async function startFakeServer(routes: (app: FastifyInstance) => void): Promise<FakeServer> {
  const app = Fastify({ logger: false, keepAliveTimeout: 60_000 });
  app.get('/readyz', async () => ({ ready: true }));
  routes(app);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { origin: address, app, close: () => app.close() };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
