import type { BatchStats } from '@mlsys/kafka/stream';
import type { Metrics } from '@mlsys/telemetry';
import type { ScoringObserver } from '../domain/scoring-task.js';
import type { RulesFileEvents } from './rules-file.js';

export interface ScoringMetrics {
  observer: ScoringObserver;
  rulesEvents: RulesFileEvents;
  onBatch(stats: BatchStats): void;
}

/** Prometheus series of the scorer; see the README for what each one means. */
export function scoringMetrics(
  metrics: Metrics,
  log: (level: 'info' | 'error', message: string, fields: object) => void,
): ScoringMetrics {
  const decisions = metrics.counter(
    'fraud_scorer_decisions_total',
    'decisions produced, by outcome and mode',
    ['decision', 'mode'],
  );
  const requestPath = metrics.counter(
    'fraud_scorer_request_path_decisions_total',
    "decisions the partition's owner made on the request path, by outcome and by who logged them: the owner (skipped here) or this scorer (unchanged)",
    ['decision', 'logged_by'],
  );
  const rulesFired = metrics.counter('fraud_scorer_rules_fired_total', 'rule firings, by rule id', ['rule']);
  const eventToDecision = metrics.histogram(
    'fraud_scorer_event_to_decision_seconds',
    "from a transaction's event time to its decision being made (before it is committed)",
  );
  const modelSeconds = metrics.histogram('fraud_scorer_model_seconds', 'one ONNX call for one batch');
  const commitSeconds = metrics.histogram(
    'fraud_scorer_batch_commit_seconds',
    'time to produce one batch of decisions and commit it with its offsets (one Kafka transaction)',
  );
  const deadLetters = metrics.counter(
    'fraud_scorer_dead_letters_total',
    'enriched messages dead-lettered (malformed, or features of another spec)',
  );
  const reloads = metrics.counter('fraud_scorer_rules_reloads_total', 'rules file reloads, by outcome', [
    'outcome',
  ]);

  return {
    observer: {
      scored(batch, fired, modelMs) {
        modelSeconds.observe(modelMs / 1000);
        for (const decision of batch) {
          decisions.inc({ decision: decision.decision, mode: decision.mode });
          eventToDecision.observe(Math.max(0, decision.decidedAt - decision.eventTime) / 1000);
        }
        for (const rules of fired) for (const rule of rules) rulesFired.inc({ rule: rule.id });
      },
      requestPath(batch, by) {
        for (const decision of batch) requestPath.inc({ decision: decision.decision, logged_by: by });
      },
    },
    rulesEvents: {
      reloaded(book) {
        reloads.inc({ outcome: 'applied' });
        log('info', 'rules reloaded', { rulesVersion: book.version, rules: book.source.rules.length });
      },
      rejected(error) {
        reloads.inc({ outcome: 'rejected' });
        log('error', 'rules file rejected; the previous rules stay in force', { err: error.message });
      },
    },
    onBatch(stats) {
      deadLetters.inc(stats.deadLetters);
      commitSeconds.observe(stats.commitMs / 1000);
    },
  };
}
