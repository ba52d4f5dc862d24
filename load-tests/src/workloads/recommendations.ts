import type { ConfigOf } from '@mlsys/config';
import { recs } from '@mlsys/datagen';
import { checkReady, HttpClient } from '../http/client.js';
import { formatId, param } from '../params.js';
import type { IterationContext } from '../runner.js';
import type { HttpRequestSpec, Workload, WorkloadContext } from '../scenario.js';
import { seededRandom } from './random.js';
import { zipfSampler } from './zipf.js';

/** `--param` settings of the recommendation scenarios. */
export const recommendationParams = {
  users: param.int({ description: 'known users: ids 0..users-1', default: 50_000, min: 1 }),
  // The recs data sets number their users 0..n-1 (packages/datagen/src/recs).
  userPattern: param.idPattern({ description: 'user id template', default: '{n}' }),
  zipfExponent: param.number({
    description: 'skew of the user mix (0 = uniform)',
    default: 1,
    min: 0,
    max: 3,
  }),
  newUserShare: param.number({
    description: 'share of requests for users the service has never seen (cold start)',
    default: 0.05,
    min: 0,
    max: 1,
  }),
  count: param.int({ description: 'recommendations asked for', default: 20, min: 1 }),
  regions: param.list({
    description:
      "regions the listeners are in (the required `region` query), drawn by the generated data's user shares",
    default: recs.REGIONS.map((r) => r.code),
  }),
  path: param.string({ description: 'route; {userId} is replaced', default: '/v1/recommendations/{userId}' }),
  connections: param.int({ description: 'keep-alive connections to the API', default: 64, min: 1 }),
  timeoutMs: param.int({ description: 'per-request timeout', default: 10_000, min: 1 }),
  seed: param.int({ description: 'seed of the request mix', default: 1 }),
};

type Params = ConfigOf<typeof recommendationParams>;

/**
 * Beyond latency and availability: the share of 2xx answers the gateway
 * flagged `degraded` (a stage fell back). A p95 made of fallbacks is fast but
 * not the full pipeline, so the report shows how much of it was.
 */
export const recommendationMetrics = { degraded: 'rate' } as const;

/** Whether a 2xx recommendations body says a stage fell back (a substring test: no parse per request). */
export function isDegraded(body: string | undefined): boolean {
  return body?.includes('"degraded":true') ?? false;
}

/** Who the next request is for: a known user by Zipf rank, or one the service cannot know. */
export function userMix(
  params: Pick<Params, 'users' | 'userPattern' | 'zipfExponent' | 'newUserShare' | 'seed'>,
): () => { userId: string; newUser: boolean } {
  const random = seededRandom(params.seed);
  const rank = zipfSampler(params.users, params.zipfExponent, random);
  return () => {
    if (random() < params.newUserShare) {
      // Ids past the known universe: the service has no features for them.
      return {
        userId: formatId(params.userPattern, params.users + Math.floor(random() * params.users)),
        newUser: true,
      };
    }
    return { userId: formatId(params.userPattern, rank()), newUser: false };
  };
}

/**
 * Where the listener is now. Regions of the generated data are drawn with
 * their share of its users; any other region the user names counts as an average one.
 */
export function regionMix(regions: string[], seed: number): () => string {
  const random = seededRandom(seed + 1);
  const weights = regions.map(
    (code) => recs.REGIONS.find((r) => r.code === code)?.userShare ?? 1 / regions.length,
  );
  const total = weights.reduce((sum, w) => sum + w, 0);
  return () => {
    let pick = random() * total;
    for (const [i, w] of weights.entries()) {
      pick -= w;
      if (pick < 0) return regions[i] as string;
    }
    return regions.at(-1) as string;
  };
}

/**
 * `GET /v1/recommendations/:userId?count=20&region=..` over a Zipf user mix with some
 * new users; the `explain` function asks for every stage's output
 * (`explain=true`), which scenarios run as their own low-rate entry.
 */
export async function openRecommendations(context: WorkloadContext<Params>): Promise<Workload> {
  const { params, target, metrics } = context;
  await checkReady(target, 'rec-api');
  const client = new HttpClient(target, { connections: params.connections, timeoutMs: params.timeoutMs });
  const nextUser = userMix(params);
  const nextRegion = regionMix(params.regions, params.seed);
  const request = (explain: boolean): { spec: HttpRequestSpec; kind: string } => {
    const { userId, newUser } = nextUser();
    const query = `count=${params.count}&region=${encodeURIComponent(nextRegion())}${explain ? '&explain=true' : ''}`;
    const path = `${params.path.replace('{userId}', encodeURIComponent(userId))}?${query}`;
    return { spec: { method: 'GET', path }, kind: explain ? 'explain' : newUser ? 'new-user' : 'known-user' };
  };
  const run = (explain: boolean) => async (iteration: IterationContext) => {
    const { spec, kind } = request(explain);
    const answer = await client.exchange(spec, iteration.now);
    const ok = answer.status >= 200 && answer.status < 300;
    if (ok) metrics.rate('degraded', isDegraded(answer.body));
    const sent = answer.sentAt === undefined ? {} : { sentAt: answer.sentAt };
    const tags = { kind };
    return ok
      ? { ok, ...sent, tags }
      : { ok, ...sent, error: answer.error ?? `status ${answer.status}`, tags };
  };
  return {
    exec: { default: run(false), explain: run(true) },
    honesty: {
      origin: target,
      connections: params.connections,
      requests: (n) => Array.from({ length: n }, () => request(false).spec),
    },
    close: () => client.close(),
  };
}
