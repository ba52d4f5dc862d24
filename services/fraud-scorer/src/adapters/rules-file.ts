import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { compileSchema, describeErrors, FraudRuleSet } from '@mlsys/contracts';
import { RuleBook } from '../domain/rules.js';

const ruleSetSchema = compileSchema(FraudRuleSet);

/** Reads, validates and compiles a rules file; throws with the path and every problem. */
export function readRuleBook(path: string): RuleBook {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the rules file ${path}: ${(error as Error).message}`);
  }
  const decoded = ruleSetSchema.decodeJson(text);
  if (!decoded.ok) throw new Error(`${path}: ${describeErrors(decoded.errors)}`);
  try {
    return RuleBook.compile(decoded.value);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}

export interface RulesFileEvents {
  reloaded(book: RuleBook): void;
  rejected(error: Error): void;
}

/**
 * The rules in force, reloaded whenever the file changes, without a
 * restart. The folder is watched rather than the file, because editors and
 * deploy tools replace files (write a copy, rename it over). A file that
 * fails validation is rejected and the previous rules stay in force.
 */
export class RulesFile {
  private book: RuleBook;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;

  constructor(
    readonly path: string,
    private readonly events: RulesFileEvents,
    /** Editors write in several steps: wait for the last one. */
    private readonly settleMs = 50,
  ) {
    this.book = readRuleBook(path);
  }

  get current(): RuleBook {
    return this.book;
  }

  watch(): void {
    const name = basename(this.path);
    this.watcher = watch(dirname(this.path), (_event, changed) => {
      if (changed !== null && changed !== name) return;
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => this.reload(), this.settleMs);
    });
  }

  /** Re-reads the file now; also what the watcher calls. */
  reload(): void {
    try {
      const book = readRuleBook(this.path);
      if (book.version === this.book.version) return;
      this.book = book;
      this.events.reloaded(book);
    } catch (error) {
      this.events.rejected(error as Error);
    }
  }

  close(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
  }
}
