/**
 * A card's payments within the horizon, for idempotency (has this
 * transaction been applied?) and for chargebacks, which name only the card
 * and the transaction: the log says where the payment happened.
 *
 * Kept as parallel arrays in arrival order rather than one object per
 * payment: these entries live for 30 days, and millions of small long-lived
 * objects are what makes V8's old-generation collections expensive.
 * Expiry drops from the front while the oldest is past the horizon; a late
 * payment waits behind newer ones, kept a little longer, never dropped early.
 */
export interface LoggedPayment {
  time: number;
  terminalId: string;
  deviceId: string | null;
  ip: string | null;
  reported: boolean;
}

export type PaymentRow = [
  id: string,
  time: number,
  terminalId: string,
  deviceId: string | null,
  ip: string | null,
  reported: 0 | 1,
];

export class PaymentLog {
  /** Transaction id -> sequence number (position + `dropped`). */
  private readonly sequenceOf = new Map<string, number>();
  private ids: string[] = [];
  private times: number[] = [];
  private terminals: string[] = [];
  private devices: (string | null)[] = [];
  private ips: (string | null)[] = [];
  private reported: number[] = [];
  /** Entries dropped from the front since the log began (the sequence number of `ids[0]`). */
  private dropped = 0;
  private head = 0;

  has(id: string): boolean {
    return this.sequenceOf.has(id);
  }

  get(id: string): LoggedPayment | undefined {
    const sequence = this.sequenceOf.get(id);
    if (sequence === undefined) return undefined;
    const i = sequence - this.dropped;
    return {
      time: this.times[i]!,
      terminalId: this.terminals[i]!,
      deviceId: this.devices[i]!,
      ip: this.ips[i]!,
      reported: this.reported[i] === 1,
    };
  }

  add(
    id: string,
    time: number,
    terminalId: string,
    deviceId: string | null,
    ip: string | null,
    reported = false,
  ): void {
    this.sequenceOf.set(id, this.dropped + this.ids.length);
    this.ids.push(id);
    this.times.push(time);
    this.terminals.push(terminalId);
    this.devices.push(deviceId);
    this.ips.push(ip);
    this.reported.push(reported ? 1 : 0);
  }

  markReported(id: string): void {
    const sequence = this.sequenceOf.get(id);
    if (sequence !== undefined) this.reported[sequence - this.dropped] = 1;
  }

  /** Forgets payments at the front whose time is at or before `cutoff`. */
  expire(cutoff: number): void {
    while (this.head < this.times.length && this.times[this.head]! <= cutoff) {
      this.sequenceOf.delete(this.ids[this.head]!);
      this.head += 1;
    }
    if (this.head > 32 && this.head * 2 > this.ids.length) this.compact();
  }

  /** Live payments in arrival order; `add`ing them in this order rebuilds the same log. */
  toJSON(): PaymentRow[] {
    const rows: PaymentRow[] = [];
    for (let i = this.head; i < this.ids.length; i++) {
      rows.push([
        this.ids[i]!,
        this.times[i]!,
        this.terminals[i]!,
        this.devices[i]!,
        this.ips[i]!,
        this.reported[i] === 1 ? 1 : 0,
      ]);
    }
    return rows;
  }

  static fromJSON(rows: readonly PaymentRow[]): PaymentLog {
    const log = new PaymentLog();
    for (const [id, time, terminalId, deviceId, ip, reported] of rows)
      log.add(id, time, terminalId, deviceId, ip, reported === 1);
    return log;
  }

  private compact(): void {
    const head = this.head;
    this.ids = this.ids.slice(head);
    this.times = this.times.slice(head);
    this.terminals = this.terminals.slice(head);
    this.devices = this.devices.slice(head);
    this.ips = this.ips.slice(head);
    this.reported = this.reported.slice(head);
    this.dropped += head;
    this.head = 0;
  }
}
