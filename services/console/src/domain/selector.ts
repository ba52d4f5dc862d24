import type { Sample } from './prometheus.js';

/**
 * Which series of a service's exposition a number is read from: a metric
 * name and label matchers, as a PromQL selector has them. A string matches
 * the label exactly; `{ re }` matches it as a whole (PromQL's `=~`);
 * `{ not }` matches every other value (`!=`).
 */
export type LabelMatcher = string | { re: string } | { not: string };

export interface Selector {
  metric: string;
  labels?: Readonly<Record<string, LabelMatcher>>;
}

const compiled = new Map<string, RegExp>();
const wholeMatch = (re: string): RegExp => {
  let regex = compiled.get(re);
  if (!regex) {
    regex = new RegExp(`^(?:${re})$`);
    compiled.set(re, regex);
  }
  return regex;
};

export function matches(selector: Selector, sample: Pick<Sample, 'name' | 'labels'>, name = selector.metric) {
  if (sample.name !== name) return false;
  for (const [label, matcher] of Object.entries(selector.labels ?? {})) {
    const value = sample.labels[label] ?? '';
    if (typeof matcher === 'string') {
      if (value !== matcher) return false;
    } else if ('re' in matcher) {
      if (!wholeMatch(matcher.re).test(value)) return false;
    } else if (value === matcher.not) return false;
  }
  return true;
}

/** A selector narrowed by more matchers, e.g. a request histogram's 5xx part. */
export const narrowed = (selector: Selector, labels: Record<string, LabelMatcher>): Selector => ({
  metric: selector.metric,
  labels: { ...selector.labels, ...labels },
});
