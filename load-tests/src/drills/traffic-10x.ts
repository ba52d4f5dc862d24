import { findCapacity } from '../capacity.js';
import { param } from '../params.js';
import type { LoadRun } from '../run-load.js';
import recsSteady from '../scenarios/recs-steady.js';
import { SLO } from '../slo.js';
import { type DrillFindings, defineDrill } from './drill.js';
import { drillLoad, generatorNote } from './drill-load.js';
import { estimateCli, type RunEstimate, type SheetJson, sheetLatency, sheetValue } from './estimate.js';
import { figuresOf } from './phases.js';
import { ms, percent } from './table.js';

const params = {
  startRate: param.number({ description: 'first rate of the search (req/s)', default: 25, min: 1 }),
  factor: param.number({ description: 'each step multiplies the rate by this', default: 1.5, min: 1.05 }),
  maxRate: param.number({ description: 'highest rate the search tries', default: 400, min: 1 }),
  stepSeconds: param.int({ description: 'length of one search step', default: 8, min: 1 }),
  warmupSeconds: param.int({ description: 'unmeasured traffic before the first step', default: 5, min: 0 }),
  maxDegraded: param.number({
    description: "a step holds only if at most this share of answers fell back (the capacity model's rule)",
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
    description: "known users in the stack's data (the load's Zipf mix)",
    default: 50_000,
    min: 1,
  }),
  fleetUsers: param.string({ description: 'users the model sizes the fleet for', default: '100M' }),
  fleetSongs: param.string({ description: 'songs the model sizes the fleet for', default: '50M' }),
};

interface Measured {
  rate: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  degraded: number | null;
  availability: number | null;
}

function measured(rate: number, run: LoadRun): Measured {
  const figures = figuresOf(run.recorder, { filter: { scenario: 'recommendations' } });
  return {
    rate,
    p50: figures.p50_ms,
    p95: figures.p95_ms,
    p99: figures.p99_ms,
    degraded: run.recorder.share('degraded'),
    availability: run.recorder.share('availability'),
  };
}

interface Predicted {
  rate: number;
  sheet: SheetJson;
}

/** The capacity model is a child process; tests give a stand-in. */
export function trafficTenX(deps: { estimate?: RunEstimate } = {}) {
  return defineDrill({
    name: 'traffic-10x',
    question: 'Traffic goes up 10x tomorrow. What breaks first, and what do you need?',
    summary:
      'recs: finds the highest rate this box holds (p95, errors, fallbacks), sends 10x that for a few seconds, and asks the capacity model for the fleet at 1x and 10x',
    needs: ['rec-api'],
    params,
    budgetMs: 180_000,
    async run({ targets, params: p, step, progress, root }): Promise<DrillFindings> {
      const estimate = deps.estimate ?? estimateCli(root);
      const notes: string[] = [];
      step(
        `searching this box's capacity: recs-steady from ${p.startRate}/s, x${p.factor} per ${p.stepSeconds} s step, ` +
          `until p95 ${SLO.recs.endToEndP95.op} ${SLO.recs.endToEndP95.target} ms or availability ${SLO.recs.availability.op} ${SLO.recs.availability.target} ` +
          `fails, or more than ${(p.maxDegraded * 100).toFixed(0)} % of answers fall back`,
      );
      const scenarioParams = { users: String(p.users) };
      let first = true;
      const search = await findCapacity(
        { startRate: p.startRate, factor: p.factor, maxRate: p.maxRate },
        async (rate) => {
          const run = await drillLoad({
            scenario: recsSteady,
            targets,
            params: scenarioParams,
            ratePerSecond: rate,
            durationMs: p.stepSeconds * 1000,
            warmupMs: first ? p.warmupSeconds * 1000 : 0,
            label: `traffic-10x search @ ${rate}/s`,
            progress,
          });
          first = false;
          const detail = measured(rate, run);
          const held = run.verdicts.every((v) => v.pass) && (detail.degraded ?? 0) <= p.maxDegraded;
          const note = generatorNote(run, `step ${rate}/s`);
          if (note) notes.push(note);
          step(
            `  ${rate}/s: p95 ${ms(detail.p95)} ms, ${percent(detail.degraded)} fell back, ${percent(detail.availability)} available -> ${held ? 'held' : 'broke'}`,
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
      const overloadRun = await drillLoad({
        scenario: recsSteady,
        targets,
        params: scenarioParams,
        ratePerSecond: overloadRate,
        durationMs: p.overloadSeconds * 1000,
        warmupMs: 0,
        label: `traffic-10x @ ${overloadRate}/s`,
        progress,
      });
      const overload = measured(overloadRate, overloadRun);
      const overloadNote = generatorNote(overloadRun, `${p.multiplier}x run`);
      if (overloadNote) notes.push(overloadNote);

      const fleet = ['--design', 'recs', '--users', p.fleetUsers, '--songs', p.fleetSongs];
      step(
        `asking the capacity model (npm run estimate) for ${p.fleetUsers} users, ${p.fleetSongs} songs at ${base.rate}/s and ${base.rate * p.multiplier}/s`,
      );
      const predicted: Predicted[] = [];
      for (const rate of [base.rate, base.rate * p.multiplier]) {
        predicted.push({ rate, sheet: await estimate([...fleet, '--rps', String(rate)]) });
      }

      const boxRow = (label: string, m: Measured) => [
        label,
        m.rate,
        ms(m.p50),
        ms(m.p95),
        ms(m.p99),
        percent(m.degraded),
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
        percent(sheetValue(sheet, 'degraded answers (a stage fell back)')),
        null,
        sheetValue(sheet, 'instances, all services'),
        sheetValue(sheet, 'cores in use at peak, all services'),
        sheetValue(sheet, 'monthly cost'),
      ];
      const [oneX, tenX] = predicted as [Predicted, Predicted];
      const instances1 = sheetValue(oneX.sheet, 'instances, all services');
      const instances10 = sheetValue(tenX.sheet, 'instances, all services');
      const shardInstances = sheetValue(tenX.sheet, 'index shard instances');
      const indexShare = shardInstances !== null && instances10 ? shardInstances / instances10 : null;
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
        talkingPoint:
          `On this box the pipeline held ${base.rate}/s; at ${overloadRate}/s the p95 was ${ms(overload.p95) ?? 'not measured'} ms ` +
          `with ${percent(overload.degraded) ?? 'an unmeasured share'} of answers from fallbacks and ${percent(overload.availability) ?? 'an unmeasured share'} available. ` +
          'Read the fallback share beside the p95: rec-api cuts each stage at its deadline and falls back, so overload shows as degraded answers before it shows as latency. ' +
          'The fix is horizontal: the recs services keep no state of their own (features live in Redis, the index is loaded from a file), so each scales by instances; ' +
          `the model sizes ${instances1 ?? '?'} instances at 1x and ${instances10 ?? '?'} at ${p.multiplier}x, ` +
          `${percent(indexShare) ?? 'an unknown share'} of them index shard replicas at ${p.multiplier}x, because every request visits every shard. ` +
          'So the levers past more instances are fewer, larger shards (measure one first) and caching candidates per user.',
        metrics: {
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
          })),
        },
        notes,
      };
    },
  });
}
