import type { Transaction } from '@mlsys/contracts';

/** A payment before it is due: its id and event time are given when it is sent. */
export type PaymentBody = Omit<Transaction, 'transactionId' | 'eventTime'>;

export interface MixedPayment {
  payment: PaymentBody;
  /** Its card paid earlier in the run, so the card's windows, last-seen time and home have history. */
  returning: boolean;
}

/**
 * Payments whose card is either fresh (never seen in the run: every card
 * feature starts empty) or returning (a card that paid earlier in the run),
 * `returningShare` of them returning. The rest of each payment (terminal,
 * amount, channel, merchant category, IP) is the next one of `templates`,
 * the simulator's stream, so terminals are ones the artifacts know and
 * amounts look like the training data's. Deterministic: the same templates
 * give the same sequence.
 */
export class PaymentMix {
  private readonly cards: string[] = [];
  private count = 0;

  constructor(
    private readonly templates: Iterator<Transaction>,
    private readonly options: { returningShare: number; cardPrefix: string },
  ) {}

  next(): MixedPayment {
    const template = this.templates.next();
    if (template.done) throw new Error('the simulated payment stream ended; use a larger data profile');
    const i = this.count++;
    // A golden-ratio stride rather than a random draw: the share is exact over any stretch.
    const returning = this.cards.length > 0 && ((i + 1) * 0.618_034) % 1 < this.options.returningShare;
    const cardId = returning ? this.cards[(i * 7919) % this.cards.length]! : this.issueCard();
    const { transactionId: _id, eventTime: _time, cardId: _card, deviceId, ...rest } = template.value;
    // A card-not-present payment comes from the card's own device, as the simulator's cardholders pay.
    const payment: PaymentBody =
      deviceId === undefined ? { ...rest, cardId } : { ...rest, cardId, deviceId: `${cardId}.d` };
    return { payment, returning };
  }

  private issueCard(): string {
    const card = `${this.options.cardPrefix}c${this.cards.length}`;
    this.cards.push(card);
    return card;
  }
}
