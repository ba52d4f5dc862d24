import { escapeHtml } from './escape.js';

export interface Series {
  name: string;
  color: string;
  /** [x, y]; a null y breaks the line (a second without samples). */
  points: Array<[number, number | null]>;
  /** Draw a dot on each point (few points, e.g. capacity steps). */
  markers?: boolean;
}

export interface ReferenceLine {
  value: number;
  label: string;
  color: string;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Horizontal lines: SLO targets. */
  targets?: ReferenceLine[];
  /** Vertical lines: step boundaries, the capacity found. */
  marks?: ReferenceLine[];
  width?: number;
  height?: number;
}

const MARGIN = { left: 64, right: 20, top: 46, bottom: 44 };

/** 1, 2 or 5 times a power of ten: tick steps a reader can add up. */
function niceStep(range: number, ticks: number): number {
  const raw = range / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const normalized = raw / magnitude;
  return (normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10) * magnitude;
}

function ticks(max: number, count: number): number[] {
  const step = niceStep(max > 0 ? max : 1, count);
  const out: number[] = [];
  // The last tick is at or above the highest value, so nothing is drawn off the scale.
  for (let v = 0; out.length === 0 || (out.at(-1) as number) < max; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

const label = (v: number) => (Math.abs(v) >= 1000 ? `${v / 1000}k` : String(v));

/**
 * A line chart as inline SVG with its styling in attributes: no script, no
 * stylesheet, so it reads the same inside the report or cut out of it.
 */
export function lineChart(spec: ChartSpec): string {
  const width = spec.width ?? 860;
  const height = spec.height ?? 300;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const xs = spec.series.flatMap((s) => s.points.map(([x]) => x));
  const ys = spec.series.flatMap((s) => s.points.map(([, y]) => y).filter((y): y is number => y !== null));
  const xMin = Math.min(0, ...xs);
  const xMaxRaw = Math.max(1, ...xs, ...(spec.marks ?? []).map((m) => m.value));
  const yMaxRaw = Math.max(1e-9, ...ys, ...(spec.targets ?? []).map((t) => t.value)) * 1.1;
  const yTicks = ticks(yMaxRaw, 5);
  const xTicks = ticks(xMaxRaw, 8);
  const yMax = yTicks.at(-1) as number;
  const xMax = Math.max(xTicks.at(-1) as number, xMaxRaw);
  const px = (x: number) => MARGIN.left + ((x - xMin) / (xMax - xMin || 1)) * plotW;
  const py = (y: number) => MARGIN.top + plotH - (y / yMax) * plotH;

  const parts: string[] = [];
  parts.push(
    `<text x="${MARGIN.left}" y="18" font-size="13" font-weight="600" fill="#222">${escapeHtml(spec.title)}</text>`,
  );
  for (const t of yTicks) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${py(t)}" y2="${py(t)}" stroke="#eee"/>`,
    );
    parts.push(
      `<text x="${MARGIN.left - 6}" y="${py(t) + 4}" text-anchor="end" font-size="11" fill="#444">${label(t)}</text>`,
    );
  }
  for (const t of xTicks) {
    parts.push(
      `<text x="${px(t)}" y="${height - MARGIN.bottom + 16}" text-anchor="middle" font-size="11" fill="#444">${label(t)}</text>`,
    );
  }
  parts.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${height - 8}" text-anchor="middle" font-size="12" fill="#444">${escapeHtml(spec.xLabel)}</text>`,
    `<text x="14" y="${MARGIN.top + plotH / 2}" text-anchor="middle" font-size="12" fill="#444" transform="rotate(-90 14 ${MARGIN.top + plotH / 2})">${escapeHtml(spec.yLabel)}</text>`,
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#bbb"/>`,
  );
  for (const m of spec.marks ?? []) {
    parts.push(
      `<line x1="${px(m.value)}" x2="${px(m.value)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="${m.color}" stroke-dasharray="2 3"/>`,
      `<text x="${px(m.value) + 3}" y="${MARGIN.top + 11}" font-size="11" fill="${m.color}">${escapeHtml(m.label)}</text>`,
    );
  }
  for (const t of spec.targets ?? []) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${py(t.value)}" y2="${py(t.value)}" stroke="${t.color}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
      `<text x="${width - MARGIN.right - 4}" y="${py(t.value) - 4}" text-anchor="end" font-size="11" fill="${t.color}">${escapeHtml(t.label)}</text>`,
    );
  }
  for (const s of spec.series) {
    // Consecutive points with a value form one path; a null starts a new one.
    const runs: string[] = [];
    let current: string[] = [];
    for (const [x, y] of s.points) {
      if (y === null) {
        if (current.length > 0) runs.push(current.join(' '));
        current = [];
      } else current.push(`${current.length === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`);
    }
    if (current.length > 0) runs.push(current.join(' '));
    for (const d of runs) parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"/>`);
    if (s.markers) {
      for (const [x, y] of s.points)
        if (y !== null) parts.push(`<circle cx="${px(x)}" cy="${py(y)}" r="3" fill="${s.color}"/>`);
    }
  }
  spec.series.forEach((s, i) => {
    const x = MARGIN.left + i * 90;
    parts.push(
      `<rect x="${x}" y="30" width="12" height="3" fill="${s.color}"/>`,
      `<text x="${x + 16}" y="35" font-size="11" fill="#222">${escapeHtml(s.name)}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui, sans-serif" role="img" aria-label="${escapeHtml(spec.title)}"><rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>`;
}
