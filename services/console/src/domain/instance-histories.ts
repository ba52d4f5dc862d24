import type { Sample } from './prometheus.js';
import type { Bucket, ScrapeHistory } from './scrape-history.js';
import type { Selector } from './selector.js';

/** What a box reads of a service's scrapes: one instance's `ScrapeHistory`, or several together. */
export type ServiceHistory = Pick<
  ScrapeHistory,
  'up' | 'lastError' | 'spanSeconds' | 'increase' | 'rate' | 'bucketIncreases' | 'latest'
>;

/**
 * A service that runs as several instances (the `ha` profile), seen as one
 * box. Each instance keeps its own history, so a restart of one resets only
 * its counters; increases, rates and histogram buckets are summed over them
 * (what `sum(increase(...))` gives in PromQL), gauges are listed from all.
 * The service counts as down while any instance is: killing one of two is
 * what a viewer of the topology should see turn red, with the instance named,
 * while the other still serves.
 */
export class InstanceHistories implements ServiceHistory {
  constructor(private readonly instances: ReadonlyArray<{ url: string; history: ScrapeHistory }>) {}

  get up(): boolean | undefined {
    const states = this.instances.map(({ history }) => history.up);
    if (states.some((up) => up === false)) return false;
    return states.some((up) => up === undefined) ? undefined : true;
  }

  get lastError(): string | undefined {
    const down = this.instances.filter(({ history }) => history.up === false);
    if (down.length === 0) return undefined;
    const up = this.instances.length - down.length;
    return `${down.map(({ url, history }) => `${url}: ${history.lastError}`).join('; ')} (${up} of ${this.instances.length} instances answer)`;
  }

  spanSeconds(): number {
    return Math.max(0, ...this.instances.map(({ history }) => history.spanSeconds()));
  }

  increase(selector: Selector, name = selector.metric): number {
    return this.instances.reduce((sum, { history }) => sum + history.increase(selector, name), 0);
  }

  rate(selector: Selector, name = selector.metric): number {
    return this.instances.reduce((sum, { history }) => sum + history.rate(selector, name), 0);
  }

  bucketIncreases(histogram: Selector): Bucket[] {
    const byLe = new Map<number, number>();
    for (const { history } of this.instances)
      for (const { le, count } of history.bucketIncreases(histogram))
        byLe.set(le, (byLe.get(le) ?? 0) + count);
    return [...byLe.entries()].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
  }

  latest(selector: Selector, name = selector.metric): Sample[] {
    return this.instances.flatMap(({ history }) => history.latest(selector, name));
  }
}
