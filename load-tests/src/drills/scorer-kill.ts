import { findServiceProcess, KillRefused, systemProcessControl } from '../faults/kill-service.js';
import { param } from '../params.js';
import type { ScenarioDefinition } from '../scenario.js';
import fraudAvailability from '../scenarios/fraud-availability.js';
import { type DrillFindings, DrillRefused, defineDrill } from './drill.js';
import { drillLoad, generatorNote } from './drill-load.js';
import { type FraudPhase, fraudPhaseTable, fraudRunParams, span } from './fraud-phases.js';
import { percent } from './table.js';

const params = {
  rate: param.number({ description: 'payments per second to txn-api', default: 50, min: 1 }),
  killAt: param.int({ description: 'seconds of steady traffic before the SIGKILL', default: 15, min: 1 }),
  outageSeconds: param.int({
    description: 'length of the phase right after the kill (the supervisor restarts the scorer meanwhile)',
    default: 15,
    min: 1,
  }),
  afterSeconds: param.int({ description: 'traffic after that phase', default: 20, min: 1 }),
  ...fraudRunParams,
};

interface KillFigures {
  pid?: number;
  sentAtS?: number;
  respawnedAfterS?: number;
  refused?: string;
}

export interface ScorerKillDeps {
  /** fraud-availability with its kill step; tests give one that crashes a stand-in, not the stack. */
  scenario?: ScenarioDefinition;
  /** Finds the scorer's process as the kill step will (pid file, entry point), before any traffic. */
  findScorer?: (root: string) => Promise<unknown>;
}

const findScorer = (root: string) => findServiceProcess('fraud-scorer', { root }, systemProcessControl);

export function scorerKill(deps: ScorerKillDeps = {}) {
  return defineDrill({
    name: 'scorer-kill',
    question: 'The model server dies under load. Do payments stop, and is any decision lost or made twice?',
    summary:
      'fraud: payments through txn-api (?wait=true); SIGKILL to fraud-scorer (npm start restarts it); answers per phase, respawn time, lost/duplicated decisions',
    needs: ['txn-api'],
    params,
    budgetMs: 150_000,
    async run({ targets, params: p, step, progress, root }): Promise<DrillFindings> {
      try {
        await (deps.findScorer ?? findScorer)(root);
      } catch (error) {
        if (error instanceof KillRefused) throw new DrillRefused(error.message);
        throw error;
      }
      const outageEnd = p.killAt + p.outageSeconds;
      const end = outageEnd + p.afterSeconds;
      const phases: FraudPhase[] = [
        { name: 'before', fromMs: 0, label: `before (${span(0, p.killAt)})` },
        { name: 'outage', fromMs: p.killAt * 1000, label: `after the kill (${span(p.killAt, outageEnd)})` },
        { name: 'after', fromMs: outageEnd * 1000, label: `later (${span(outageEnd, end)})` },
      ];
      step(
        `sending ${p.rate} payments/s to txn-api for ${end} s; at ${p.killAt} s fraud-scorer gets SIGKILL ` +
          '(only the pid in .cache/stack/pids/fraud-scorer.pid, checked against its entry point)',
      );
      const run = await drillLoad({
        scenario: deps.scenario ?? fraudAvailability,
        targets,
        params: {
          kill: 'fraud-scorer',
          killAt: String(p.killAt),
          reconcile: p.reconcile,
          reconcileTimeoutMs: String(p.reconcileTimeoutMs),
        },
        ratePerSecond: p.rate,
        durationMs: end * 1000,
        warmupMs: p.warmupSeconds * 1000,
        phases,
        label: 'scorer-kill',
        progress,
      });
      const kill = (run.summary?.metrics?.kill ?? {}) as KillFigures;
      if (kill.refused) step(`the kill was refused, so nothing was injected: ${kill.refused}`);
      else if (kill.pid !== undefined)
        step(
          `SIGKILL sent to fraud-scorer pid ${kill.pid} at ${kill.sentAtS} s; ` +
            (kill.respawnedAfterS === undefined
              ? 'no respawn seen before the run ended'
              : `npm start respawned it ${kill.respawnedAfterS} s later`),
        );
      const { table, figures } = fraudPhaseTable(run, phases);
      const reconciled = p.reconcile === 'kafka';
      const lost = run.recorder.total('decisions_lost');
      const duplicated = run.recorder.total('decisions_duplicated');
      if (reconciled) step(`reconciled the decisions topic: ${lost} lost, ${duplicated} duplicated`);
      const outage = figures.outage;
      const notes = [...(run.summary?.notes ?? [])];
      const note = generatorNote(run, 'scorer-kill');
      if (note) notes.push(note);
      return {
        table,
        talkingPoint:
          `In the ${p.outageSeconds} s after the kill, ${percent(outage?.availability) ?? 'an unmeasured share'} of payments were answered in time, ` +
          `${percent(outage?.shares['rules-only']) ?? '?'} of all by the rules-only fallback` +
          (kill.respawnedAfterS === undefined
            ? ''
            : `; the scorer was back ${kill.respawnedAfterS} s after the kill`) +
          (reconciled
            ? `, and the topic shows ${lost} decisions lost and ${duplicated} duplicated. `
            : '. ') +
          'The scorer is stateless: it resumes from its committed offsets, and its output goes out in a Kafka transaction with them, so a crash repeats ' +
          "work without repeating decisions. The caller waits at most txn-api's deadline: past it, txn-api answers from the payment-level rules, flagged, " +
          'so the API stays available but degraded; in the runs load-tests/README.md describes, the late answers while the restarted scorer worked off its backlog ' +
          'were what cost the availability budget. ' +
          'In production: two or more scorers in the group, so a crash is a rebalance, not an outage.',
        metrics: {
          phases: figures,
          kill,
          decisions_lost: reconciled ? lost : null,
          decisions_duplicated: reconciled ? duplicated : null,
          generator_valid: run.generator.verdict.valid,
        },
        notes,
      };
    },
  });
}
