import type { ConfigOf } from '@mlsys/config';
import { checkReady, HttpClient } from '../http/client.js';
import { param } from '../params.js';
import type { Workload, WorkloadContext } from '../scenario.js';
import { transactionMix, transactionParams } from './transactions.js';

export const fraudHttpParams = {
  ...transactionParams,
  path: param.string({
    description: 'route of the synchronous scoring call (answers once the decision exists)',
    default: '/v1/transactions?wait=true',
  }),
  expectStatus: param.int({
    description:
      'the status of a decided answer; 202 (accepted, not yet decided) then counts as an error, not a fast decision',
    default: 200,
    min: 100,
    max: 599,
  }),
  connections: param.int({ description: 'keep-alive connections to the API', default: 64, min: 1 }),
  timeoutMs: param.int({ description: 'per-request timeout', default: 10_000, min: 1 }),
};

type Params = ConfigOf<typeof fraudHttpParams>;

const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * `POST /v1/transactions?wait=true`: one valid transaction per iteration,
 * its event time the iteration's scheduled start, answered once decided.
 */
export async function openFraudHttp(context: WorkloadContext<Params>): Promise<Workload> {
  const { params, target, runId } = context;
  await checkReady(target, 'txn-api');
  const client = new HttpClient(target, { connections: params.connections, timeoutMs: params.timeoutMs });
  const nextTransaction = transactionMix(params, runId);
  let seq = 0;
  return {
    exec: {
      default: async (iteration) => {
        const transaction = nextTransaction(seq++, iteration.scheduledWallTime);
        const body = JSON.stringify(transaction);
        const outcome = await client.send(
          { method: 'POST', path: params.path, headers: JSON_HEADERS, body },
          iteration.now,
          params.expectStatus,
        );
        return { ...outcome, tags: { channel: transaction.channel } };
      },
    },
    honesty: {
      origin: target,
      connections: params.connections,
      // autocannon replays these bodies; `[<id>]` gives every replay its own transaction id.
      requests: (n) =>
        Array.from({ length: n }, () => {
          const transaction = nextTransaction(0, Date.now());
          transaction.transactionId = `${runId}-ac-[<id>]`;
          return {
            method: 'POST' as const,
            path: params.path,
            headers: JSON_HEADERS,
            body: JSON.stringify(transaction),
          };
        }),
    },
    close: () => client.close(),
  };
}
