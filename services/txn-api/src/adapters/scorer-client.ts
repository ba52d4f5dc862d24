import { compileSchema, Decision, describeErrors, type Transaction } from '@mlsys/contracts';
import type { RulesOnlyDecider } from '../domain/ports.js';

const decisionSchema = compileSchema(Decision);

/** fraud-scorer's `POST /v1/decisions/rules-only`, with a timeout of its own. */
export class HttpRulesOnlyDecider implements RulesOnlyDecider {
  private readonly url: string;

  constructor(
    scorerUrl: string,
    private readonly timeoutMs: number,
  ) {
    this.url = new URL('/v1/decisions/rules-only', scorerUrl).toString();
  }

  async decide(transaction: Transaction): Promise<Decision> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(transaction),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok) throw new Error(`the scorer answered ${response.status}`);
    const decoded = decisionSchema.decodeJson(await response.text());
    if (!decoded.ok) throw new Error(`the scorer's decision is malformed: ${describeErrors(decoded.errors)}`);
    return decoded.value;
  }
}
