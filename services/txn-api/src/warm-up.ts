import { warmUpPayment } from '@mlsys/fraud-core';
import type { ServiceApp, WarmUp } from '@mlsys/service-kit';
import type { Logger } from '@mlsys/telemetry';
import type { OwnerDirectory, RulesOnlyDecider } from './domain/ports.js';
import { transactionFingerprint } from './domain/transaction-fingerprint.js';

export interface TxnApiWarmUp {
  /** SCRIPT LOAD of the ledger's Lua scripts: they run nothing. */
  loadLedgerScripts: () => Promise<void>;
  owners: Pick<OwnerDirectory, 'ownerOf'>;
  /** Partitions of the payments topic: every owner among them is connected to. */
  partitions: number;
  /** Opens the keep-alive pool to an owner (a `GET /readyz`); rejects when it cannot be reached. */
  connectOwner: (url: string) => Promise<void>;
  rulesOnly: RulesOnlyDecider;
  logger: Logger;
}

/**
 * The edge's hot path without admitting a payment: the ledger's scripts
 * loaded (so the first EVALSHA does not miss), the fingerprint and the
 * rules-only decider on made-up payments, `POST /v1/transactions?wait=true`
 * with a body the schema refuses (400: validation runs, the handler and so
 * the ledger and Kafka never do), a decision read that finds nothing (a
 * Redis round trip), and the pools to the partition owners opened. Nothing
 * is written to the ledger, the decision store or a topic.
 */
export function warmUpTxnApi(warmUp: WarmUp, app: ServiceApp, deps: TxnApiWarmUp): void {
  warmUp.step('ledger scripts (SCRIPT LOAD)', deps.loadLedgerScripts);
  warmUp.step('fingerprint and rules-only decider', async () => {
    const nowMs = Date.now();
    for (let i = 0; i < 20; i++) {
      const payment = warmUpPayment(i, nowMs);
      transactionFingerprint(payment);
      await deps.rulesOnly.decide(payment);
    }
  });
  warmUp.request(
    'payment validation (refused by the schema, never admitted)',
    app,
    {
      method: 'POST',
      url: '/v1/transactions?wait=true',
      payload: { ...warmUpPayment(0, Date.now()), amount: -1 },
    },
    { expectStatus: 400, times: 3 },
  );
  warmUp.request(
    'decision read',
    app,
    { method: 'GET', url: '/v1/decisions/warm-up-0' },
    { expectStatus: [200, 404], times: 2 },
  );
  warmUp.step('partition owner connections', async () => {
    const urls = new Set<string>();
    for (let partition = 0; partition < deps.partitions; partition++) {
      const owner = deps.owners.ownerOf(partition);
      if (owner) urls.add(owner.url);
    }
    // An owner down now is no reason to stay unready: the payments it owns fall back to the rules.
    const unreachable: string[] = [];
    await Promise.all([...urls].map((url) => deps.connectOwner(url).catch(() => unreachable.push(url))));
    if (unreachable.length > 0)
      deps.logger.warn({ owners: unreachable }, 'warm-up could not reach these partition owners');
    return urls.size;
  });
}
