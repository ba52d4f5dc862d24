import type { Chargeback, Transaction } from '@mlsys/contracts';
import { fraud } from '@mlsys/datagen';
import { type Listener, Pacer } from '../domain/traffic-schedule.js';

/**
 * Steady demo traffic from the project's own simulators, at a rate per
 * design that can change at any time:
 * - recs: `GET /v1/recommendations/:user` for a Zipf mix of the data's
 *   listeners (some new, some travelling), and for a share of the answers
 *   a listen of the top song to the feature store, as a player would report;
 * - fraud: the Fraud Detection Handbook simulator's payments, sent to
 *   `POST /v1/transactions?wait=true`, and its chargebacks, produced to the
 *   chargebacks topic where the simulation reports them: days later in
 *   simulated time, which is compressed with the rest of the simulation:
 *   payments go out at the chosen rate rather than the simulated day's, so
 *   a chargeback reported a simulated week later arrives a week's payments
 *   later, and the monitor's precision and recall fill in.
 * Requests are open-model (due on time whatever earlier ones do); past
 * `maxInFlight` a due request is skipped and counted, never queued.
 */

export interface TrafficSettings {
  /** Requests per second to rec-api; 0 stops. */
  recs: number;
  /** Payments per second to txn-api; 0 stops. */
  fraud: number;
  /** Whether the simulator's chargebacks are reported (a fault turns the feed off). */
  chargebacks: boolean;
  /** Multiplies every simulated amount: 1 is the simulator; more is input drift. */
  amountFactor: number;
}

export interface TrafficCounts {
  sent: number;
  ok: number;
  failed: number;
  skipped: number;
  lastError?: string;
}

export interface TrafficStatus {
  settings: TrafficSettings;
  recs: TrafficCounts & { listens: number; degraded: number };
  fraud: TrafficCounts & {
    decisions: Record<string, number>;
    chargebacksSent: number;
    chargebacksWithheld: number;
    simulatedDay: number;
    loops: number;
  };
}

export interface TrafficDeps {
  recApiUrl: string;
  featureStoreUrl: string;
  txnApiUrl: string;
  nextListener: () => Listener;
  fraudProfile: fraud.FraudProfile;
  /** Where chargebacks go (the chargebacks topic). */
  reportChargebacks: (chargebacks: Chargeback[]) => Promise<void>;
  /** Starts every transaction id of this runner, e.g. `traffic-<start>-`. */
  idPrefix: string;
  maxInFlight?: number;
  tickMs?: number;
  /** Share of recommendation answers followed by a listen of the top song. */
  listenShare?: number;
  timeoutMs?: number;
  now?: () => number;
  random?: () => number;
  /** The HTTP client; tests give a stand-in for the services. */
  fetch?: typeof fetch;
}

const DAY_MS = 86_400_000;
/** Frauds remembered for their chargeback; a fraud that is never disputed leaves after this many more. */
const MAX_AWAITING_CHARGEBACK = 200_000;

const counts = (): TrafficCounts => ({ sent: 0, ok: 0, failed: 0, skipped: 0 });

