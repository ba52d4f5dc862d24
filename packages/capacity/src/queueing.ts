// The queueing model of one service: M/G/c, c single-threaded workers fed
// by one balancer.
//
// - Probability of waiting: Erlang C for c servers at offered load a = λ·E[S]
//   (exact for M/M/c), computed through the Erlang B recursion
//   B(0) = 1, B(k) = a·B(k-1) / (k + a·B(k-1)), C = B / (1 - ρ(1 - B)),
//   which stays finite for thousands of servers where the factorial form
//   overflows.
// - Mean wait for general service times: the Allen–Cunneen approximation
//   E[Wq] ≈ E[Wq]_{M/M/c} · (ca² + cs²) / 2, with ca² the arrivals' squared
//   coefficient of variation (1 for Poisson) and cs² the service time's. For
//   c = 1 it is the Pollaczek–Khinchine formula, exact for M/G/1; for c > 1
//   it is an approximation, good at moderate to high load and optimistic
//   for very variable service times.
// - Wait percentiles: a request waits with probability C; given that it
//   waits, the wait is taken as exponential with mean E[Wq] / C. That is
//   exact for M/M/c (the conditional wait is Exp(cμ - λ)) and carries the
//   Allen–Cunneen correction into the tail otherwise.
//
// What it leaves out: a Node process is not a FCFS server (a request visits
// the event loop several times, interleaved with others), balancers are
// not one shared queue (least-outstanding-requests comes close), and
// arrivals are taken as Poisson.

/** Erlang B: the blocking probability of c servers offered a erlangs. */
export function erlangB(servers: number, offered: number): number {
  if (!Number.isInteger(servers) || servers < 1) throw new RangeError(`servers must be a whole number >= 1`);
  let b = 1;
  for (let k = 1; k <= servers; k++) b = (offered * b) / (k + offered * b);
  return b;
}

/** Erlang C: the probability that an arrival waits, c servers offered a erlangs (1 when a >= c). */
export function erlangC(servers: number, offered: number): number {
  const rho = offered / servers;
  if (rho >= 1) return 1;
  const b = erlangB(servers, offered);
  return b / (1 - rho * (1 - b));
}

export interface MgcInput {
  /** c: workers that each serve one request at a time. */
  servers: number;
  /** λ: arrivals per second over the whole pool. */
  arrivalsPerSecond: number;
  /** E[S] in ms. */
  meanServiceMs: number;
  /** cs²: Var[S] / E[S]². 1 for exponential service, 0 for constant. */
  serviceCv2: number;
  /** ca²: 1 for Poisson arrivals (the default). */
  arrivalCv2?: number;
}

export interface MgcWait {
  /** ρ = λ·E[S] / c. */
  utilisation: number;
  /** False when ρ >= 1: the queue grows without bound. */
  stable: boolean;
  /** P(wait > 0): Erlang C. */
  pWait: number;
  /** E[Wq] in ms (Allen–Cunneen). */
  meanWaitMs: number;
  /** The wait not exceeded by a share p of requests, in ms. */
  quantileMs(p: number): number;
  /** One wait drawn from the model, given a uniform u in (0, 1). */
  sample(u: number): number;
}

/** The waiting time of an M/G/c queue (see the file's comment for the approximations). */
export function mgcWait(input: MgcInput): MgcWait {
  const { servers, arrivalsPerSecond, meanServiceMs, serviceCv2 } = input;
  const arrivalCv2 = input.arrivalCv2 ?? 1;
  const lambdaPerMs = arrivalsPerSecond / 1000;
  const offered = lambdaPerMs * meanServiceMs;
  const utilisation = offered / servers;
  if (utilisation >= 1) {
    return {
      utilisation,
      stable: false,
      pWait: 1,
      meanWaitMs: Number.POSITIVE_INFINITY,
      quantileMs: () => Number.POSITIVE_INFINITY,
      sample: () => Number.POSITIVE_INFINITY,
    };
  }
  const pWait = offered === 0 ? 0 : erlangC(servers, offered);
  // M/M/c: E[Wq] = C / (cμ - λ), μ = 1 / E[S].
  const mmcMeanWait = offered === 0 ? 0 : pWait / (servers / meanServiceMs - lambdaPerMs);
  const meanWaitMs = mmcMeanWait * ((arrivalCv2 + serviceCv2) / 2);
  const conditionalMean = pWait > 0 ? meanWaitMs / pWait : 0;
  const quantileMs = (p: number) =>
    p <= 1 - pWait || conditionalMean === 0 ? 0 : conditionalMean * Math.log(pWait / (1 - p));
  return {
    utilisation,
    stable: true,
    pWait,
    meanWaitMs,
    quantileMs,
    sample: (u: number) => quantileMs(u),
  };
}
