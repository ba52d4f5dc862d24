// The one-page sheet: the table a candidate would draw on a whiteboard, each
// figure followed by where it came from. Text for people, JSON for machines;
// both from the same object.
import { basisOf, describeSource, type Figure, flatSource } from './figure.js';

export interface SheetRow {
  section: string;
  what: string;
  figure: Figure;
}

export interface LatencyRow {
  stage: string;
  p50: Figure;
  p95: Figure;
  p99: Figure;
}

export interface Sheet {
  design: 'fraud' | 'recs';
  title: string;
  rows: SheetRow[];
  latency: LatencyRow[];
  /** What a reader must know to trust the figures. */
  notes: string[];
}

/** Every figure of a sheet, with a label saying where on the sheet it is. */
export function figuresOf(sheet: Sheet): Array<{ label: string; figure: Figure }> {
  return [
    ...sheet.rows.map((r) => ({ label: `${r.section} / ${r.what}`, figure: r.figure })),
    ...sheet.latency.flatMap((r) =>
      (['p50', 'p95', 'p99'] as const).map((p) => ({ label: `latency / ${r.stage} / ${p}`, figure: r[p] })),
    ),
  ];
}

const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

/** A figure's value as the sheet prints it, with its unit. */
export function formatValue(figure: Figure): string {
  const v = figure.value;
  if (v === null) return 'not measured';
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'n/a' : 'unbounded';
  switch (figure.unit) {
    case 'share':
      return `${(v * 100).toFixed(v < 0.001 && v > 0 ? 3 : v < 0.1 ? 2 : 1)} %`;
    case 'USD/month':
      return `$${thousands(v)}/month`;
    case 'USD/vCPU-hour':
    case 'USD/GB-hour':
      return `$${v}`;
    case 'GiB':
      return v < 1
        ? `${(v * 1024).toFixed(1)} MiB`
        : v >= 1024
          ? `${(v / 1024).toFixed(2)} TiB`
          : `${v.toFixed(1)} GiB`;
    case 'cores':
      return `${v < 100 ? v.toFixed(2) : thousands(v)} cores`;
    case 'ms':
      return `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : thousands(v)} ms`;
    case 'µs':
    case 'bytes':
    case 'MB/s':
      return `${v < 100 ? Number(v.toPrecision(3)) : thousands(v)} ${figure.unit}`;
    case '':
      return Number.isInteger(v) ? thousands(v) : String(Number(v.toPrecision(3)));
    default:
      return `${Number.isInteger(v) || v >= 100 ? thousands(v) : Number(v.toPrecision(3))} ${figure.unit}`;
  }
}

/**
 * Shortens a list of references for print: `bench/results/` is dropped and
 * references that differ only in one selector's value are merged,
 * `recs.json#metrics.rates[rate=25|50|75].p95_ms`.
 */
export function compactRefs(refs: string[]): string[] {
  const groups = new Map<string, { head: string; tail: string; selectors: string[] }>();
  const out: string[] = [];
  for (const ref of refs) {
    const short = ref.replace(/^bench\/results\//, '');
    const match = /^([^[]*)\[([^\]]+)\](.*)$/.exec(short);
    if (!match) {
      out.push(short);
      continue;
    }
    const [, head = '', selector = '', tail = ''] = match;
    const key = `${head}\u0000${tail}`;
    const group = groups.get(key);
    if (group) group.selectors.push(selector);
    else {
      const fresh = { head, tail, selectors: [selector] };
      groups.set(key, fresh);
      out.push(key);
    }
  }
  return out.map((item) => {
    const group = groups.get(item);
    if (!group) return item;
    const { head, tail, selectors } = group;
    if (selectors.length === 1) return `${head}[${selectors[0]}]${tail}`;
    // The shared start of the selectors up to the last '=' stays once: [mode=sync,rate=100|150].
    let common = selectors[0]!;
    for (const s of selectors) while (!s.startsWith(common)) common = common.slice(0, -1);
    common = common.slice(0, common.lastIndexOf('=') + 1);
    return `${head}[${common}${selectors.map((s) => s.slice(common.length)).join('|')}]${tail}`;
  });
}

/** [1, 2, 3, 5] -> "1-3,5". */
function ranges(numbers: number[]): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]));
    i = j;
  }
  return parts.join(',');
}

/**
 * The sheet as text: sections of `what  value  source`, the latency table,
 * the notes, and the numbered inputs that the model rows point to: a model
 * row reads "model: formula [3-5,9]", and inputs 3, 4, 5 and 9 are the
 * results references and givens it rests on.
 */
export function renderSheet(sheet: Sheet): string {
  const inputs = new Map<string, number>();
  const refsOf = (figure: Figure) => {
    const numbers = compactRefs(basisOf(figure.source)).map((item) => {
      if (!inputs.has(item)) inputs.set(item, inputs.size + 1);
      return inputs.get(item)!;
    });
    return `[${ranges(numbers)}]`;
  };
  const sourceText = (figure: Figure) =>
    figure.source.kind === 'model'
      ? `model: ${figure.source.formula} ${refsOf(figure)}`
      : describeSource(figure.source).replace(/^bench\/results\//, '');

  const lines: string[] = [sheet.title, ''];
  const whatWidth = Math.max(...sheet.rows.map((r) => r.what.length), 8);
  const valueWidth = Math.max(...sheet.rows.map((r) => formatValue(r.figure).length), 8);
  let section = '';
  for (const row of sheet.rows) {
    if (row.section !== section) {
      section = row.section;
      lines.push(section.toUpperCase());
    }
    lines.push(
      `  ${row.what.padEnd(whatWidth)}  ${formatValue(row.figure).padStart(valueWidth)}  ${sourceText(row.figure)}`,
    );
  }
  if (sheet.latency.length > 0) {
    lines.push('', 'PREDICTED LATENCY AT PEAK (ms)');
    const stageWidth = Math.max(...sheet.latency.map((r) => r.stage.length), 5);
    const cell = (f: Figure) => (f.value === null ? 'n/m' : formatValue(f).replace(/ ms$/, '')).padStart(8);
    lines.push(
      `  ${'stage'.padEnd(stageWidth)}  ${'p50'.padStart(8)}  ${'p95'.padStart(8)}  ${'p99'.padStart(8)}  source`,
    );
    for (const row of sheet.latency) {
      // The three percentiles of a row come from one computation: one source for the row.
      lines.push(
        `  ${row.stage.padEnd(stageWidth)}  ${cell(row.p50)}  ${cell(row.p95)}  ${cell(row.p99)}  ${sourceText(row.p99)}`,
      );
    }
  }
  if (sheet.notes.length > 0) {
    lines.push('', 'NOTES');
    for (const note of sheet.notes) lines.push(`  - ${note}`);
  }
  if (inputs.size > 0) {
    lines.push('', 'INPUTS OF THE MODEL ROWS (results files under bench/results/)');
    for (const [item, n] of inputs) lines.push(`  [${n}] ${item}`);
  }
  return lines.join('\n');
}

/** The sheet as JSON: each figure as {value, unit, source} with model sources flattened to their inputs. */
export function sheetJson(sheet: Sheet): unknown {
  const fig = (f: Figure) => ({ value: f.value, unit: f.unit, source: flatSource(f.source) });
  return {
    design: sheet.design,
    title: sheet.title,
    rows: sheet.rows.map((r) => ({ section: r.section, what: r.what, ...fig(r.figure) })),
    latency: sheet.latency.map((r) => ({
      stage: r.stage,
      p50: fig(r.p50),
      p95: fig(r.p95),
      p99: fig(r.p99),
    })),
    notes: sheet.notes,
  };
}
