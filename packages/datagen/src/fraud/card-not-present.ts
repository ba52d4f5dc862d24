import { Random } from '../random.js';
import { type PaymentDraft, roundAmount } from './draft.js';
import { WORLD } from './profiles.js';
import { countOnDay, exponential, pick, randomDeviceId, randomIp, uniform } from './sampling.js';
import type { Customer, World } from './world.js';

const DAY_MS = 86_400_000;
const SECOND_MS = 1_000;
const HOUR_MS = 3_600_000;

/**
 * How honest cardholders pay online: mostly from their main device and home
 * IP, sometimes from a mobile carrier's shared address or a hotel's, and
 * once in a while from a new phone. So "new device" and "new IP" happen to
 * honest customers too, and the model has to weigh them, not just match them.
 */
export const CARDHOLDER_HABITS = {
  newDevicePerPayment: 0.003,
  mainDeviceShare: 0.8,
  homeIpShare: 0.75,
  carrierIpShare: 0.2,
} as const;

export class CardholderChannels {
  private readonly randoms: Random[];

  constructor(private readonly world: World) {
    this.randoms = world.customers.map((c) =>
      Random.derive(world.profile.seed, `cardholder-channel-${c.index}`),
    );
  }

  /** Gives a web payment the cardholder's device and IP (POS payments have neither). */
  assign(draft: PaymentDraft): void {
    if (draft.terminal.channel !== 'ecom') return;
    const customer = draft.customer;
    const random = this.randoms[customer.index]!;
    if (random.float() < CARDHOLDER_HABITS.newDevicePerPayment)
      customer.devices.unshift(randomDeviceId(random));
    draft.deviceId =
      random.float() < CARDHOLDER_HABITS.mainDeviceShare
        ? customer.devices[0]!
        : pick(random, customer.devices);
    const where = random.float();
    if (where < CARDHOLDER_HABITS.homeIpShare) draft.ip = customer.homeIp;
    else if (where < CARDHOLDER_HABITS.homeIpShare + CARDHOLDER_HABITS.carrierIpShare)
      draft.ip = pick(random, this.world.carrierIps);
    else draft.ip = randomIp(random);
  }
}

/** The fraudsters' kit: devices and proxy IPs they reuse across victims, which device and IP features can catch. */
const FRAUDSTER_REUSE = { cardTesting: 0.6, accountTakeover: 0.3 } as const;

/**
 * Card-not-present attacks, injected as extra payments:
 * - card testing: a stolen card is tried with 3-8 tiny web payments seconds
 *   apart at cheap digital merchants, then cashed out with one large payment
 *   minutes later, all from the fraudster's device and IP;
 * - account takeover: a fraudster logs into the cardholder's account from a
 *   new device and IP and, over the next hours, buys 2-5 times at resellable
 *   merchants, at 2.5-6 times the cardholder's usual amount.
 */
export class CardNotPresentAttacks {
  private readonly random: Random;
  private readonly devices: string[] = [];
  private readonly ips: string[] = [];
  private readonly testingPerDay: number;
  private readonly takeoversPerDay: number;

  constructor(private readonly world: World) {
    this.random = Random.derive(world.profile.seed, 'card-not-present-attacks');
    const scale = world.profile.customers / WORLD.handbookCustomers;
    this.testingPerDay = WORLD.cardTestingAttacksPerDay * scale;
    this.takeoversPerDay = WORLD.accountTakeoversPerDay * scale;
  }

  /** The attacks starting on `day`; their later payments may fall on the following days. */
  startingOn(day: number): PaymentDraft[] {
    const drafts: PaymentDraft[] = [];
    for (let k = 0; k < countOnDay(this.testingPerDay, day); k++) drafts.push(...this.cardTesting(day));
    for (let k = 0; k < countOnDay(this.takeoversPerDay, day); k++) drafts.push(...this.accountTakeover(day));
    return drafts;
  }

  private cardTesting(day: number): PaymentDraft[] {
    const random = this.random;
    const { ecomTerminals, terminals } = this.world;
    const customer = pick(random, this.world.customers);
    const identity = this.fraudsterIdentity(FRAUDSTER_REUSE.cardTesting);
    let time = this.startTime(day);
    const tests = 3 + random.int(6);
    const drafts: PaymentDraft[] = [];
    for (let i = 0; i < tests; i++) {
      time += Math.round(5 + exponential(random, 40)) * SECOND_MS;
      const terminal = terminals[pick(random, ecomTerminals.cardTesting)]!;
      drafts.push({
        time,
        customer,
        terminal,
        amount: roundAmount(uniform(random, 0.5, 3)),
        ...identity,
        scenario: 'card-testing',
      });
    }
    time += Math.round(uniform(random, 60, 1_800)) * SECOND_MS;
    const terminal = terminals[pick(random, ecomTerminals.cashOut)]!;
    drafts.push({
      time,
      customer,
      terminal,
      amount: roundAmount(uniform(random, 100, 600)),
      ...identity,
      scenario: 'card-testing',
    });
    return drafts;
  }

  private accountTakeover(day: number): PaymentDraft[] {
    const random = this.random;
    const { ecomTerminals, terminals } = this.world;
    const customer: Customer = pick(random, this.world.customers);
    const identity = this.fraudsterIdentity(FRAUDSTER_REUSE.accountTakeover);
    let time = this.startTime(day);
    const purchases = 2 + random.int(4);
    const drafts: PaymentDraft[] = [];
    for (let i = 0; i < purchases; i++) {
      const pool = random.float() < 0.7 ? ecomTerminals.cashOut : ecomTerminals.all;
      const amount = roundAmount(customer.meanAmount * uniform(random, 2.5, 6));
      drafts.push({
        time,
        customer,
        terminal: terminals[pick(random, pool)]!,
        amount,
        ...identity,
        scenario: 'account-takeover',
      });
      time += Math.round(exponential(random, 2 * HOUR_MS) / SECOND_MS) * SECOND_MS;
    }
    return drafts;
  }

  private startTime(day: number): number {
    return this.world.startTime + day * DAY_MS + this.random.int(86_400) * SECOND_MS;
  }

  private fraudsterIdentity(reuse: number): { deviceId: string; ip: string } {
    const random = this.random;
    const reuseOrNew = (kit: string[], create: () => string) => {
      if (kit.length > 0 && random.float() < reuse) return pick(random, kit);
      const fresh = create();
      kit.push(fresh);
      return fresh;
    };
    return {
      deviceId: reuseOrNew(this.devices, () => randomDeviceId(random)),
      ip: reuseOrNew(this.ips, () => randomIp(random)),
    };
  }
}
