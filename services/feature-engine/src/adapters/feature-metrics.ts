import type { BatchStats } from '@mlsys/kafka/stream';
import type { Metrics } from '@mlsys/telemetry';
import type { CheckpointReplicaEvents } from '../domain/checkpoint-replica.js';
import type { FeatureTaskObserver } from '../domain/feature-task.js';

export interface FeatureMetrics {
  observer: FeatureTaskObserver;
  checkpoints: CheckpointReplicaEvents;
  onBatch(stats: BatchStats, entities: Record<string, number>): void;
  lastCheckpointAt(): number | null;
  /** One request-path ONNX call: how many payments shared it, and its time. */
  modelCall(rows: number, modelMs: number): void;
}

/** Prometheus series of the feature engine; see the README for what each one means. */
export function featureMetrics(
  metrics: Metrics,
  log: (message: string, fields: object) => void,
): FeatureMetrics {
  const transactions = metrics.counter(
    'feature_engine_transactions_total',
    'payments applied, by outcome: enriched, duplicate (already applied, nothing changed), replayed (state rebuild)',
    ['outcome'],
  );
  const chargebacks = metrics.counter(
    'feature_engine_chargebacks_total',
    'chargebacks applied, by outcome: applied, duplicate, unknown-transaction',
    ['outcome'],
  );
  const deadLetters = metrics.counter(
    'feature_engine_dead_letters_total',
    'malformed messages sent to the dead-letter topic',
  );
  const eventToFeatures = metrics.histogram(
    'feature_engine_event_to_features_seconds',
    "from a payment's event time to its features being computed",
  );
  const modelRows = metrics.histogram(
    'feature_engine_model_batch_rows',
    'payments per request-path ONNX call (the micro-batch size)',
    [],
    [1, 2, 4, 8, 16, 32, 64, 128, 256],
  );
  const modelSeconds = metrics.histogram('feature_engine_model_seconds', 'one request-path ONNX call');
  const processSeconds = metrics.histogram('feature_engine_batch_process_seconds', 'time to apply one batch');
  const commitSeconds = metrics.histogram(
    'feature_engine_batch_commit_seconds',
    'time to produce one batch and commit it with its offsets (one Kafka transaction)',
  );
  const batchRecords = metrics.counter('feature_engine_batches_total', 'batches committed');
  const alignmentTimeouts = metrics.counter(
    'feature_engine_alignment_timeouts_total',
    'times a silent partition was passed over by the event-time merge',
  );
  const checkpointSeconds = metrics.histogram(
    'feature_engine_checkpoint_seconds',
    'time to capture and write a state checkpoint (in the replica thread, beside the stream)',
  );
  const checkpointEntities = metrics.counter(
    'feature_engine_checkpoint_entities_total',
    'entity snapshots written to Redis',
  );
  const checkpointFailures = metrics.counter(
    'feature_engine_checkpoint_failures_total',
    'checkpoints that failed (retried at the next one)',
  );
  const entities = metrics.gauge('feature_engine_entities', 'entities held in memory', ['kind']);
  let lastCheckpointAt: number | null = null;

  return {
    observer: {
      restored(count, rewinds) {
        log('state restored from the checkpoint', { entities: count, rewoundPartitions: rewinds.length });
      },
      applied(tally, enrichedAt, eventTimes) {
        transactions.inc({ outcome: 'enriched' }, tally.enriched);
        transactions.inc({ outcome: 'duplicate' }, tally.duplicates);
        transactions.inc({ outcome: 'replayed' }, tally.replayed);
        for (const [outcome, count] of Object.entries(tally.chargebacks)) chargebacks.inc({ outcome }, count);
        for (const eventTime of eventTimes)
          eventToFeatures.observe(Math.max(0, enrichedAt - eventTime) / 1000);
      },
    },
    checkpoints: {
      checkpointed(count, ms) {
        lastCheckpointAt = Date.now();
        checkpointEntities.inc(count);
        checkpointSeconds.observe(ms / 1000);
      },
      checkpointFailed(error) {
        checkpointFailures.inc();
        log('checkpoint failed; retrying at the next one', { err: error.message });
      },
    },
    onBatch(stats, held) {
      batchRecords.inc();
      deadLetters.inc(stats.deadLetters);
      alignmentTimeouts.inc(stats.forcedReleases);
      processSeconds.observe(stats.processMs / 1000);
      commitSeconds.observe(stats.commitMs / 1000);
      for (const [kind, count] of Object.entries(held)) entities.set({ kind }, count);
    },
    lastCheckpointAt: () => lastCheckpointAt,
    modelCall(rows, modelMs) {
      modelRows.observe(rows);
      modelSeconds.observe(modelMs / 1000);
    },
  };
}
