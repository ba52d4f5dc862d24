import Type, { type Static } from 'typebox';
import { Identifier, LAST_DATE_MS } from './common.js';

/**
 * A card payment as the acquirer sees it. Field names follow the Fraud
 * Detection Handbook's simulator (customer = card, terminal) plus the
 * card-not-present signals a real system has. `cardId` is a token, never a PAN.
 */
export const Transaction = Type.Object(
  {
    transactionId: Identifier('unique id; the idempotency key of the whole pipeline'),
    eventTime: Type.Integer({
      minimum: 0,
      maximum: LAST_DATE_MS,
      description: 'when the payment happened, ms since the Unix epoch',
    }),
    cardId: Identifier('card token (the Handbook customer)'),
    terminalId: Identifier('terminal or merchant id'),
    amount: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000, description: 'amount in major units' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' }),
    channel: Type.Union([Type.Literal('pos'), Type.Literal('ecom')]),
    merchantCategory: Type.String({ pattern: '^[0-9]{4}$', description: 'ISO 18245 merchant category code' }),
    deviceId: Type.Optional(Identifier('device fingerprint (card-not-present)')),
    ip: Type.Optional(Type.String({ maxLength: 45, description: 'client IP (card-not-present)' })),
  },
  { additionalProperties: false },
);
export type Transaction = Static<typeof Transaction>;

export const TransactionAccepted = Type.Object({
  transactionId: Type.String(),
  status: Type.Literal('accepted'),
  decisionUrl: Type.String(),
});
export type TransactionAccepted = Static<typeof TransactionAccepted>;

export const DecisionOutcome = Type.Union([
  Type.Literal('approve'),
  Type.Literal('review'),
  Type.Literal('decline'),
]);
export type DecisionOutcome = Static<typeof DecisionOutcome>;

export const Decision = Type.Object(
  {
    transactionId: Identifier('the transaction decided'),
    cardId: Identifier('card token'),
    decision: DecisionOutcome,
    /** Calibrated fraud probability (0 when only rules decided). */
    score: Type.Number({ minimum: 0, maximum: 1 }),
    reasons: Type.Array(Type.String()),
    /** `full` = rules + model; `rules-only` = the model was unavailable or too late. */
    mode: Type.Union([Type.Literal('full'), Type.Literal('rules-only')]),
    modelVersion: Type.String(),
    rulesVersion: Type.String(),
    eventTime: Type.Integer({ minimum: 0, maximum: LAST_DATE_MS }),
    decidedAt: Type.Integer({ minimum: 0, maximum: LAST_DATE_MS }),
  },
  { additionalProperties: false },
);
export type Decision = Static<typeof Decision>;

/** The label: a cardholder disputed the transaction, days after it happened. */
export const Chargeback = Type.Object(
  {
    transactionId: Identifier('the disputed transaction'),
    cardId: Identifier('card token'),
    eventTime: Type.Integer({
      minimum: 0,
      maximum: LAST_DATE_MS,
      description: 'time of the disputed transaction',
    }),
    reportedAt: Type.Integer({
      minimum: 0,
      maximum: LAST_DATE_MS,
      description: 'when the chargeback arrived',
    }),
    scenario: Type.Optional(Type.String({ description: 'simulator fraud scenario, for evaluation only' })),
  },
  { additionalProperties: false },
);
export type Chargeback = Static<typeof Chargeback>;

export const TransactionIdParams = Type.Object({ id: Identifier('transaction id') });
export type TransactionIdParams = Static<typeof TransactionIdParams>;
