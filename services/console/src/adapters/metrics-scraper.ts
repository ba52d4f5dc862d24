import { InstanceHistories, type ServiceHistory } from '../domain/instance-histories.js';
import { parsePrometheusText } from '../domain/prometheus.js';
import { ScrapeHistory } from '../domain/scrape-history.js';
import type { ScrapedService } from '../domain/topology.js';
import type { WatchCadence } from '../domain/watch-cadence.js';

export interface ScraperOptions {
  /**
   * Base URL of each service to scrape, or of each of its instances (`ha`); a service left out
   * is not drawn with numbers.
   */
  targets: Partial<Record<ScrapedService, string | readonly string[]>>;
  windowMs: number;
  timeoutMs?: number;
  now?: () => number;
}

/**
 * Scrapes every instance's `/metrics` at a `WatchCadence`'s pace, all at once, into a
 * `ScrapeHistory` each; a service of several instances is read through their
 * sum (`InstanceHistories`). A scrape that fails or times out marks the
 * instance down until the next one answers.
 */
export class MetricsScraper {
  readonly histories = new Map<ScrapedService, ServiceHistory>();
  private readonly instances: Array<{ url: string; history: ScrapeHistory }> = [];
  private loop: { stop(): Promise<void> } | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ScraperOptions) {
    this.now = options.now ?? Date.now;
    for (const [service, target] of Object.entries(options.targets) as Array<
      [ScrapedService, string | readonly string[]]
    >) {
      const urls = typeof target === 'string' ? [target] : target;
      const instances = urls.map((url) => ({ url, history: new ScrapeHistory(options.windowMs) }));
      this.instances.push(...instances);
      this.histories.set(
        service,
        instances.length === 1 ? instances[0]!.history : new InstanceHistories(instances),
      );
    }
  }

  /** Scrapes at the cadence's pace until `stop()`. */
  start(cadence: WatchCadence): void {
    this.loop = cadence.loop(() => this.scrapeAll());
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
    this.loop = undefined;
  }

  /** One round over every target; resolves when all answered or failed. */
  async scrapeAll(): Promise<void> {
    await Promise.all(
      this.instances.map(async ({ url, history }) => {
        try {
          const res = await fetch(`${url}/metrics`, {
            signal: AbortSignal.timeout(this.options.timeoutMs ?? 1500),
          });
          if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
          history.record(this.now(), parsePrometheusText(await res.text()));
        } catch (error) {
          const cause = (error as { cause?: { code?: string } }).cause?.code;
          history.recordFailure(this.now(), cause ?? (error as Error).message);
        }
      }),
    );
  }
}
