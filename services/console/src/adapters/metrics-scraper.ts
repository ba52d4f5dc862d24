import { parsePrometheusText } from '../domain/prometheus.js';
import { ScrapeHistory } from '../domain/scrape-history.js';
import type { ScrapedService } from '../domain/topology.js';

export interface ScraperOptions {
  /** Base URL of each service to scrape; a service left out is not drawn with numbers. */
  targets: Partial<Record<ScrapedService, string>>;
  intervalMs: number;
  windowMs: number;
  timeoutMs?: number;
  now?: () => number;
}

/**
 * Scrapes every service's `/metrics` every `intervalMs`, all at once, into a
 * `ScrapeHistory` each. A scrape that fails or times out marks the service
 * down until the next one answers.
 */
export class MetricsScraper {
  readonly histories = new Map<ScrapedService, ScrapeHistory>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ScraperOptions) {
    this.now = options.now ?? Date.now;
    for (const service of Object.keys(options.targets) as ScrapedService[])
      this.histories.set(service, new ScrapeHistory(options.windowMs));
  }

  start(): void {
    const tick = () => {
      this.running = this.scrapeAll().finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, this.options.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One round over every target; resolves when all answered or failed. */
  async scrapeAll(): Promise<void> {
    await Promise.all(
      Object.entries(this.options.targets).map(async ([service, url]) => {
        const history = this.histories.get(service as ScrapedService)!;
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
