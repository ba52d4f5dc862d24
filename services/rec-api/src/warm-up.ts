import type { DegradedStage } from '@mlsys/contracts';
import type { ServiceApp, WarmUp } from '@mlsys/service-kit';
import type { Logger } from '@mlsys/telemetry';

export interface RecommendationWarmUp {
  /** Known users (ids of the materialised set): an unknown one is a cold start and skips three stages. */
  users: readonly string[];
  region: string;
  /** Rounds of all `users` at once: concurrent calls open several keep-alive connections per stage. */
  rounds: number;
}

/**
 * The warm-up's recommendations: full answers for known users through the
 * route and the real stages (feature store's Redis, candidate-gen, ranker,
 * rules), explain off, the answers discarded. A stage that is not up yet
 * falls back as it would for a user; the log line names it, since that
 * stage's connections were not opened.
 */
export function warmUpRecommendations(
  warmUp: WarmUp,
  app: ServiceApp,
  logger: Logger,
  { users, region, rounds }: RecommendationWarmUp,
): void {
  warmUp.step('recommendations', async () => {
    const fellBack = new Map<string, string>();
    for (let round = 0; round < rounds; round++) {
      const answers = await Promise.all(
        users.map((user) =>
          app.inject({
            method: 'GET',
            url: `/v1/recommendations/${encodeURIComponent(user)}?region=${region}&count=20`,
            headers: warmUp.headers,
          }),
        ),
      );
      for (const answer of answers) {
        if (answer.statusCode !== 200) {
          throw new Error(`a recommendation answered ${answer.statusCode}: ${answer.body.slice(0, 200)}`);
        }
        const { degradedStages, coldStart } = answer.json() as {
          degradedStages: DegradedStage[];
          coldStart: boolean;
        };
        for (const { stage, reason } of degradedStages) fellBack.set(stage, reason);
        if (coldStart && degradedStages.length === 0) fellBack.set('features', 'unknown user (cold start)');
      }
    }
    if (fellBack.size > 0) {
      logger.warn(
        { stages: Object.fromEntries(fellBack) },
        'warm-up answers fell back: those stages were not warmed (their first real calls pay for it)',
      );
    }
  });
}
