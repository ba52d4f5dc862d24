import { findCapacity } from '../capacity.js';
import { param } from '../params.js';
import { type DrillFindings, defineDrill } from './drill.js';
import { drillLoad, generatorNote } from './drill-load.js';
import { estimateCli, type RunEstimate, sheetLatency, sheetValue } from './estimate.js';
import { ms, percent } from './table.js';
import { type Measured, type Predicted, TEN_X_DESIGNS } from './traffic-10x-designs.js';

const params = {
  design: param.oneOf(['recs', 'fraud'] as const, {
    description:
      'which design to push: recs (GET /v1/recommendations) or fraud (POST /v1/transactions?wait=true)',
    default: 'recs',
  }),
  startRate: param.number({ description: 'first rate of the search (req/s)', default: 25, min: 1 }),
  factor: param.number({ description: 'each step multiplies the rate by this', default: 1.5, min: 1.05 }),
  maxRate: param.number({ description: 'highest rate the search tries', default: 400, min: 1 }),
  stepSeconds: param.int({ description: 'length of one search step', default: 8, min: 1 }),
  warmupSeconds: param.int({ description: 'unmeasured traffic before the first step', default: 5, min: 0 }),
  maxDegraded: param.number({
    description:
      "a step holds only if at most this share of answers fell back (recs: degraded; fraud: not the full pipeline), the capacity model's rule",
    default: 0.05,
    min: 0,
    max: 1,
  }),
  multiplier: param.number({ description: 'the "what if" factor on the held rate', default: 10, min: 1 }),
  overloadSeconds: param.int({
    description: 'length of the run at the multiplied rate',
    default: 10,
    min: 1,
  }),
  overloadMaxRate: param.number({
    description: 'cap on the multiplied rate actually sent to this box',
    default: 1000,
    min: 1,
  }),
  users: param.int({
    description: "recs: known users in the stack's data (the load's Zipf mix)",
    default: 50_000,
    min: 1,
  }),
  fleetUsers: param.string({ description: 'recs: users the model sizes the fleet for', default: '100M' }),
  fleetSongs: param.string({ description: 'recs: songs the model sizes the fleet for', default: '50M' }),
  peak: param.number({ description: 'fraud: peak over the average the model sizes for', default: 1, min: 1 }),
};

