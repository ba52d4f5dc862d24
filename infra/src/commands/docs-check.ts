import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Problem, scanMarkdown } from '../docs-check/figures.js';
import { ROOT } from '../paths.js';

export interface DocsReport {
  files: number;
  checked: number;
  problems: Array<Problem & { file: string }>;
}

const git = (args: string[]) =>
  execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);

/** Every Markdown file of the checkout that git tracks or would track. */
function markdownFiles(): string[] {
  return git(['ls-files', '--cached', '--others', '--exclude-standard', '*.md']).filter((file) =>
    existsSync(join(ROOT, file)),
  );
}

/**
 * Scans every Markdown file for measured figures and checks each against the
 * results file its marker names; a results file must be one git tracks, so a
 * figure can only come from a run that is committed.
 */
export function checkDocs(files = markdownFiles()): DocsReport {
  const cache = new Map<string, unknown>();
  const tracked = new Set(git(['ls-files', '--cached', '*.json']));
  const read = (path: string) => {
    if (!cache.has(path)) {
      if (!existsSync(join(ROOT, path))) throw new Error(`no such results file`);
      if (!tracked.has(path)) throw new Error('not committed (git add it, or drop the figure)');
      cache.set(path, JSON.parse(readFileSync(join(ROOT, path), 'utf8')));
    }
    return cache.get(path);
  };
  const report: DocsReport = { files: files.length, checked: 0, problems: [] };
  for (const file of files) {
    const result = scanMarkdown(readFileSync(join(ROOT, file), 'utf8'), read);
    report.checked += result.checked;
    for (const problem of result.problems) report.problems.push({ file, ...problem });
  }
  return report;
}

/** `npm run docs:check`: prints each problem as `file:line: message`; exit 1 when there is one. */
export function runDocsCheck(): number {
  const report = checkDocs();
  for (const problem of report.problems) console.log(`${problem.file}:${problem.line}: ${problem.message}`);
  console.log(
    `docs:check: ${report.files} Markdown files, ${report.checked} figures checked against their results files, ${report.problems.length} problems`,
  );
  return report.problems.length === 0 ? 0 : 1;
}
