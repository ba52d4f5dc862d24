/**
 * Open-model pacing for the demo traffic: requests are due at a fixed rate
 * from when the rate was set, whether or not earlier ones have answered, as
 * real users arrive. `take(now)` answers how many became due since the last
 * call; a new rate starts a new schedule from that moment, so changing 50 to
 * 200 req/s neither bursts nor stalls.
 */
export class Pacer {
  private startedAt: number;
  private taken = 0;

  constructor(
    private ratePerSecond: number,
    now: number,
  ) {
    if (!(ratePerSecond >= 0)) throw new Error(`rate must be >= 0, got ${ratePerSecond}`);
    this.startedAt = now;
  }

  get rate(): number {
    return this.ratePerSecond;
  }

  setRate(ratePerSecond: number, now: number): void {
    if (!(ratePerSecond >= 0)) throw new Error(`rate must be >= 0, got ${ratePerSecond}`);
    this.ratePerSecond = ratePerSecond;
    this.startedAt = now;
    this.taken = 0;
  }

  /** Requests due since the last call (all of them: the caller decides what to do when it cannot keep up). */
  take(now: number): number {
    const due = Math.floor(((now - this.startedAt) * this.ratePerSecond) / 1000);
    const fresh = Math.max(0, due - this.taken);
    this.taken += fresh;
    return fresh;
  }
}

/**
 * Who asks for recommendations: known users by a Zipf law over their ids
 * (a few heavy listeners, a long tail), a share of users the service has
 * never seen, and mostly at home, sometimes travelling.
 */
export interface Listener {
  userId: string;
  region: string;
  newUser: boolean;
}

export interface ListenerMixOptions {
  users: ReadonlyArray<{ id: string; region: string }>;
  regions: readonly string[];
  newUserShare: number;
  travelShare: number;
  zipfExponent: number;
  random: () => number;
  /** Starts the ids of new users, so that two runs never invent the same one. */
  newUserPrefix: string;
}

export function listenerMix(options: ListenerMixOptions): () => Listener {
  const { users, regions, random } = options;
  if (users.length === 0 || regions.length === 0)
    throw new Error('the recs artifacts list no users or regions');
  const cumulative = new Float64Array(users.length);
  let total = 0;
  for (let rank = 0; rank < users.length; rank++) {
    total += 1 / (rank + 1) ** options.zipfExponent;
    cumulative[rank] = total;
  }
  let fresh = 0;
  const anyRegion = () => regions[Math.floor(random() * regions.length)]!;
  return () => {
    if (random() < options.newUserShare) {
      fresh += 1;
      return { userId: `${options.newUserPrefix}${fresh}`, region: anyRegion(), newUser: true };
    }
    const target = random() * total;
    let lo = 0;
    let hi = users.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    const user = users[lo]!;
    return {
      userId: user.id,
      region: random() < options.travelShare ? anyRegion() : user.region,
      newUser: false,
    };
  };
}
