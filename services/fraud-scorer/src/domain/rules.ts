import { createHash } from 'node:crypto';
import type { DecisionOutcome, FraudRule, FraudRuleSet, RuleCondition, Transaction } from '@mlsys/contracts';
import { ENTITY_KINDS, FEATURE_NAMES, type FeatureName, featureIndex } from '@mlsys/fraud-core';

/** Transaction fields a rule may test besides the model's features (categorical: the model sees flags). */
const TRANSACTION_FIELDS = ['channel', 'merchantCategory', 'currency'] as const;
type TransactionField = (typeof TRANSACTION_FIELDS)[number];

/**
 * Features computed from the payment alone: the only ones a rules-only
 * decision (no feature engine) has. Every feature kept per entity is named
 * after its entity (`card_`, `terminal_`, `device_`, `ip_`); the rest
 * describe the payment itself.
 */
export const TRANSACTION_LEVEL_FEATURES: ReadonlySet<string> = new Set(
  FEATURE_NAMES.filter((name) => !ENTITY_KINDS.some((kind) => name.startsWith(`${kind}_`))),
);

export interface FiredRule {
  id: string;
  action: Exclude<DecisionOutcome, 'approve'>;
  reason: string;
}

type Test = (transaction: Transaction, features: ArrayLike<number>) => boolean;

interface CompiledRule extends FiredRule {
  test: Test;
  /** Every condition reads the payment alone, so the rule can run without the feature engine. */
  transactionLevel: boolean;
}

/** A rules file that failed validation: each problem names the rule, the condition and what is wrong. */
export class RuleSetError extends Error {
  constructor(readonly problems: string[]) {
    super(`the rules are invalid: ${problems.join('; ')}`);
    this.name = 'RuleSetError';
  }
}

/** A validated, compiled rule set: what the scorer evaluates for every transaction. */
export class RuleBook {
  private constructor(
    /** `<file version>+<content hash>`, so an edit without a version bump is still told apart. */
    readonly version: string,
    readonly source: FraudRuleSet,
    private readonly rules: readonly CompiledRule[],
  ) {}

  /** Compiles a rule set whose shape is already checked; throws a RuleSetError naming every bad condition. */
  static compile(ruleSet: FraudRuleSet): RuleBook {
    const problems: string[] = [];
    const ids = new Set<string>();
    const compiled: CompiledRule[] = [];
    for (const rule of ruleSet.rules) {
      if (ids.has(rule.id)) problems.push(`rule "${rule.id}" is defined twice`);
      ids.add(rule.id);
      const tests = rule.when.map((condition, i) => compileCondition(rule, condition, i, problems));
      if (rule.enabled === false || tests.some((t) => t === undefined)) continue;
      compiled.push({
        id: rule.id,
        action: rule.action,
        reason: rule.reason,
        test: allOf(tests as Test[]),
        transactionLevel: rule.when.every(
          (c) => TRANSACTION_LEVEL_FEATURES.has(c.field) || isTransactionField(c.field),
        ),
      });
    }
    if (problems.length > 0) throw new RuleSetError(problems);
    const hash = createHash('sha256').update(JSON.stringify(ruleSet)).digest('hex').slice(0, 8);
    return new RuleBook(`${ruleSet.version}+${hash}`, ruleSet, compiled);
  }

  /** The rules that fire for a payment and its features (in FEATURE_NAMES order). */
  evaluate(transaction: Transaction, features: ArrayLike<number>): FiredRule[] {
    return fired(this.rules, transaction, features);
  }

  /** Only the rules that need nothing but the payment: the fallback when the pipeline is too slow. */
  evaluateTransactionLevel(transaction: Transaction, features: ArrayLike<number>): FiredRule[] {
    return fired(
      this.rules.filter((rule) => rule.transactionLevel),
      transaction,
      features,
    );
  }
}

function fired(rules: readonly CompiledRule[], transaction: Transaction, features: ArrayLike<number>) {
  const out: FiredRule[] = [];
  for (const rule of rules) {
    if (rule.test(transaction, features)) out.push({ id: rule.id, action: rule.action, reason: rule.reason });
  }
  return out;
}

const isTransactionField = (field: string): field is TransactionField =>
  (TRANSACTION_FIELDS as readonly string[]).includes(field);
const isFeature = (field: string): field is FeatureName =>
  (FEATURE_NAMES as readonly string[]).includes(field);

function allOf(tests: readonly Test[]): Test {
  return (transaction, features) => {
    for (const test of tests) if (!test(transaction, features)) return false;
    return true;
  };
}

function compileCondition(
  rule: FraudRule,
  condition: RuleCondition,
  i: number,
  problems: string[],
): Test | undefined {
  const where = `rule "${rule.id}" condition ${i + 1} (${condition.field} ${condition.op})`;
  const { op, value } = condition;
  const list = Array.isArray(value);
  if ((op === 'in' || op === 'not in') !== list) {
    problems.push(`${where}: ${list ? 'a list needs "in" or "not in"' : `"${op}" needs a list`}`);
    return undefined;
  }
  if (isFeature(condition.field)) {
    const index = featureIndex(condition.field);
    const values = list ? value : [value];
    if (values.some((v) => typeof v !== 'number')) {
      problems.push(`${where}: feature ${condition.field} is a number, compare it with numbers`);
      return undefined;
    }
    return numberTest(op, index, values as number[]);
  }
  if (isTransactionField(condition.field)) {
    const field = condition.field;
    const values = list ? value : [value];
    if (!['==', '!=', 'in', 'not in'].includes(op) || values.some((v) => typeof v !== 'string')) {
      problems.push(`${where}: ${field} is text, use ==, !=, in or not in with text values`);
      return undefined;
    }
    const set = new Set(values as string[]);
    const negate = op === '!=' || op === 'not in';
    return (transaction) => set.has(transaction[field]) !== negate;
  }
  problems.push(
    `${where}: "${condition.field}" is neither a model feature nor one of ${TRANSACTION_FIELDS.join(', ')}`,
  );
  return undefined;
}

function numberTest(op: RuleCondition['op'], index: number, values: number[]): Test {
  const v = values[0]!;
  switch (op) {
    case '<':
      return (_, f) => f[index]! < v;
    case '<=':
      return (_, f) => f[index]! <= v;
    case '>':
      return (_, f) => f[index]! > v;
    case '>=':
      return (_, f) => f[index]! >= v;
    case '==':
      return (_, f) => f[index] === v;
    case '!=':
      return (_, f) => f[index] !== v;
    case 'in': {
      const set = new Set(values);
      return (_, f) => set.has(f[index]!);
    }
    case 'not in': {
      const set = new Set(values);
      return (_, f) => !set.has(f[index]!);
    }
  }
}
