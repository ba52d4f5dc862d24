import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { valueAt } from '@mlsys/results';
import { describe, expect, it } from 'vitest';
import { parseCli, parseCount, UsageError } from '../src/args.js';
import { OWNER_DEADLINE_MS } from '../src/designs/fraud.js';
import { fraudInputs } from '../src/designs/fraud-inputs.js';
import { RECS_DEADLINES_MS } from '../src/designs/recs.js';
import { estimate } from '../src/estimate.js';
import { basisOf, type Figure } from '../src/figure.js';
import { REPO_ROOT } from '../src/paths.js';
import { RESULT_FILES, Results } from '../src/results.js';
import { figuresOf, renderSheet, type Sheet, sheetJson } from '../src/sheet.js';
import { fixtureResults, fraudSyncFixture } from './validation-fixtures.js';

// The committed results files, as `npm run estimate` reads them: no figure is typed in here.
const committed = Results.load(REPO_ROOT);
const fraud = (tps: number, extra: { peak?: number; entities?: number } = {}) =>
  estimate(committed, { design: 'fraud', tps, peak: extra.peak ?? 1, utilisation: 0.6, ...extra });
const recs = (songs: number, rps = 20_000, results = committed) =>
  estimate(results, { design: 'recs', users: 100e6, songs, rps, peak: 1, utilisation: 0.6 });
const row = (sheet: Sheet, what: string): Figure => {
  const found = sheet.rows.find((r) => r.what === what);
  if (!found) throw new Error(`no row "${what}"`);
  return found.figure;
};
const readJson = (file: string) => JSON.parse(readFileSync(join(REPO_ROOT, file), 'utf8'));

/** The committed files as objects, with one path deleted: a results file without that figure. */
function without(file: string, path: string[]): Results {
  const files: Record<string, unknown> = {};
  for (const f of Object.values(RESULT_FILES)) files[f] = readJson(f);
  let node = files[file] as Record<string, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  delete node[path.at(-1)!];
  return Results.of(files);
}

/**
 * The committed files with every synchronous fraud-sync row counted as fully answered: the sizing
 * arithmetic's properties (monotone in load and peak) hold whichever rows a run left below the
 * saturation rule, and a noisy run may leave none (the sheet then says "not measured").
 */
function withFraudSyncAnswered(): Results {
  const files: Record<string, unknown> = {};
  for (const f of Object.values(RESULT_FILES)) files[f] = readJson(f);
  const sync = files[RESULT_FILES.fraudSync] as { metrics: { rows: Array<Record<string, unknown>> } };
  for (const r of sync.metrics.rows) if (r.mode === 'sync' && r.availability === 1) r.full_share = 1;
  return Results.of(files);
}
const answered = withFraudSyncAnswered();
const fraudAnswered = (tps: number, peak = 1) =>
  estimate(answered, { design: 'fraud', tps, peak, utilisation: 0.6 });

