import type { TimelineSnapshot } from '../metrics.js';
import type { Reconciliation } from './decision-ledger.js';
import type { DrillParams } from './drill-params.js';
import { windowFigures } from './drill-windows.js';
import type { FaultRecord } from './fault-sequence.js';

/**
 * The drill's figures beyond the runner's: one record per fault (target,
 * when, recovery time or why not), `recovery_s{fault:<id>}` for the table,
 * availability before the faults, outside and during each recovery,
 * the fault marks the HTML report draws on its time charts, and the notes
 * that say what each figure counts.
 */
export function drillSummary(
  params: DrillParams,
  records: readonly FaultRecord[],
  reconciliation: Reconciliation | undefined,
  timeline?: TimelineSnapshot,
): { metrics: Record<string, unknown>; notes: string[] } {
  const figures: Record<string, unknown> = {
    deadline_ms: params.deadlineMs,
    recs_deadline_ms: params.recsDeadlineMs,
    faults: records,
    faults_injected: records.filter((r) => r.injected_at_s !== undefined).length,
    faults_recovered: records.filter((r) => r.outcome === 'recovered').length,
    fault_marks: records.flatMap((r) => [
      ...(r.injected_at_s === undefined ? [] : [{ at_s: r.injected_at_s, label: r.id.replace(/^ha-/, '') }]),
      ...(r.recovered_at_s === undefined ? [] : [{ at_s: r.recovered_at_s, label: '✓' }]),
    ]),
  };
  for (const r of records) figures[`recovery_s{fault:${r.id}}`] = r.recovery_s ?? null;
  if (timeline?.counts && records.some((r) => r.injected_at_s !== undefined))
    Object.assign(figures, windowFigures(timeline.counts, records));
  const notes = [
    `availability{design:...}: over the whole run; availability{design:...,window:before-faults} before the first fault, ...,window:outside-recoveries} outside every window from a fault's injection to its recovery, {design:...,fault:<id>} inside that fault's window. Available: a 2xx within the design's deadline (fraud ${params.deadlineMs} ms, recs ${params.recsDeadlineMs} ms, from the scheduled start) whose body passes its contract (Decision for the same transaction, Recommendations for the same user); rules-only and degraded answers are available and counted apart (fraud_rules_only, recs_degraded: shares of that design's requests); held-for-review, late, invalid bodies, non-2xx and failed requests are not`,
  ];
  for (const r of records) {
    if (r.outcome === 'recovered')
      notes.push(
        `${r.id}: ${r.target} at ${r.injected_at_s} s, recovered after ${r.recovery_s} s (${r.state})`,
      );
    else if (r.outcome === 'skipped') notes.push(`${r.id}: not injected, ${r.reason}`);
    else notes.push(`${r.id}: ${r.outcome.toUpperCase()}${r.target ? ` (${r.target})` : ''}: ${r.reason}`);
  }
  if (records.length === 0) notes.push('no fault injected (--param faults=none): the baseline');
  if (reconciliation) {
    figures.decisions_accepted = reconciliation.accepted;
    figures.decisions_lost_sample = reconciliation.lostSample;
    notes.push(
      `reconciliation (decisions topic, waited up to ${params.reconcileTimeoutMs / 1000} s): ` +
        `${reconciliation.accepted} accepted, ${reconciliation.decidedOnce} decided, ` +
        `${reconciliation.lost} LOST, ${reconciliation.duplicated} DUPLICATED` +
        (reconciliation.lost + reconciliation.duplicated > 0 ? ' — exactly-once broken' : ''),
    );
  } else {
    // Not measured is not zero: no counts that read as "nothing lost".
    for (const name of ['decisions', 'decisions_lost', 'decisions_duplicated', 'decisions_unacknowledged'])
      figures[name] = null;
    notes.push('decisions not reconciled (--param reconcile=none)');
  }
  return { metrics: figures, notes };
}