/** The capacity model is a child process; tests give a stand-in. */
export function trafficTenX(deps: { estimate?: RunEstimate } = {}) {
  return defineDrill({
    name: 'traffic-10x',
    question: 'Traffic goes up 10x tomorrow. What breaks first, and what do you need?',
    summary:
      'recs (default) or fraud (--param design=fraud): finds the highest rate this box holds (latency SLO, errors, fallbacks), sends 10x that for a few seconds, and asks the capacity model for the fleet at 1x and 10x',
    needs: ['rec-api', 'txn-api'],
    needsFor: (p) => [TEN_X_DESIGNS[p.design].service],
    params,
    budgetMs: 180_000,
    async run({ targets, params: p, step, progress, root }): Promise<DrillFindings> {
      const design = TEN_X_DESIGNS[p.design];
      const estimate = deps.estimate ?? estimateCli(root);
      const notes: string[] = [];
      step(
        `searching this box's capacity: ${design.scenario.name} from ${p.startRate}/s, x${p.factor} per ${p.stepSeconds} s step, ` +
          `until ${design.sloText} fails, or more than ${(p.maxDegraded * 100).toFixed(0)} % of answers fall back`,
      );
      const load = (rate: number, seconds: number, warmupSeconds: number, label: string) =>
        drillLoad({
          scenario: design.scenario,
          targets,
          params: design.scenarioParams(p),
          ratePerSecond: rate,
          durationMs: seconds * 1000,
          warmupMs: warmupSeconds * 1000,
          label,
          progress,
        });
      let first = true;
      const search = await findCapacity(
        { startRate: p.startRate, factor: p.factor, maxRate: p.maxRate },
        async (rate) => {
          const run = await load(
            rate,
            p.stepSeconds,
            first ? p.warmupSeconds : 0,
            `traffic-10x search @ ${rate}/s`,
          );
          first = false;
          const detail = design.measured(rate, run);
          const held =
            run.verdicts.every((v) => v.pass) &&
            design.latencyHeld(detail) &&
            (detail.fellBack ?? 0) <= p.maxDegraded;
          const note = generatorNote(run, `step ${rate}/s`);
          if (note) notes.push(note);
          step(
            `  ${rate}/s: p95 ${ms(detail.p95)} ms, p99 ${ms(detail.p99)} ms, ${percent(detail.fellBack)} fell back, ${percent(detail.availability)} available -> ${held ? 'held' : 'broke'}`,
          );
          return { verdict: { held, valid: run.generator.verdict.valid }, detail };
        },
      );
      const heldStep = search.steps.filter((s) => s.verdict.held).at(-1);
      const base = heldStep?.detail ?? (search.steps[0]?.detail as Measured);
      if (!heldStep) notes.push(`no step held, not even ${p.startRate}/s: the 1x row is that first step`);
      step(
        heldStep
          ? `highest rate held: ${base.rate}/s (search stopped: ${search.stop})`
          : `no rate held (search stopped: ${search.stop})`,
      );

      const overloadRate = Math.min(Math.round(base.rate * p.multiplier), p.overloadMaxRate);
      if (overloadRate < base.rate * p.multiplier)
        notes.push(`the ${p.multiplier}x run was capped at ${overloadRate}/s (--param overloadMaxRate)`);
      step(`sending ${overloadRate}/s (${p.multiplier}x) for ${p.overloadSeconds} s to the same box`);
      const overloadRun = await load(overloadRate, p.overloadSeconds, 0, `traffic-10x @ ${overloadRate}/s`);
      const overload = design.measured(overloadRate, overloadRun);
      const overloadNote = generatorNote(overloadRun, `${p.multiplier}x run`);
      if (overloadNote) notes.push(overloadNote);

      step(
        `asking the capacity model (npm run estimate) for ${design.fleetText(p)} at ${base.rate}/s and ${base.rate * p.multiplier}/s`,
      );
      const predicted: Predicted[] = [];
      for (const rate of [base.rate, base.rate * p.multiplier]) {
        predicted.push({ rate, sheet: await estimate(design.estimateArgs(p, rate)) });
      }

      const boxRow = (label: string, m: Measured) => [
        label,
        m.rate,
        ms(m.p50),
        ms(m.p95),
        ms(m.p99),
        percent(m.fellBack),
        percent(m.availability),
        'one of each',
        null,
        null,
      ];
      const modelRow = (label: string, { rate, sheet }: Predicted) => [
        label,
        rate,
        ms(sheetLatency(sheet, 'p50')),
        ms(sheetLatency(sheet, 'p95')),
        ms(sheetLatency(sheet, 'p99')),
        percent(sheetValue(sheet, design.fellBackRow)),
        null,
        sheetValue(sheet, 'instances, all services'),
        sheetValue(sheet, 'cores in use at peak, all services'),
        sheetValue(sheet, 'monthly cost'),
      ];
      const [oneX, tenX] = predicted as [Predicted, Predicted];
      return {
        table: {
          columns: [
            '',
            'req/s',
            'p50 ms',
            'p95 ms',
            'p99 ms',
            'fell back',
            'available',
            'instances',
            'cores',
            '$/month',
          ],
          rows: [
            boxRow('this box, highest rate held (measured)', base),
            boxRow(`this box at ${p.multiplier}x (measured)`, overload),
            modelRow('model fleet at 1x (predicted)', oneX),
            modelRow(`model fleet at ${p.multiplier}x (predicted)`, tenX),
          ],
        },
        talkingPoint: design.talkingPoint(
          { base, held: heldStep !== undefined, overload },
          [oneX, tenX],
          p.multiplier,
        ),
        metrics: {
          design: p.design,
          search: search.steps.map((s) => ({ ...s.detail, held: s.verdict.held, valid: s.verdict.valid })),
          search_stop: search.stop,
          held_rate: heldStep ? base.rate : null,
          overload,
          model: predicted.map(({ rate, sheet }) => ({
            rate,
            title: sheet.title,
            instances: sheetValue(sheet, 'instances, all services'),
            cores: sheetValue(sheet, 'cores in use at peak, all services'),
            monthly_cost: sheetValue(sheet, 'monthly cost'),
            p95_ms: sheetLatency(sheet, 'p95'),
            p99_ms: sheetLatency(sheet, 'p99'),
          })),
        },
        notes,
      };
    },
  });
}
