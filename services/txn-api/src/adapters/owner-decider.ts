import { APPENDED_UNDECIDED, Decision, Readiness, type Transaction } from '@mlsys/contracts';
import { DeadlineExceededError, JsonServiceClient, ServiceStatusError } from '@mlsys/http-client';
import { type OwnerAnswer, OwnerCallError, type OwnerDecider } from '../domain/ports.js';

/** Asks a feature-engine instance over HTTP (a keep-alive pool per instance) to decide a payment it owns. */
export class HttpOwnerDecider implements OwnerDecider {
  private readonly clients = new Map<string, JsonServiceClient>();

  async decide(url: string, transaction: Transaction, deadlineMs: number): Promise<OwnerAnswer> {
    const client = this.clientOf(url);
    try {
      const answer = await client.post('/v1/decide', transaction, Decision, { deadlineMs });
      return { decision: answer.body, phases: answer.serverTiming.map(({ name, ms }) => ({ name, ms })) };
    } catch (error) {
      const message = (error as Error).message;
      if (error instanceof ServiceStatusError && error.status === 421)
        throw new OwnerCallError('moved', message);
      // Only the owner's own "appended, not decided" 503 says the payment is in the log; a 503 of
      // a server that is closing comes before the route, and the payment may be nowhere.
      if (error instanceof ServiceStatusError && error.status === 503 && error.code === APPENDED_UNDECIDED)
        throw new OwnerCallError('not-ready', message);
      if (error instanceof DeadlineExceededError) throw new OwnerCallError('late', message);
      throw new OwnerCallError('unreachable', message);
    }
  }

  /**
   * Opens the keep-alive pool to an owner before its first payment (the warm-up): one `GET /readyz`,
   * whatever it answers. Rejects only when the owner cannot be reached.
   */
  async connect(url: string, deadlineMs: number): Promise<void> {
    try {
      await this.clientOf(url).get('/readyz', Readiness, { deadlineMs });
    } catch (error) {
      if (!(error instanceof ServiceStatusError)) throw error;
    }
  }

  private clientOf(url: string): JsonServiceClient {
    let client = this.clients.get(url);
    if (!client) {
      client = new JsonServiceClient({ service: `feature-engine at ${url}`, baseUrl: url, connections: 64 });
      this.clients.set(url, client);
    }
    return client;
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((client) => client.close()));
  }
}
