// The docs check: every measured figure in Markdown names the results file it
// comes from, and agrees with it. The markers are HTML comments, invisible
// when the Markdown is rendered:
//
//   <!-- results: bench/results/recs.json -->     the file later markers read (until the next one)
//   28.3 ms<!-- fig: metrics.p95_ms_at_100_rps --> the figure just before it is that value
//   1.1 %<!-- fig: metrics.degraded_share *100 --> ... scaled (`*100`, `/1000`)
//   0.960<!-- fig: bench/results/ann.json#metrics.recall_at_1000 -->  another file, this once
//   **met**<!-- pass: bench/results/ann.json#pass -->  "met" / "not met" agrees with a boolean
//   768 KiB<!-- given -->                          a setting, target or input, not a measurement
//   <!-- docs-check off --> ... <!-- docs-check on -->  a block of settings or quoted text
//
// A figure agrees when it equals the value rounded to the digits shown. A
// number that looks measured (a unit of time, rate, size or share, a ratio
// such as 0.977, a count such as 9,953) with no marker is a problem too.
import { PathError, valueAt } from '@mlsys/results';

export interface Problem {
  line: number;
  message: string;
}

export interface ScanResult {
  checked: number;
  problems: Problem[];
  sources: Set<string>;
}

/** Reads a results file by its repository path; throws when it cannot. */
export type ResultsReader = (path: string) => unknown;

interface NumberToken {
  start: number;
  end: number;
  text: string;
  value: number;
  decimals: number;
  covered: boolean;
}

interface Marker {
  at: number;
  kind: 'fig' | 'pass' | 'given';
  arg: string;
}

