import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '@mlsys/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { RulesFile, readRuleBook } from '../src/adapters/rules-file.js';
import type { RuleBook } from '../src/domain/rules.js';
import { highAmountRule, ruleSet } from './fixtures.js';

const folders: string[] = [];
const files: RulesFile[] = [];
afterEach(() => {
  for (const file of files.splice(0)) file.close();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function rulesFolder(content: unknown) {
  const folder = mkdtempSync(join(tmpdir(), 'fraud-rules-'));
  folders.push(folder);
  const path = join(folder, 'rules.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

/** How deploy tools and editors replace a file: write a copy, rename it over the original. */
function replaceFile(path: string, content: unknown) {
  writeFileSync(`${path}.tmp`, JSON.stringify(content));
  renameSync(`${path}.tmp`, path);
}

function watched(path: string) {
  const reloaded: RuleBook[] = [];
  const rejected: Error[] = [];
  const file = new RulesFile(
    path,
    { reloaded: (b) => reloaded.push(b), rejected: (e) => rejected.push(e) },
    10,
  );
  files.push(file);
  file.watch();
  return { file, reloaded, rejected };
}

describe('RulesFile', () => {
  it('when the file is replaced with new rules, then they are in force without a restart', async () => {
    const path = rulesFolder(ruleSet([highAmountRule], 'v1'));
    const { file, reloaded } = watched(path);
    const before = file.current.version;

    replaceFile(path, ruleSet([{ ...highAmountRule, id: 'very-high-amount' }], 'v2'));
    await waitUntil(() => file.current.version !== before, { what: 'the rules to reload' });

    expect(file.current.version).toMatch(/^v2\+/);
    expect(file.current.source.rules.map((r) => r.id)).toEqual(['very-high-amount']);
    expect(reloaded).toHaveLength(1);
  });

  it('when the new file is invalid, then it is rejected with the reason and the old rules stay in force', async () => {
    const path = rulesFolder(ruleSet([highAmountRule], 'v1'));
    const { file, rejected } = watched(path);
    const before = file.current.version;

    replaceFile(
      path,
      ruleSet([{ ...highAmountRule, when: [{ field: 'no_such_feature', op: '>', value: 1 }] }], 'v2'),
    );
    await waitUntil(() => rejected.length > 0, { what: 'the rules to be rejected' });

    expect(rejected[0]!.message).toContain('"no_such_feature" is neither a model feature');
    expect(file.current.version).toBe(before);
  });

  it('when the service starts with a broken file, then it refuses with the path and the field', () => {
    const path = rulesFolder({ version: 'v1', rules: [{ id: 'x' }] });
    expect(() => readRuleBook(path)).toThrow(new RegExp(`${path}: rules\\.0\\.when: is required`));
  });

  it('when the shipped rules file is read, then it compiles', () => {
    const shipped = new URL('../rules/fraud-rules.json', import.meta.url).pathname;
    const book = readRuleBook(shipped);
    expect(book.source.rules.length).toBe(JSON.parse(readFileSync(shipped, 'utf8')).rules.length);
  });
});