export class TrafficRunner {
  private settings: TrafficSettings = { recs: 0, fraud: 0, chargebacks: true, amountFactor: 1 };
  private readonly recsPacer: Pacer;
  private readonly fraudPacer: Pacer;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly stats: TrafficStatus;
  private timer: NodeJS.Timeout | undefined;
  private events: Generator<fraud.SimulatedEvent> | undefined;
  private prefix = '';
  private readonly simulationStart: number;
  /** Wall-clock event time of each simulated fraud sent, by transaction id, until its chargeback. */
  private readonly awaitingChargeback = new Map<string, number>();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly deps: TrafficDeps) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.simulationStart = Date.parse(`${deps.fraudProfile.startDate}T00:00:00Z`);
    this.recsPacer = new Pacer(0, this.now());
    this.fraudPacer = new Pacer(0, this.now());
    this.stats = {
      settings: this.settings,
      recs: { ...counts(), listens: 0, degraded: 0 },
      fraud: {
        ...counts(),
        decisions: {},
        chargebacksSent: 0,
        chargebacksWithheld: 0,
        simulatedDay: 0,
        loops: 0,
      },
    };
  }

  /** Changes what runs; the pacers restart from now for a rate that changed. */
  update(change: Partial<TrafficSettings>): TrafficSettings {
    const next = { ...this.settings, ...change };
    for (const [name, value] of Object.entries(next)) {
      if (typeof value === 'number' && !(value >= 0 && Number.isFinite(value)))
        throw new RangeError(`${name} must be a number >= 0, got ${value}`);
    }
    const now = this.now();
    if (next.recs !== this.settings.recs) this.recsPacer.setRate(next.recs, now);
    if (next.fraud !== this.settings.fraud) this.fraudPacer.setRate(next.fraud, now);
    this.settings = next;
    this.stats.settings = next;
    const active = next.recs > 0 || next.fraud > 0;
    if (active && this.timer === undefined) this.schedule();
    return next;
  }

  status(): TrafficStatus {
    return structuredClone(this.stats);
  }

  /** Stops sending and waits for the requests in flight. */
  async stop(): Promise<void> {
    this.update({ recs: 0, fraud: 0 });
    clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.tick();
      if (this.settings.recs > 0 || this.settings.fraud > 0 || this.inFlight.size > 0) this.schedule();
      else this.timer = undefined;
    }, this.deps.tickMs ?? 20);
  }

  private tick(): void {
    const now = this.now();
    const recs = this.recsPacer.take(now);
    for (let i = 0; i < recs; i++) this.launch(this.stats.recs, () => this.recommend());
    const payments = this.fraudPacer.take(now);
    if (payments > 0) this.pay(payments, now);
  }

  private launch(counter: TrafficCounts, work: () => Promise<void>): void {
    if (this.inFlight.size >= (this.deps.maxInFlight ?? 256)) {
      counter.skipped += 1;
      return;
    }
    counter.sent += 1;
    const call = work()
      .then(() => {
        counter.ok += 1;
      })
      .catch((error: Error) => {
        counter.failed += 1;
        counter.lastError = error.message;
      })
      .finally(() => this.inFlight.delete(call));
    this.inFlight.add(call);
  }

  private async call(url: string, init?: RequestInit): Promise<Response> {
    const res = await (this.deps.fetch ?? fetch)(url, {
      ...init,
      signal: AbortSignal.timeout(this.deps.timeoutMs ?? 5000),
    });
    if (!res.ok) {
      const body = await res.text().catch(() => '');
      throw new Error(
        `${init?.method ?? 'GET'} ${new URL(url).pathname} answered ${res.status} ${body.slice(0, 160)}`,
      );
    }
    return res;
  }

  private async recommend(): Promise<void> {
    const listener = this.deps.nextListener();
    const res = await this.call(
      `${this.deps.recApiUrl}/v1/recommendations/${encodeURIComponent(listener.userId)}?count=10&region=${listener.region}`,
    );
    const body = (await res.json()) as { degraded: boolean; items: Array<{ songId: number }> };
    if (body.degraded) this.stats.recs.degraded += 1;
    const top = body.items[0];
    if (top && !listener.newUser && this.random() < (this.deps.listenShare ?? 0.2)) {
      await this.call(`${this.deps.featureStoreUrl}/v1/events/listen`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: listener.userId, songId: top.songId }),
      });
      this.stats.recs.listens += 1;
    }
  }

  /** Sends the next `count` simulated payments, and reports the chargebacks the simulation puts between them. */
  private pay(count: number, now: number): void {
    const chargebacks: Chargeback[] = [];
    let sent = 0;
    while (sent < count) {
      const event = this.nextEvent();
      if (event.kind === 'chargeback') {
        const paidAt = this.awaitingChargeback.get(event.chargeback.transactionId);
        if (paidAt === undefined) continue;
        this.awaitingChargeback.delete(event.chargeback.transactionId);
        if (this.settings.chargebacks)
          chargebacks.push({ ...event.chargeback, eventTime: paidAt, reportedAt: now });
        else this.stats.fraud.chargebacksWithheld += 1;
        continue;
      }
      sent += 1;
      const transaction: Transaction = {
        ...event.transaction,
        eventTime: now,
        amount: Math.min(
          1_000_000,
          Math.round(event.transaction.amount * this.settings.amountFactor * 100) / 100,
        ),
      };
      if (event.label.isFraud) this.rememberFraud(transaction.transactionId, now);
      this.launch(this.stats.fraud, () => this.submit(transaction));
    }
    if (chargebacks.length > 0) {
      this.deps
        .reportChargebacks(chargebacks)
        .then(() => {
          this.stats.fraud.chargebacksSent += chargebacks.length;
        })
        .catch((error: Error) => {
          this.stats.fraud.lastError = `chargebacks: ${error.message}`;
        });
    }
  }

  private rememberFraud(transactionId: string, at: number): void {
    this.awaitingChargeback.set(transactionId, at);
    if (this.awaitingChargeback.size > MAX_AWAITING_CHARGEBACK) {
      const oldest = this.awaitingChargeback.keys().next().value;
      if (oldest !== undefined) this.awaitingChargeback.delete(oldest);
    }
  }

  /** The simulation's next event, ids prefixed; when it ends, it starts over under new ids. */
  private nextEvent(): fraud.SimulatedEvent {
    for (;;) {
      if (!this.events) {
        this.stats.fraud.loops += 1;
        this.prefix = `${this.deps.idPrefix}${this.stats.fraud.loops}-`;
        this.events = fraud.simulateFraud(this.deps.fraudProfile);
      }
      const next = this.events.next();
      if (next.done) {
        this.events = undefined;
        continue;
      }
      const event = next.value;
      if (event.kind === 'chargeback') {
        return {
          ...event,
          chargeback: { ...event.chargeback, transactionId: this.prefix + event.chargeback.transactionId },
        };
      }
      this.stats.fraud.simulatedDay = Math.floor(
        (event.transaction.eventTime - this.simulationStart) / DAY_MS,
      );
      return {
        ...event,
        transaction: { ...event.transaction, transactionId: this.prefix + event.transaction.transactionId },
      };
    }
  }

  private async submit(transaction: Transaction): Promise<void> {
    const res = await this.call(`${this.deps.txnApiUrl}/v1/transactions?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(transaction),
    });
    const { decision } = (await res.json()) as { decision: string };
    const decisions = this.stats.fraud.decisions;
    decisions[decision] = (decisions[decision] ?? 0) + 1;
  }
}
