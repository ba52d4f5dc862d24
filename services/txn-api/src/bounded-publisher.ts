import type { Transaction } from '@mlsys/contracts';
import { unavailable } from '@mlsys/service-kit';
import type { TransactionPublisher } from './domain/ports.js';

/** How long a payment may take to reach the log before the caller is told to retry; 2 s by default. */
export const DEFAULT_PUBLISH_TIMEOUT_MS = 2000;

/**
 * The publisher as the HTTP edge uses it: a payment the log has not taken within `timeoutMs`, or
 * that the producer failed, is answered `503` naming the id, at once. Without the bound a
 * caller waited as long as the producer retried: while a killed broker's partitions waited for a
 * new leader (about 10 s in the ha drill), every payment of those cards hung for seconds and the
 * caller gave up without an answer. The producer may still land the payment after the 503; the
 * caller's retry with the same id and body is then one payment, as the feature engine applies and
 * logs a payment once by id.
 */
export function boundedPublisher(publisher: TransactionPublisher, timeoutMs: number): TransactionPublisher {
  return {
    async publish(transaction: Transaction): Promise<void> {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no acknowledgement within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([publisher.publish(transaction), late]);
      } catch (error) {
        throw unavailable(
          `transaction ${transaction.transactionId} could not be written to the payment log (${(error as Error).message}); it is not accepted: retry with the same transactionId and body (it is counted once even if this attempt lands late)`,
        );
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
