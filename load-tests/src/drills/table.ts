import type { Cell, DrillTable } from './drill.js';

/** A number as a reader wants it in a terminal table: 3 significant figures, shares as percentages by the caller. */
export function formatCell(cell: Cell): string {
  if (cell === null) return '—';
  if (typeof cell === 'string') return cell;
  if (Number.isInteger(cell)) return cell.toLocaleString('en-US');
  const abs = Math.abs(cell);
  return abs >= 100 ? cell.toFixed(0) : abs >= 10 ? cell.toFixed(1) : cell.toFixed(2);
}

/** Fixed-width columns, the first left-aligned (the row's label), the rest right-aligned. */
export function renderTable(table: DrillTable): string[] {
  const text = [table.columns, ...table.rows.map((row) => row.map(formatCell))];
  const widths = table.columns.map((_, i) => Math.max(...text.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const [header, ...body] = text as string[][];
  return [line(header ?? []), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)];
}

/** A share (0..1) as a percentage cell; null stays null. */
export const percent = (share: number | null | undefined): Cell =>
  share === null || share === undefined ? null : `${(share * 100).toFixed(1)} %`;

/** Milliseconds rounded for a table; null stays null. */
export const ms = (value: number | null | undefined): Cell =>
  value === null || value === undefined ? null : Math.round(value * 10) / 10;
