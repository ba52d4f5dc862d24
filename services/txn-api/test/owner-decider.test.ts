import { APPENDED_UNDECIDED } from '@mlsys/contracts';
import { createServiceApp, HttpError, type ServiceApp, unavailable } from '@mlsys/service-kit';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpOwnerDecider } from '../src/adapters/owner-decider.js';
import { OwnerCallError } from '../src/domain/ports.js';
import { validTransaction } from './fakes.js';

/** A stand-in owner whose `POST /v1/decide` fails the way `answer` says. */
async function ownerAnswering(
  answer: (reply: { code(n: number): { send(body: unknown): unknown } }) => unknown,
) {
  const app = createServiceApp({
    name: 'owner-stand-in',
    version: 'test',
    logger: createLogger({ service: 'owner-stand-in', level: 'silent' }),
    metrics: createMetrics('owner-stand-in', { defaultMetrics: false }),
    readiness: { checks: {} },
  });
  app.post('/v1/decide', async (_request, reply) => answer(reply));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { app, url: `http://127.0.0.1:${address.port}` };
}

let owner: { app: ServiceApp; url: string } | undefined;
const decider = new HttpOwnerDecider();
afterEach(async () => {
  await owner?.app.close();
  owner = undefined;
});

async function missOf(): Promise<string> {
  const error = await decider.decide(owner!.url, validTransaction(), 1000).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OwnerCallError);
  return (error as OwnerCallError).miss;
}

describe('HttpOwnerDecider: what an owner that did not decide means for the payment', () => {
  it('when the owner answers its own 503 appended_undecided, then the miss is not-ready (the payment is in the log: no copy)', async () => {
    owner = await ownerAnswering(() => {
      throw new HttpError(
        503,
        APPENDED_UNDECIDED,
        'not decided within the caller budget; the stream logs it',
      );
    });
    expect(await missOf()).toBe('not-ready');
  });

  it('when the owner answers a 503 of its shutdown (fastify refusing requests while it closes), then the miss is unreachable, so txn-api publishes the payment', async () => {
    // The body fastify's return503OnClosing sends, before any route runs: nothing was appended.
    owner = await ownerAnswering((reply) =>
      reply.code(503).send({ error: 'Service Unavailable', message: 'Service Unavailable', statusCode: 503 }),
    );
    expect(await missOf()).toBe('unreachable');
  });

  it('when the owner answers another 503 with a code, then the miss is unreachable too', async () => {
    owner = await ownerAnswering(() => {
      throw unavailable('this instance does not decide on the request path');
    });
    expect(await missOf()).toBe('unreachable');
  });

  it('when the owner answers 421, then the miss is moved', async () => {
    owner = await ownerAnswering(() => {
      throw new HttpError(421, 'not_partition_owner', 'partition 3 is not owned here');
    });
    expect(await missOf()).toBe('moved');
  });
});
