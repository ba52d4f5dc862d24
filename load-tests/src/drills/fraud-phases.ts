import { param } from '../params.js';
import type { LoadRun } from '../run-load.js';
import type { Cell, DrillTable } from './drill.js';
import { figuresOf, type Phase, type PhaseFigures } from './phases.js';
import { ms, percent } from './table.js';

/** The answer classes fraud-availability tags every answer with (src/workloads/availability.ts). */
/** The fraud drills' shared settings: a warm-up, and whether (and how long) to reconcile the decisions topic. */
export const fraudRunParams = {
  warmupSeconds: param.int({ description: 'unmeasured traffic first', default: 5, min: 0 }),
  reconcile: param.oneOf(['kafka', 'none'] as const, {
    description: 'count lost and duplicated decisions from the decisions topic afterwards',
    default: 'kafka',
  }),
  reconcileTimeoutMs: param.int({
    description: 'how long to wait for late decisions',
    default: 30_000,
    min: 0,
  }),
};

export const ANSWER_CLASSES = ['pipeline', 'rules-only', 'held-for-review', 'late', 'failed'] as const;

export interface FraudPhase extends Phase {
  /** The row's label, e.g. `Redis paused (0-8 s)`. */
  label: string;
}

/** Per phase of a fraud-availability run: latency, availability and where the answers came from. */
export function fraudPhaseTable(
  run: LoadRun,
  phases: readonly FraudPhase[],
): { table: DrillTable; figures: Record<string, PhaseFigures> } {
  const figures: Record<string, PhaseFigures> = {};
  const rows: Cell[][] = phases.map((phase) => {
    const f = figuresOf(run.recorder, {
      filter: { phase: phase.name },
      shareTag: 'answer',
      shareValues: ANSWER_CLASSES,
    });
    figures[phase.name] = f;
    return [
      phase.label,
      f.requests,
      ms(f.p50_ms),
      ms(f.p95_ms),
      ms(f.p99_ms),
      percent(f.shares.pipeline),
      percent(f.shares['rules-only']),
      percent((f.shares['held-for-review'] ?? 0) + (f.shares.late ?? 0) + (f.shares.failed ?? 0)),
      percent(f.availability),
    ];
  });
  return {
    table: {
      columns: [
        'phase',
        'payments',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'pipeline',
        'rules-only',
        'held/late/failed',
        'available',
      ],
      rows,
    },
    figures,
  };
}

/** `(from-to s)` for a phase label. */
export const span = (fromS: number, toS: number) => `${fromS}-${toS} s`;
