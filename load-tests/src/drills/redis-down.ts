import { redisCommand } from '../faults/redis-command.js';
import { param } from '../params.js';
import type { ScenarioDefinition } from '../scenario.js';
import fraudAvailability from '../scenarios/fraud-availability.js';
import { type DrillFindings, DrillRefused, defineDrill } from './drill.js';
import { drillLoad, generatorNote } from './drill-load.js';
import { type FraudPhase, fraudPhaseTable, fraudRunParams, span } from './fraud-phases.js';
import { percent } from './table.js';

const params = {
  rate: param.number({ description: 'payments per second to txn-api', default: 50, min: 1 }),
  beforeSeconds: param.int({ description: 'steady traffic before Redis goes away', default: 15, min: 1 }),
  pauseSeconds: param.int({ description: 'how long Redis does not answer', default: 10, min: 1, max: 60 }),
  afterSeconds: param.int({ description: 'traffic after Redis is back', default: 20, min: 1 }),
  ...fraudRunParams,
};

export interface RedisDownDeps {
  /** Makes Redis stop answering for `seconds`; the real one sends `CLIENT PAUSE <ms> ALL`. */
  pause?: (redisUrl: string, seconds: number) => Promise<void>;
  /** Checks Redis answers before any traffic; the real one sends `PING`. */
  ping?: (redisUrl: string) => Promise<void>;
  scenario?: ScenarioDefinition;
}

export async function pauseRedis(redisUrl: string, seconds: number): Promise<void> {
  await redisCommand(redisUrl, ['CLIENT', 'PAUSE', String(seconds * 1000), 'ALL']);
}

export function redisDown(deps: RedisDownDeps = {}) {
  return defineDrill({
    name: 'redis-down',
    question: 'Redis goes down in the middle of the day. What do payers see, and what is lost?',
    summary:
      'fraud: payments through txn-api (?wait=true) while Redis stops answering for N s (CLIENT PAUSE ALL, which Redis lifts itself); answers per phase, lost/duplicated decisions',
    needs: ['txn-api'],
    params,
    budgetMs: 150_000,
    async run({ targets, params: p, step, progress }): Promise<DrillFindings> {
      const pause = deps.pause ?? pauseRedis;
      const ping = deps.ping ?? (async (url: string) => void (await redisCommand(url, ['PING'])));
      try {
        await ping(targets.redis);
      } catch (error) {
        throw new DrillRefused(
          `${(error as Error).message}; the drill pauses the stack's Redis, so it needs REDIS_URL to point at it (npm start's: redis://127.0.0.1:6379)`,
        );
      }
      const pausedFrom = p.beforeSeconds;
      const backAt = pausedFrom + p.pauseSeconds;
      const end = backAt + p.afterSeconds;
      const phases: FraudPhase[] = [
        { name: 'before', fromMs: 0, label: `before (${span(0, pausedFrom)})` },
        { name: 'during', fromMs: pausedFrom * 1000, label: `Redis paused (${span(pausedFrom, backAt)})` },
        { name: 'after', fromMs: backAt * 1000, label: `after (${span(backAt, end)})` },
      ];
      step(`sending ${p.rate} payments/s to txn-api for ${end} s (fraud-availability, no kill)`);
      const run = await drillLoad({
        scenario: deps.scenario ?? fraudAvailability,
        targets,
        params: { kill: 'none', reconcile: p.reconcile, reconcileTimeoutMs: String(p.reconcileTimeoutMs) },
        ratePerSecond: p.rate,
        durationMs: end * 1000,
        warmupMs: p.warmupSeconds * 1000,
        phases,
        onPhase: async (phase, atMs) => {
          if (phase.name !== 'during') return;
          await pause(targets.redis, p.pauseSeconds);
          step(
            `at ${(atMs / 1000).toFixed(1)} s: CLIENT PAUSE ${p.pauseSeconds * 1000} ALL sent to Redis (it resumes by itself)`,
          );
        },
        label: 'redis-down',
        progress,
      });
      const { table, figures } = fraudPhaseTable(run, phases);
      const lost = run.recorder.total('decisions_lost');
      const duplicated = run.recorder.total('decisions_duplicated');
      const reconciled = p.reconcile === 'kafka';
      if (reconciled) step(`reconciled the decisions topic: ${lost} lost, ${duplicated} duplicated`);
      const during = figures.during;
      // The scenario's own "no fault injected" note is about its kill step; this drill's fault is the pause.
      const notes = (run.summary?.notes ?? []).filter((n) => !n.startsWith('no fault injected'));
      const note = generatorNote(run, 'redis-down');
      if (note) notes.push(note);
      return {
        table,
        talkingPoint:
          `While Redis was paused, ${percent(during?.availability) ?? 'an unmeasured share'} of payments were answered in time ` +
          `(${percent(during?.shares['rules-only']) ?? '?'} of all by the rules-only fallback); ` +
          (reconciled
            ? `afterwards ${lost} decisions were lost and ${duplicated} duplicated. `
            : 'decisions were not reconciled (--param reconcile=none). ') +
          'The design chooses consistency over availability here: txn-api claims every payment id in Redis, and when the claim gets no answer it ' +
          'answers 503 and produces nothing rather than risk deciding a payment twice; the feature engine keeps its state in memory and only misses ' +
          'checkpoints. 99.9 % needs Redis with a replica and failover (the `ha` profile runs Sentinels), and callers that retry with the same id. ' +
          'A pause is gentler than a crash: connections survive, so a real outage adds reconnects and, without a replica, a cold restart.',
        metrics: {
          phases: figures,
          decisions_lost: reconciled ? lost : null,
          decisions_duplicated: reconciled ? duplicated : null,
          pause_seconds: p.pauseSeconds,
          generator_valid: run.generator.verdict.valid,
        },
        notes,
      };
    },
  });
}