describe('the sheets from the committed results', () => {
  const sheets = [fraud(10_000, { peak: 3 }), recs(50e6)];

  it('when built, then every figure has a source, and only a "not measured" one has no value', () => {
    for (const sheet of sheets) {
      for (const { label, figure } of figuresOf(sheet)) {
        expect(['measured', 'model', 'given', 'not measured'], label).toContain(figure.source.kind);
        expect(figure.value === null, label).toBe(figure.source.kind === 'not measured');
        if (figure.source.kind === 'model') expect(basisOf(figure.source).length, label).toBeGreaterThan(0);
      }
    }
  });

  it('when a figure says it is measured, then its FILE#PATH holds exactly that value', () => {
    for (const sheet of sheets) {
      const refs = figuresOf(sheet).flatMap(({ figure }) => basisOf(figure.source));
      const measuredRefs = refs.filter((ref) => ref.startsWith('bench/results/'));
      expect(measuredRefs.length).toBeGreaterThan(5);
      for (const { figure } of figuresOf(sheet)) {
        if (figure.source.kind !== 'measured') continue;
        const [file, path] = figure.source.ref.split('#') as [string, string];
        expect(valueAt(readJson(file), path)).toBe(figure.value);
      }
      for (const ref of measuredRefs) {
        const [file, path] = ref.split('#') as [string, string];
        expect(typeof valueAt(readJson(file), path), ref).toBe('number');
      }
    }
  });

  it('when printed or written as JSON, then every figure carries its source there too', () => {
    for (const sheet of sheets) {
      const text = renderSheet(sheet);
      expect(text).toContain('INPUTS OF THE MODEL ROWS');
      const json = sheetJson(sheet) as { rows: Array<{ source: { kind: string } }>; latency: unknown[] };
      for (const r of json.rows) expect(r.source.kind).toBeTruthy();
      expect(json.latency.length).toBe(sheet.latency.length);
    }
  });

  it('when an input exists in no results file, then the sheet says "not measured" for it', () => {
    const [fraudSheet, recsSheet] = sheets as [Sheet, Sheet];
    expect(row(fraudSheet, 'MB/s into the brokers').source.kind).toBe('not measured');
    expect(row(fraudSheet, 'fraud-monitor cores').value).toBeNull();
    expect(row(recsSheet, 'Redis memory per user').source.kind).toBe('not measured');
    expect(row(recsSheet, 'Redis shards').value).toBeNull();
    expect(renderSheet(recsSheet)).toContain('not measured');
  });

  it('when the fraud load grows, then no service needs fewer instances and the fleet grows', () => {
    const loads = [1_000, 10_000, 30_000, 100_000].map((tps) => fraudAnswered(tps));
    const services = ['txn-api', 'feature-engine', 'fraud-scorer'];
    for (let i = 1; i < loads.length; i++) {
      for (const s of services)
        expect(row(loads[i]!, `${s} instances`).value!).toBeGreaterThanOrEqual(
          row(loads[i - 1]!, `${s} instances`).value!,
        );
      expect(row(loads[i]!, 'cores in use at peak, all services').value!).toBeGreaterThan(
        row(loads[i - 1]!, 'cores in use at peak, all services').value!,
      );
    }
  });

  it('when the peak factor is 3, then the fleet is sized for three times the design load', () => {
    const flat = fraudAnswered(10_000);
    const peaked = fraudAnswered(10_000, 3);
    expect(row(peaked, 'payments/s (peak, sized for)').value).toBe(
      3 * row(flat, 'payments/s (peak, sized for)').value!,
    );
    expect(row(peaked, 'instances, all services').value!).toBeGreaterThan(
      row(flat, 'instances, all services').value!,
    );
  });

  it('when the catalogue or the rate grows, then shards, index memory and index instances grow', () => {
    const small = recs(10e6);
    const large = recs(50e6);
    expect(row(large, 'shards').value!).toBeGreaterThan(row(small, 'shards').value!);
    expect(row(large, 'HNSW memory, one copy of the catalogue').value!).toBeGreaterThan(
      row(small, 'HNSW memory, one copy of the catalogue').value!,
    );
    expect(row(recs(50e6, 40_000), 'index shard instances').value!).toBeGreaterThan(
      row(large, 'index shard instances').value!,
    );
  });

  it('when the catalogue fits the serving index, then nothing is sharded', () => {
    const small = recs(50_000);
    expect(row(small, 'shards').value).toBe(1);
    expect(small.rows.some((r) => r.what.startsWith('candidate-gen instances'))).toBe(true);
  });

  it('when --entities is given, then the checkpoint memory follows from the measured bytes per entity', () => {
    const sheet = fraud(10_000, { entities: 1e6 });
    const bytes = valueAt(readJson(RESULT_FILES.fraudOffline), 'metrics.snapshot_bytes_per_entity') as number;
    expect(row(sheet, 'checkpoint memory').value).toBeCloseTo((1e6 * bytes * 2) / 2 ** 30, 9);
    expect(row(fraud(10_000), 'checkpoint memory').value).toBeNull();
  });

  it('when the predicted latency is read, then percentiles rise p50 <= p95 <= p99 in every stage', () => {
    for (const sheet of sheets) {
      for (const r of sheet.latency) {
        if (r.p50.value === null) continue;
        expect(r.p50.value).toBeLessThanOrEqual(r.p95.value!);
        expect(r.p95.value).toBeLessThanOrEqual(r.p99.value!);
      }
    }
  });
});

