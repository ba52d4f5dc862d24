import { checkReady, HttpClient } from '../http/client.js';
import { param } from '../params.js';
import { defineScenario } from '../scenario.js';
import { recommendationParams, regionMix, userMix } from '../workloads/recommendations.js';
import { type DrillFindings, defineDrill } from './drill.js';
import { drillLoad, generatorNote } from './drill-load.js';
import { figuresOf } from './phases.js';
import { ms, percent } from './table.js';

/**
 * recs-steady's user mix at an even share of new users, each answer tagged
 * with who asked (`kind`) and how it was answered (`answer`: the cold-start
 * list, a degraded pipeline, or the full pipeline), read from the body's
 * `coldStart` and `degraded` flags.
 */
export const coldStartScenario = defineScenario({
  name: 'cold-start',
  description:
    'GET /v1/recommendations for known and never-seen users, each answer classed by coldStart/degraded',
  target: 'rec-api',
  params: recommendationParams,
  options: {
    scenarios: {
      recommendations: {
        executor: 'constant-arrival-rate',
        rate: 40,
        timeUnit: '1s',
        duration: '30s',
        maxVUs: 500,
      },
    },
    tags: { design: 'recs' },
  },
  async open({ params, target }) {
    await checkReady(target, 'rec-api');
    const client = new HttpClient(target, { connections: params.connections, timeoutMs: params.timeoutMs });
    const nextUser = userMix(params);
    const nextRegion = regionMix(params.regions, params.seed);
    return {
      exec: {
        default: async (iteration) => {
          const { userId, newUser } = nextUser();
          const path = params.path.replace('{userId}', encodeURIComponent(userId));
          const query = `count=${params.count}&region=${nextRegion()}`;
          const exchange = await client.exchange({ method: 'GET', path: `${path}?${query}` }, iteration.now);
          const ok = exchange.status >= 200 && exchange.status < 300;
          let answer = 'failed';
          if (ok) {
            const body = JSON.parse(exchange.body ?? '{}') as { coldStart?: boolean; degraded?: boolean };
            answer = body.coldStart ? 'cold-start list' : body.degraded ? 'degraded' : 'full pipeline';
          }
          const tags = { kind: newUser ? 'new-user' : 'known-user', answer };
          const sent = exchange.sentAt === undefined ? {} : { sentAt: exchange.sentAt };
          return ok
            ? { ok, ...sent, tags }
            : { ok, ...sent, error: exchange.error ?? `status ${exchange.status}`, tags };
        },
      },
      close: () => client.close(),
    };
  },
});

const ANSWERS = ['full pipeline', 'degraded', 'cold-start list', 'failed'] as const;

const params = {
  rate: param.number({ description: 'requests per second to rec-api', default: 40, min: 1 }),
  seconds: param.int({ description: 'length of the run', default: 45, min: 1 }),
  warmupSeconds: param.int({ description: 'unmeasured traffic first', default: 5, min: 0 }),
  newUserShare: param.number({
    description: 'share of requests for never-seen users',
    default: 0.5,
    min: 0.01,
    max: 0.99,
  }),
  users: param.int({ description: "known users in the stack's data", default: 50_000, min: 1 }),
};

export const coldStart = defineDrill({
  name: 'cold-start',
  question: 'A user signs up and opens the app. What do you recommend with no history, and how fast?',
  summary:
    'recs: known and never-seen users side by side through rec-api; latency and how each was answered (full pipeline, degraded, cold-start list)',
  needs: ['rec-api'],
  params,
  budgetMs: 120_000,
  async run({ targets, params: p, step, progress }): Promise<DrillFindings> {
    step(
      `sending ${p.rate} req/s to rec-api for ${p.seconds} s, ${(p.newUserShare * 100).toFixed(0)} % for user ids past the ${p.users} known ones`,
    );
    const run = await drillLoad({
      scenario: coldStartScenario,
      targets,
      params: { users: String(p.users), newUserShare: String(p.newUserShare) },
      ratePerSecond: p.rate,
      durationMs: p.seconds * 1000,
      warmupMs: p.warmupSeconds * 1000,
      label: 'cold-start',
      progress,
    });
    const rows = (['known-user', 'new-user'] as const).map((kind) => ({
      kind,
      figures: figuresOf(run.recorder, { filter: { kind }, shareTag: 'answer', shareValues: ANSWERS }),
    }));
    const [known, fresh] = rows.map((r) => r.figures) as [
      ReturnType<typeof figuresOf>,
      ReturnType<typeof figuresOf>,
    ];
    const notes: string[] = [];
    const note = generatorNote(run, 'cold-start');
    if (note) notes.push(note);
    return {
      table: {
        columns: [
          'who',
          'requests',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'full pipeline',
          'degraded',
          'cold-start list',
          'available',
        ],
        rows: rows.map(({ kind, figures: f }) => [
          kind === 'known-user' ? 'known users (history)' : 'new users (no history)',
          f.requests,
          ms(f.p50_ms),
          ms(f.p95_ms),
          ms(f.p99_ms),
          percent(f.shares['full pipeline']),
          percent(f.shares.degraded),
          percent(f.shares['cold-start list']),
          percent(f.availability),
        ]),
      },
      talkingPoint:
        `A new user got the cold-start answer ${percent(fresh.shares['cold-start list']) ?? '?'} of the time, at a p95 of ${ms(fresh.p95_ms) ?? '?'} ms ` +
        `against ${ms(known.p95_ms) ?? '?'} ms for known users: with no user vector there is nothing to search the index with, so rec-api skips ` +
        "the personal stages and serves the region's popularity list. It is fast and never empty, but it is not personal: " +
        'a user counts as known once the feature store holds a vector for them. The interview follow-ups: onboarding choices as a first vector, ' +
        'a session vector from the first listens, and exploration in the first sessions.',
      metrics: { known_users: known, new_users: fresh, generator_valid: run.generator.verdict.valid },
      notes,
    };
  },
});
