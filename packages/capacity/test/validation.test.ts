import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { valueAt } from '@mlsys/results';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/paths.js';
import { Results } from '../src/results.js';
import type { ComparedRow } from '../src/validation/compare.js';
import { checkFraudSync } from '../src/validation/fraud.js';
import { GOAL, validateCapacityModel } from '../src/validation/index.js';
import { checkRecs } from '../src/validation/recs.js';
import { renderComparison } from '../src/validation/table.js';
import { fixtureResults, fraudSyncFixture } from './validation-fixtures.js';

const rising = (rows: ComparedRow[], pick: (r: ComparedRow) => number) => {
  for (let i = 1; i < rows.length; i++) expect(pick(rows[i]!)).toBeGreaterThanOrEqual(pick(rows[i - 1]!));
};

describe('fraud-sync against the model, from a small results file', () => {
  const check = checkFraudSync(fixtureResults());

  it('when the file has sync and floor rows, then every sync row is compared and no floor row is', () => {
    expect(check.status).toBe('compared');
    expect(check.rows.map((r) => r.rate)).toEqual([100, 150, 200, 300]);
    expect(check.rows.every((r) => r.measured_from.includes('mode=sync'))).toBe(true);
  });

  it("when a row is compared, then its measured figures are the file's own, read at measured_from", () => {
    const file = fraudSyncFixture();
    for (const r of check.rows) {
      const path = r.measured_from.split('#')[1]!;
      expect(r.measured.p95_ms).toBe(valueAt(file, `${path}.p95_ms`));
      expect(r.measured.p99_ms).toBe(valueAt(file, `${path}.p99_ms`));
      expect(r.measured.share).toBeCloseTo(1 - (valueAt(file, `${path}.full_share`) as number), 10);
    }
  });

  it('when at most 5 % fell back up to 200/s, then capacity is 200/s and rows up to 160/s are judged', () => {
    expect(check.capacity.rate).toBe(200);
    expect(check.rows.filter((r) => r.judged).map((r) => r.rate)).toEqual([100, 150]);
    expect(check.rows.find((r) => r.calibration_row)?.rate).toBe(100);
  });

  it('when the rate rises, then the predicted percentiles and rules-only share do not fall', () => {
    rising(check.rows, (r) => r.predicted!.p95_ms);
    rising(check.rows, (r) => r.predicted!.p99_ms);
    rising(check.rows, (r) => r.predicted!.share);
  });

  it('when the same configuration ran twice, then the repeat ratio is the second run over the first', () => {
    expect(check.repeat_runs).toEqual([
      {
        rate: 150,
        first: 'bench/results/fraud-sync.json#metrics.rows[mode=sync,rate=150]',
        second: 'bench/results/fraud-sync.json#metrics.batching_rows[mode=sync,batch_window_ms=1,rate=150]',
        ratio: { p95: 1.2, p99: 1.3 },
      },
    ]);
  });
});

describe('recs against the model, from a small results file', () => {
  const check = checkRecs(fixtureResults());

  it('when the calibration row is the lightest, then the client hop is its client p95 minus the gateway p95', () => {
    const calibrated = check.model.calibrated as { client_hop_ms: { value: number } };
    expect(check.rows.find((r) => r.calibration_row)?.rate).toBe(50);
    expect(calibrated.client_hop_ms.value).toBeCloseTo(18 - 16.5, 9);
  });

  it('when the rate rises, then the predicted percentiles and degraded share do not fall', () => {
    expect(check.rows.map((r) => r.rate)).toEqual([25, 50, 100, 200]);
    rising(check.rows, (r) => r.predicted!.p95_ms);
    rising(check.rows, (r) => r.predicted!.p99_ms);
    rising(check.rows, (r) => r.predicted!.share);
  });

  it('when more than 5 % were degraded at 200 req/s, then capacity is 100 req/s and 200 is reported, not judged', () => {
    expect(check.capacity).toMatchObject({
      rate: 100,
      ref: 'bench/results/recs.json#metrics.rates[rate=100]',
    });
    expect(check.rows.find((r) => r.rate === 200)).toMatchObject({ capacity_fraction: 2, judged: false });
  });
});

describe('the whole validation', () => {
  it('when recs.json is absent, then recs is not compared and only fraud-sync ratios are counted', () => {
    const v = validateCapacityModel(fixtureResults({ recs: null }));
    const designs = v.metrics.designs as Array<{ design: string; status: string }>;
    expect(designs.find((d) => d.design === 'recs')?.status).toBe('not measured');
    expect(v.metrics.ratios_judged).toBe(4);
    expect(v.notes.some((n) => n.startsWith('recs: not compared'))).toBe(true);
  });

  it('when no results file holds a fraud-http run, then fraud-http is listed as not measured, with the reason', () => {
    const v = validateCapacityModel(fixtureResults());
    const http = (v.metrics.designs as Array<Record<string, unknown>>).find((d) => d.design === 'fraud-http');
    expect(http).toMatchObject({ status: 'not measured' });
    expect(String(http?.why)).toContain('fraud-http');
  });

  it('when run twice on the same files, then the results are identical (seeded draws)', () => {
    const strip = (v: ReturnType<typeof validateCapacityModel>) => JSON.stringify([v.params, v.metrics]);
    expect(strip(validateCapacityModel(fixtureResults()))).toBe(
      strip(validateCapacityModel(fixtureResults())),
    );
  });

  it('when printed, then every compared row has a line', () => {
    const v = validateCapacityModel(fixtureResults());
    const text = renderComparison(v.designs);
    expect(text.split('\n').filter((l) => /^\s+(recs|fraud-sync)\s/.test(l))).toHaveLength(8);
  });
});

describe('the validation of the committed results files', () => {
  const v = validateCapacityModel(Results.load(REPO_ROOT));
  const designs = v.metrics.designs as Array<{ design: string; status: string; rows?: ComparedRow[] }>;

  it('when built, then recs and fraud-sync are compared and every measured figure is the value at measured_from', () => {
    expect(designs.filter((d) => d.status === 'compared').map((d) => d.design)).toEqual([
      'recs',
      'fraud-sync',
    ]);
    for (const d of designs) {
      for (const r of d.rows ?? []) {
        const [file, path] = r.measured_from.split('#') as [string, string];
        const json = JSON.parse(readFileSync(join(REPO_ROOT, file), 'utf8'));
        expect(r.measured.p95_ms, r.measured_from).toBe(valueAt(json, `${path}.p95_ms`));
        expect(r.measured.p99_ms, r.measured_from).toBe(valueAt(json, `${path}.p99_ms`));
      }
    }
  });

  it("when summarised, then the goal's metric is the share of judged p95 and p99 ratios in band", () => {
    expect(v.slo).toEqual([GOAL]);
    const judged = designs.flatMap((d) => (d.rows ?? []).filter((r) => r.judged));
    const inBand = judged.reduce((n, r) => n + Number(r.in_band.p95) + Number(r.in_band.p99), 0);
    expect(v.metrics.ratios_judged).toBe(judged.length * 2);
    expect(v.metrics.ratios_in_band).toBe(inBand);
    expect(v.metrics[GOAL.metric]).toBeCloseTo(inBand / (judged.length * 2), 3);
  });
});
