import type { Chargeback } from '@mlsys/contracts';
import { fraud } from '@mlsys/datagen';
import { normal, type Random } from '../workloads/random.js';

/** One payment the drill sent: how it was decided, and what the simulator knows about it. */
export interface LabelledPayment {
  transactionId: string;
  cardId: string;
  /** Wall-clock event time it was sent with. */
  eventTime: number;
  amount: number;
  /** The pipeline (or its fallback) answered review or decline. */
  flagged: boolean;
  isFraud: boolean;
}

export interface Quality {
  flagged: number;
  frauds: number;
  truePositives: number;
  /** null when nothing was flagged / no fraud is known. */
  precision: number | null;
  recall: number | null;
}

export function quality(flagged: number, frauds: number, truePositives: number): Quality {
  return {
    flagged,
    frauds,
    truePositives,
    precision: flagged === 0 ? null : truePositives / flagged,
    recall: frauds === 0 ? null : truePositives / frauds,
  };
}

/**
 * The drill's own decisions and their chargebacks. Each fraud gets a dispute
 * delay from the simulator's delay model (datagen's CHARGEBACK_DELAY:
 * log-normal around a week, bounded, some frauds never disputed), so the
 * labels can be released in order of age: "what the team knows after 7 days".
 */
export class LabelLedger {
  private readonly payments: LabelledPayment[] = [];
  /** Dispute delay in days per fraud id; absent: never disputed. */
  private readonly delays = new Map<string, number>();
  private readonly released = new Set<string>();

  constructor(private readonly random: Random) {}

  add(payment: LabelledPayment): void {
    this.payments.push(payment);
    if (payment.isFraud) {
      const delay = this.drawDelayDays(payment.amount);
      if (delay !== null) this.delays.set(payment.transactionId, delay);
    }
  }

  get size(): number {
    return this.payments.length;
  }

  /** The chargebacks whose delay is at most `ageDays`, not released before, reported at `reportedAt`. */
  release(ageDays: number, reportedAt: number): Chargeback[] {
    const out: Chargeback[] = [];
    for (const payment of this.payments) {
      const delay = this.delays.get(payment.transactionId);
      if (delay === undefined || delay > ageDays || this.released.has(payment.transactionId)) continue;
      this.released.add(payment.transactionId);
      out.push({
        transactionId: payment.transactionId,
        cardId: payment.cardId,
        eventTime: payment.eventTime,
        reportedAt,
      });
    }
    return out;
  }

  /** Precision and recall as counted with the labels released so far (an unlabelled fraud counts as legitimate). */
  counted(): Quality {
    const labelled = (p: LabelledPayment) => this.released.has(p.transactionId);
    return quality(
      this.payments.filter((p) => p.flagged).length,
      this.payments.filter(labelled).length,
      this.payments.filter((p) => p.flagged && labelled(p)).length,
    );
  }

  /** Precision and recall against the simulator's labels: what full maturity would show, undisputed frauds included. */
  truth(): Quality {
    return quality(
      this.payments.filter((p) => p.flagged).length,
      this.payments.filter((p) => p.isFraud).length,
      this.payments.filter((p) => p.flagged && p.isFraud).length,
    );
  }

  private drawDelayDays(amount: number): number | null {
    const model = fraud.CHARGEBACK_DELAY;
    const never = amount < 5 ? model.neverReportedShareBelow5 : model.neverReportedShare;
    if (this.random() < never) return null;
    const days = Math.exp(Math.log(model.medianDays) + model.logStd * normal(this.random));
    return Math.min(model.maxDays, Math.max(model.minDays, days));
  }
}
