// The recs model put back on the stack `npm run bench -- recs` ran: one
// process per service, Poisson arrivals at each rate step's achieved rate,
// the same inputs the sheet uses (CPU fitted over the rows below
// saturation, stages at the lightest load, rec-api's deadlines), and its
// p50/p95/p99 and degraded share set against what that step measured.
//
// One input the sheet does not need: the bench measures from the load
// generator, the stages from inside the gateway, so the hop between them
// (HTTP, the generator's own lag) is in every measured figure and in no
// stage. It is calibrated once, at the calibration row, as the client p95
// minus the gateway total's p95, and added to every draw at every rate.

import { benchRows } from '../designs/common.js';
import { RECS_ROWS, RECS_SERVICES, type RecsService, recsInputs } from '../designs/recs-inputs.js';
import { RECS_DEADLINES_MS, recsLatency } from '../designs/recs-latency.js';
import { given, model } from '../figure.js';
import { DEFAULTS } from '../givens.js';
import { type Pool, sizePool } from '../pool.js';
import { RESULT_FILES, type Results } from '../results.js';
import { compareRow, measuredCapacity, type RowInput } from './compare.js';
import {
  type DesignCheck,
  figureJson,
  maxUtilisation,
  measuredAt,
  measuredCores,
  notCompared,
} from './design-check.js';

const FILE = RESULT_FILES.recs;

export function checkRecs(results: Results): DesignCheck {
  const rows = benchRows(results, RECS_ROWS);
  if (rows.length === 0)
    return notCompared(
      'recs',
      FILE,
      `${FILE} has no rate steps with a degraded share (npm run bench -- recs)`,
    );
  const inputs = recsInputs(results);
  const capacity = measuredCapacity(rows, DEFAULTS.maxFallbackShare);
  const capacityRow = rows.find((r) => r.rate === capacity);
  const calPath = inputs.calibration?.path ?? 'metrics.rates[rate=?]';
  const hop = model(
    'ms',
    'client p95 - gateway total p95 at the calibration row (generator -> gateway hop, in no stage)',
    [
      results.figure(FILE, `${calPath}.p95_ms`, 'ms'),
      results.figure(FILE, `${calPath}.stages_p95_ms.total`, 'ms'),
    ],
    (client, gateway) => Math.max(0, client - gateway),
  );
  const one = given(1, 'instances', 'one process per service, as the recs bench ran the stack');

  const compared = rows.flatMap((row) => {
    const measured = measuredAt(results, FILE, row.path, row.fallbackShare);
    if (!measured) return [];
    const arrivals = results.figure(FILE, `${row.path}.achieved_rps`, 'req/s');
    const pool = (service: RecsService): Pool =>
      sizePool({
        service,
        arrivals,
        cpu: inputs.cpu[service],
        serviceCv2: inputs.serviceCv2[service],
        fleet: { instances: one },
      });
    const pools = Object.fromEntries(RECS_SERVICES.map((s) => [s, pool(s)])) as Record<RecsService, Pool>;
    const { latency, degradedShare } = recsLatency({
      stageMean: inputs.stageMean,
      stageP95: inputs.stageP95,
      gateway: pools['rec-api'],
      candidatePools: [pools['candidate-gen']],
      ranker: pools.ranker,
      rules: pools.rules,
    });
    const endToEnd = latency.at(-1)!;
    const predicted = [endToEnd.p50, endToEnd.p95, endToEnd.p99, degradedShare, hop].every(
      (f) => f.value !== null,
    )
      ? {
          p50_ms: endToEnd.p50.value! + hop.value!,
          p95_ms: endToEnd.p95.value! + hop.value!,
          p99_ms: endToEnd.p99.value! + hop.value!,
          share: degradedShare.value!,
        }
      : null;
    const input: RowInput = {
      rate: row.rate,
      measuredFrom: `${FILE}#${row.path}`,
      calibration: row.path === inputs.calibration?.path,
      predicted,
      measured,
      diagnostics: {
        arrivals_per_s: arrivals.value,
        max_modelled_utilisation: maxUtilisation(Object.values(pools)),
        services_cores_measured: measuredCores(results, FILE, row.path, 'cpu_ms_per_request.all', 1000),
      },
    };
    return [compareRow(input, capacity)];
  });

  const cpuJson = (s: RecsService) => ({
    marginal_ms: figureJson(inputs.cpu[s].marginalMs),
    fixed_cores: figureJson(inputs.cpu[s].fixedCores),
    service_cv2: figureJson(inputs.serviceCv2[s]),
  });
  return {
    design: 'recs',
    file: FILE,
    started_at: results.raw(FILE, 'startedAt'),
    status: 'compared',
    share_meaning: 'degraded answers (a stage past its deadline): degraded_share',
    capacity: {
      rate: capacity,
      ref: capacityRow ? `${FILE}#${capacityRow.path}` : null,
      rule: `the highest rate step with at most ${DEFAULTS.maxFallbackShare * 100} % degraded answers`,
    },
    rows: compared,
    model: {
      path: 'GET /v1/recommendations: features, candidates, ranker, rules in series, each cut at its deadline; rec-api own work; end to end + client hop',
      deadlines_ms: RECS_DEADLINES_MS,
      calibration_row: inputs.calibration ? `${FILE}#${inputs.calibration.path}` : null,
      fleet: figureJson(one),
      services: Object.fromEntries(RECS_SERVICES.map((s) => [s, cpuJson(s)])),
      calibrated: { client_hop_ms: figureJson(hop, 3) },
    },
    notes: [],
  };
}
