import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { END, MissingFigure, PACKS, replaceSection, START, tenNumbers } from '../src/interview-numbers.js';
import { REPO_ROOT } from '../src/paths.js';
import { RESULT_FILES, Results } from '../src/results.js';

const committed = Results.load(REPO_ROOT);

describe('the ten numbers of the interview packs', () => {
  for (const [design, file] of Object.entries(PACKS) as Array<[keyof typeof PACKS, string]>) {
    it(`when ${file} is read, then its list is what the results files give now (else: npm run interview-numbers)`, () => {
      const markdown = readFileSync(join(REPO_ROOT, file), 'utf8');
      const section = tenNumbers(committed, design);
      expect(replaceSection(markdown, section, file)).toBe(markdown);
    });

    it(`when the ${design} list is generated, then it has ten items and every one names its results file`, () => {
      const items = tenNumbers(committed, design)
        .split('\n')
        .filter((line) => /^\d+\. /.test(line));
      expect(items).toHaveLength(10);
      for (const item of items) expect(item).toMatch(/<!-- fig: bench\/results\/[a-z-]+\.json#/);
    });
  }

  it('when a figure is missing from its results file, then the generator refuses rather than writing a number', () => {
    const files: Record<string, unknown> = {};
    for (const f of Object.values(RESULT_FILES))
      files[f] = JSON.parse(readFileSync(join(REPO_ROOT, f), 'utf8'));
    delete (files[RESULT_FILES.ann] as { metrics: Record<string, unknown> }).metrics.index_memory_mib;
    expect(() => tenNumbers(Results.of(files), 'recs')).toThrow(MissingFigure);
  });

  it('when a pack has no markers, then replacing its section names both markers', () => {
    expect(() => replaceSection('# a pack\n', `${START}\n${END}`, 'x.md')).toThrow(/ten-numbers/);
  });
});