describe('missing inputs', () => {
  it('when ann.json has no index memory, then the index memory figures are not measured, the rest stands', () => {
    const sheet = recs(50e6, 20_000, without(RESULT_FILES.ann, ['metrics', 'index_memory_mib']));
    expect(row(sheet, 'HNSW bytes per song (graph + vector)').source.kind).toBe('not measured');
    expect(row(sheet, 'HNSW memory, every index process').value).toBeNull();
    expect(row(sheet, 'ranker instances').value).toBeGreaterThan(0);
    expect(() => renderSheet(sheet)).not.toThrow();
  });

  it('when recs.json has no stage timings, then the predicted latency is not measured', () => {
    const files: Record<string, unknown> = {};
    for (const f of Object.values(RESULT_FILES)) files[f] = readJson(f);
    for (const r of (files[RESULT_FILES.recs] as { metrics: { rates: Array<Record<string, unknown>> } })
      .metrics.rates)
      delete r.stages_p95_ms;
    const sheet = recs(50e6, 20_000, Results.of(files));
    for (const r of sheet.latency) expect(r.p99.source.kind, r.stage).toBe('not measured');
  });

  it('when a results file is absent, then its figures say which file to produce', () => {
    const files: Record<string, unknown> = {};
    for (const f of Object.values(RESULT_FILES)) if (f !== RESULT_FILES.fraudSync) files[f] = readJson(f);
    const sheet = estimate(Results.of(files), { design: 'fraud', tps: 10_000, peak: 1, utilisation: 0.6 });
    const cpu = row(sheet, 'txn-api CPU per decision (marginal)');
    expect(cpu.value).toBeNull();
    expect(cpu.source.kind === 'not measured' && cpu.source.missing).toContain('fraud-sync');
    expect(row(sheet, 'checkpoint bytes per entity').source.kind).toBe('measured');
  });
});

describe('the fraud CPU fit', () => {
  it('when a row answered rules-only above 5 % but stayed under the saturation mark, then its CPU is fitted; a row past the mark is not', () => {
    const file = fraudSyncFixture();
    // 300/s: 20 % rules-only, p99 350 ms: kept up. Add a row past the bench's 1,000 ms mark.
    const past = structuredClone(file.metrics.rows[3]!) as Record<string, unknown>;
    file.metrics.rows.push({ ...past, rate: 600, achieved_rps: 600, p99_ms: 2500 } as never);
    const inputs = fraudInputs(fixtureResults({ fraudSync: file }));
    const label = inputs.cpu['txn-api'].marginalMs.source;
    expect(JSON.stringify(label)).toContain('sync rates 100/150/200/300/s');
    expect(JSON.stringify(label)).not.toContain('600');
    // The latency calibration still takes only rows within the rules-only limit.
    expect(inputs.rowsBelowSaturation.map((r) => r.rate)).toEqual([100, 150, 200]);
  });

  it('when the results file has no saturation mark, then the CPU per decision is not measured', () => {
    const file = fraudSyncFixture() as { params: Record<string, unknown> };
    delete file.params.saturated_p99_ms;
    const inputs = fraudInputs(fixtureResults({ fraudSync: file }));
    expect(inputs.cpu['txn-api'].marginalMs.value).toBeNull();
  });
});

describe('givens kept equal to the code they restate', () => {
  it("when rec-api's deadline defaults or txn-api's owner deadline change, then this fails", () => {
    const recApi = readFileSync(join(REPO_ROOT, 'services/rec-api/src/main.ts'), 'utf8');
    for (const [stage, ms] of Object.entries(RECS_DEADLINES_MS)) {
      const match = new RegExp(
        `${stage.toUpperCase()}_DEADLINE_MS: env\\.int\\(\\{[^}]*default: (\\d+)`,
      ).exec(recApi);
      expect(Number(match?.[1]), stage).toBe(ms);
    }
    const budget = readFileSync(join(REPO_ROOT, 'services/txn-api/src/domain/decision-budget.ts'), 'utf8');
    expect(Number(/deadlineMs: (\d+)/.exec(budget)?.[1])).toBe(OWNER_DEADLINE_MS);
  });
});

describe('the command line', () => {
  it('when counts have suffixes, then they are read as such', () => {
    expect(parseCount('--users', '100M')).toBe(100e6);
    expect(parseCount('--tps', '10k')).toBe(10_000);
    expect(parseCount('--tps', '10,000')).toBe(10_000);
    expect(() => parseCount('--tps', 'lots')).toThrow(UsageError);
  });

  it('when the recs design has no --rps, then the default is used and marked as such', () => {
    const options = parseCli(['--design', 'recs', '--users', '100M', '--songs', '50M']);
    expect(options).toMatchObject({ design: 'recs', rpsDefaulted: true });
  });

  it('when a required flag is missing, then the error names it', () => {
    expect(() => parseCli(['--design', 'fraud'])).toThrow(/--tps/);
    expect(() => parseCli(['--design', 'recs', '--users', '1M'])).toThrow(/--songs/);
    expect(() => parseCli(['--design', 'fraud', '--tps', '1', '--utilisation', '2'])).toThrow(
      /--utilisation/,
    );
  });
});
