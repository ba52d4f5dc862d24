import Type, { type Static } from 'typebox';
import { Identifier } from './common.js';
import { Transaction } from './fraud.js';
import { RegionCode, UserId } from './recs.js';

/**
 * The console's own API (services/console): what its page sends. The
 * answers are views of the other services' bodies and are described there.
 */

/** `GET /api/recs/explain`: one recommendation with `explain=true`. */
export const ConsoleRecsExplainQuery = Type.Object(
  {
    userId: UserId,
    region: RegionCode,
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);
export type ConsoleRecsExplainQuery = Static<typeof ConsoleRecsExplainQuery>;

/** A payment typed into the explorer: the id and time are the console's. */
export const ConsolePayment = Type.Omit(Transaction, ['transactionId', 'eventTime']);
export type ConsolePayment = Static<typeof ConsolePayment>;

/** `POST /api/fraud/explain`: a preset by name, or one payment. */
export const ConsoleFraudExplainRequest = Type.Object(
  {
    preset: Type.Optional(
      Type.Union([
        Type.Literal('normal'),
        Type.Literal('card-testing'),
        Type.Literal('compromised-terminal'),
        Type.Literal('account-takeover'),
      ]),
    ),
    payment: Type.Optional(ConsolePayment),
  },
  { additionalProperties: false },
);
export type ConsoleFraudExplainRequest = Static<typeof ConsoleFraudExplainRequest>;

/** `POST /api/traffic`: the demo traffic's rates and switches; what is left out stays as it is. */
export const ConsoleTrafficChange = Type.Object(
  {
    recs: Type.Optional(
      Type.Number({ minimum: 0, maximum: 5000, description: 'recommendation requests/s; 0 stops' }),
    ),
    fraud: Type.Optional(Type.Number({ minimum: 0, maximum: 20000, description: 'payments/s; 0 stops' })),
    chargebacks: Type.Optional(Type.Boolean({ description: 'report the simulated chargebacks' })),
    amountFactor: Type.Optional(
      Type.Number({ minimum: 0.01, maximum: 100, description: 'multiplies simulated amounts: input drift' }),
    ),
  },
  { additionalProperties: false },
);
export type ConsoleTrafficChange = Static<typeof ConsoleTrafficChange>;

/** `POST /api/faults`: one fault of the console's list, with its argument. */
export const ConsoleFaultRequest = Type.Object(
  {
    fault: Identifier('fault id, from the console page or services/console/README.md'),
    seconds: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 120, description: 'how long, for timed faults' }),
    ),
  },
  { additionalProperties: false },
);
export type ConsoleFaultRequest = Static<typeof ConsoleFaultRequest>;

/**
 * The load runner's scenarios the console starts (`load-tests/src/scenarios/`): one steady or
 * ramped run each. The capacity finder and the smoke suite run several steps, which one live
 * chart cannot show; they stay on the command line.
 */
export const CONSOLE_LOAD_SCENARIOS = [
  'recs-steady',
  'recs-ramp',
  'fraud-http',
  'fraud-stream',
  'fraud-availability',
] as const;

/** `POST /api/load`: one load run at a chosen rate; the bounds keep a click from flooding a laptop. */
export const ConsoleLoadRequest = Type.Object(
  {
    scenario: Type.Union(
      [
        Type.Literal('recs-steady'),
        Type.Literal('recs-ramp'),
        Type.Literal('fraud-http'),
        Type.Literal('fraud-stream'),
        Type.Literal('fraud-availability'),
      ],
      { description: 'a scenario of load-tests/src/scenarios/ (npm run load -- --list)' },
    ),
    rate: Type.Integer({
      minimum: 1,
      maximum: 10000,
      description: "peak requests/s of the scenario's first entry (--rate)",
    }),
    durationSeconds: Type.Integer({
      minimum: 5,
      maximum: 300,
      description: 'measured run length (--duration)',
    }),
  },
  { additionalProperties: false },
);
export type ConsoleLoadRequest = Static<typeof ConsoleLoadRequest>;
// The list and the schema's literals name the same scenarios.
CONSOLE_LOAD_SCENARIOS satisfies readonly ConsoleLoadRequest['scenario'][];
