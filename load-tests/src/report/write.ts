import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunResult, writeResult } from '@mlsys/results';
import { renderHtml } from './html.js';

/** Writes `<dir>/<name>.json` (the results contract, with its printed table) and `<dir>/<name>.html` beside it. */
export function writeReports(
  dir: string,
  name: string,
  result: RunResult,
  print: (line: string) => void = console.log,
): void {
  mkdirSync(dir, { recursive: true });
  writeResult(join(dir, `${name}.json`), result, print);
  const html = join(dir, `${name}.html`);
  writeFileSync(html, renderHtml(result));
  print(`  report:  ${html}`);
}
