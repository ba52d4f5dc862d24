/**
 * The Prometheus text exposition format (version 0.0.4), as prom-client
 * writes it: `# HELP` / `# TYPE` comments and one sample per line,
 * `name{label="value",...} value [timestamp]`. Only what the console reads
 * is kept: each sample's name, labels and value.
 */

export interface Sample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

export class MetricsParseError extends Error {
  override name = 'MetricsParseError';
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function parseValue(raw: string, line: number): number {
  if (raw === '+Inf' || raw === 'Inf') return Number.POSITIVE_INFINITY;
  if (raw === '-Inf') return Number.NEGATIVE_INFINITY;
  if (raw === 'NaN') return Number.NaN;
  const value = Number(raw);
  if (raw === '' || Number.isNaN(value))
    throw new MetricsParseError(`line ${line}: "${raw}" is not a number`);
  return value;
}

/** Reads `{a="x",b="y"}` from `text` at `start` (the `{`); returns the labels and the index after `}`. */
function parseLabels(text: string, start: number, line: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (text[i] === '}') return [labels, i + 1];
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i))?.[0];
    if (!name || text[i + name.length] !== '=' || text[i + name.length + 1] !== '"')
      throw new MetricsParseError(`line ${line}: malformed label set`);
    i += name.length + 2;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new MetricsParseError(`line ${line}: unterminated label value`);
      i++;
      if (c === '"') break;
      if (c === '\\') {
        const next = text[i++];
        value += next === 'n' ? '\n' : (next ?? '');
      } else value += c;
    }
    labels[name] = value;
  }
}

/** Every sample of an exposition; a malformed line throws, naming its number. */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const name = NAME.exec(line)?.[0];
    if (!name) throw new MetricsParseError(`line ${index + 1}: no metric name`);
    let labels: Record<string, string> = {};
    let rest = name.length;
    if (line[rest] === '{') [labels, rest] = parseLabels(line, rest, index + 1);
    const [value = ''] = line.slice(rest).trim().split(/\s+/);
    samples.push({ name, labels, value: parseValue(value, index + 1) });
  }
  return samples;
}

/** One series' identity: its name and its labels in name order. */
export function seriesKey(sample: Pick<Sample, 'name' | 'labels'>): string {
  const labels = Object.keys(sample.labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(sample.labels[k])}`)
    .join(',');
  return `${sample.name}{${labels}}`;
}