// A number not glued to a word, a version, a path or a date: `p95`, `3.9.1`,
// `1h`, `2026-03-01` and `M16` are names, not figures.
const NUMBER = /(?<![A-Za-z0-9.@#/:\-–^])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d]|\.\d|,\d{3})/g;
// What may follow a figure, after an optional range end (`67-106 ms`).
const RANGE_END = /^\s*[-–]\s*\d[\d,.]*/;
// Glued to the number only the short ones (`28ms`, `1.4x`, `5%`); `24h` and `7d` are window names.
const UNIT =
  /^(?:(?:ms|µs|%|x|×)|\s(?:ms|µs|us|ns|s|sec|min|minutes|hours|h|days|%|x|×|req\/s|tx\/s|rps|[A-Za-z]+\/s|B|KB|KiB|MB|MiB|GB|GiB|TB|TiB|cores?))(?![\w/])/;
const IDENT_AFTER = /^[A-Za-z]/;
const COMPARISON_BEFORE =
  /(?:[<>≤≥]=?|\b(?:under|below|above|at most|at least|up to|every|limit of|target of|goal of))\s*\**$/i;

function significantDigits(text: string): number {
  const digits = text.replace(/[,]/g, '');
  const [whole = '', fraction = ''] = digits.split('.');
  if (fraction) return (whole.replace(/^0+/, '') + fraction).replace(/^0+/, '').length;
  return whole.replace(/^0+/, '').replace(/0+$/, '').length;
}

function unitAfter(rest: string): string | undefined {
  const afterRange = rest.replace(RANGE_END, '');
  return UNIT.exec(afterRange)?.[0].trim();
}

/** Whether an unmarked figure reads as a measurement rather than a name, an index or a round setting. */
export function looksMeasured(token: NumberToken, before: string, after: string): boolean {
  // Scientific notation: a measured difference such as 3.4e-7 (a one-digit 1e-5 reads as a tolerance).
  if (/^e[-+]?\d/.test(after)) return significantDigits(token.text) >= 2;
  if (IDENT_AFTER.test(after) && !UNIT.test(after)) return false;
  if (COMPARISON_BEFORE.test(before)) return false;
  const significant = significantDigits(token.text);
  if (significant <= 1) return false;
  const unit = unitAfter(after);
  if (unit) return true;
  if (token.decimals >= 2 && token.value < 1) return true; // a share or a score: 0.977
  if (token.text.includes(',') && significant >= 3) return true; // a count: 9,953
  return false;
}

/** Blanks out what is not prose (inline code, link targets) so that no figure is read there. */
function maskLine(line: string): { text: string; markers: Marker[] } {
  const markers: Marker[] = [];
  let text = line.replace(/<!--(.*?)-->/g, (whole, body: string, offset: number) => {
    const trimmed = body.trim();
    const fig = /^(fig|pass):\s*(.+)$/.exec(trimmed);
    if (fig) markers.push({ at: offset, kind: fig[1] as 'fig' | 'pass', arg: fig[2]!.trim() });
    else if (trimmed === 'given') markers.push({ at: offset, kind: 'given', arg: '' });
    return ' '.repeat(whole.length);
  });
  text = text.replace(/`[^`]*`/g, (whole) => ' '.repeat(whole.length));
  text = text.replace(/\]\([^)]*\)/g, (whole) => ` ${' '.repeat(whole.length - 1)}`);
  text = text.replace(/https?:\/\/\S+/g, (whole) => ' '.repeat(whole.length));
  return { text, markers };
}

function numberTokens(text: string): NumberToken[] {
  const tokens: NumberToken[] = [];
  for (const match of text.matchAll(NUMBER)) {
    const raw = match[1]!;
    const start = match.index!;
    tokens.push({
      start,
      end: start + raw.length,
      text: raw,
      value: Number(raw.replace(/,/g, '')),
      decimals: raw.includes('.') ? raw.split('.')[1]!.length : 0,
      covered: false,
    });
  }
  return tokens;
}

interface FigureSpec {
  file: string;
  path: string;
  scale: number;
}

function parseSpec(arg: string, defaultFile: string | undefined): FigureSpec | string {
  const parts = arg.split(/\s+/);
  let [where = '', scaleText] = parts;
  let file = defaultFile;
  const hash = where.indexOf('#');
  if (hash >= 0) {
    file = where.slice(0, hash);
    where = where.slice(hash + 1);
  }
  if (!file) return 'no results file: add <!-- results: PATH --> above, or name it as FILE#PATH';
  let scale = 1;
  if (scaleText) {
    const scaled = /^([*/])(\d+(?:\.\d+)?)$/.exec(scaleText);
    if (!scaled) return `cannot read the scale "${scaleText}" (use *100 or /1000)`;
    scale = scaled[1] === '*' ? Number(scaled[2]) : 1 / Number(scaled[2]);
  }
  return { file, path: where, scale };
}

/** The figure agrees when it equals the value rounded to the digits it shows. */
export function agrees(shown: NumberToken, value: number): boolean {
  const halfStep = 0.5 * 10 ** -shown.decimals;
  return Math.abs(shown.value - value) <= halfStep * (1 + 1e-9) + 1e-12;
}

const fmt = (value: number) =>
  Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));

export function scanMarkdown(markdown: string, read: ResultsReader): ScanResult {
  const problems: Problem[] = [];
  const sources = new Set<string>();
  let checked = 0;
  let defaultFile: string | undefined;
  let fence: string | undefined;
  let off = false;

  const lookup = (spec: FigureSpec): unknown => {
    sources.add(spec.file);
    return valueAt(read(spec.file), spec.path);
  };

  markdown.split('\n').forEach((line, index) => {
    const lineNo = index + 1;
    const fenceMark = /^\s*(```|~~~)/.exec(line)?.[1];
    if (fence) {
      if (fenceMark === fence) fence = undefined;
      return;
    }
    if (fenceMark) {
      fence = fenceMark;
      return;
    }
    const results = /<!--\s*results:\s*(\S+)\s*-->/.exec(line);
    if (results) defaultFile = results[1];
    if (/<!--\s*docs-check off\s*-->/.test(line)) off = true;
    if (/<!--\s*docs-check on\s*-->/.test(line)) {
      off = false;
      return;
    }
    if (off) return;

    const { text, markers } = maskLine(line);
    const tokens = numberTokens(text);
    for (const marker of markers) {
      if (marker.kind === 'pass') {
        checked += 1;
        const spec = parseSpec(marker.arg, defaultFile);
        if (typeof spec === 'string') {
          problems.push({ line: lineNo, message: spec });
          continue;
        }
        const said = /(not met|met)\W*$/i.exec(text.slice(0, marker.at))?.[1]?.toLowerCase();
        try {
          const value = lookup(spec);
          if (typeof value !== 'boolean') throw new PathError(`${spec.path} is not true or false`);
          if (!said) problems.push({ line: lineNo, message: 'a pass marker must follow "met" or "not met"' });
          else if ((said === 'met') !== value)
            problems.push({
              line: lineNo,
              message: `says "${said}" but ${spec.file}#${spec.path} is ${value}`,
            });
        } catch (error) {
          problems.push({ line: lineNo, message: `${spec.file}: ${(error as Error).message}` });
        }
        continue;
      }
      // The figure a marker speaks for: the last number before it in the same table cell.
      const cellStart = text.lastIndexOf('|', marker.at - 1);
      const target = tokens.filter((t) => t.end <= marker.at && t.start > cellStart && !t.covered).pop();
      if (!target) {
        problems.push({ line: lineNo, message: `a ${marker.kind} marker with no figure before it` });
        continue;
      }
      target.covered = true;
      if (marker.kind === 'given') continue;
      checked += 1;
      const spec = parseSpec(marker.arg, defaultFile);
      if (typeof spec === 'string') {
        problems.push({ line: lineNo, message: `${target.text}: ${spec}` });
        continue;
      }
      try {
        const value = lookup(spec);
        if (typeof value !== 'number') throw new PathError(`${spec.path} is not a number`);
        const scaled = value * spec.scale;
        if (!agrees(target, scaled))
          problems.push({
            line: lineNo,
            message: `${target.text} differs from ${spec.file}#${spec.path}${spec.scale === 1 ? '' : ` (scaled ${fmt(spec.scale)})`} = ${fmt(scaled)}`,
          });
      } catch (error) {
        problems.push({ line: lineNo, message: `${target.text}: ${spec.file}: ${(error as Error).message}` });
      }
    }
    for (const token of tokens) {
      if (token.covered) continue;
      if (looksMeasured(token, text.slice(0, token.start), text.slice(token.end)))
        problems.push({
          line: lineNo,
          message: `"${text.slice(token.start, token.end + 8).trim()}" looks measured but names no results file (<!-- fig: PATH -->, or <!-- given --> for a setting or target)`,
        });
    }
  });
  return { checked, problems, sources };
}
