// The console against the real services of both designs (each its own process, on the test
// Kafka and a Redis of their own): first through its API, then in a real Chromium as a person
// uses it. One stack for both parts: ten Node processes are what a 2-core machine can start once.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, waitUntil } from '@mlsys/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FraudExplanation } from '../src/adapters/fraud-explorer.js';
import type { RecsExplanation } from '../src/adapters/recs-explorer.js';
import type { TrafficStatus } from '../src/adapters/traffic-runner.js';
import type { BoxNumbers } from '../src/domain/box-stats.js';
import type { KafkaNumbers, TopologyView } from '../src/domain/topology-view.js';
import { type ConsoleStack, startConsoleStack, TOKEN } from './stack.js';

/** The slice of the page's DOM the functions evaluated in Chromium use (this package has no DOM types). */
declare const document: {
  querySelector(
    selector: string,
  ): { textContent: string | null; getAttribute(name: string): string | null } | null;
};

const infra = inject('infra');
let stack: ConsoleStack;

beforeAll(async () => {
  stack = await startConsoleStack(infra);
}, 300_000);

afterAll(async () => {
  await stack?.stop();
}, 120_000);

async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown, token = TOKEN): Promise<T> {
  const res = await fetch(`${stack.console.url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

const boxes = (view: TopologyView) => new Map(view.designs.flatMap((d) => d.boxes).map((b) => [b.id, b]));
const serviceBox = (view: TopologyView, id: string) => boxes(view).get(id) as BoxNumbers;

describe('the console against the running services', () => {
  it('when a read-only visitor posts an action, then 401 and the traffic stays off', async () => {
    const res = await fetch(`${stack.console.url}/api/traffic`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ recs: 100 }),
    });
    expect(res.status).toBe(401);
    expect((await api<TrafficStatus>('GET', '/api/traffic', undefined, '')).settings.recs).toBe(0);
  });

  it('when demo traffic runs, then every box of both designs shows live numbers from its service and Kafka shows the groups', async () => {
    await api('POST', '/api/traffic', { recs: 4, fraud: 30 });

    const view = await waitUntil(
      async () => {
        const view = await api<TopologyView>('GET', '/api/topology');
        const live = [
          'rec-api',
          'feature-store',
          'candidate-gen',
          'ranker',
          'rules',
          'txn-api',
          'feature-engine',
        ].every((id) => (serviceBox(view, id).ratePerSecond ?? 0) > 0);
        const kafka = boxes(view).get('kafka') as KafkaNumbers;
        const stream = ['fraud-scorer', 'fraud-monitor'].every(
          (id) => (serviceBox(view, id).ratePerSecond ?? 0) > 0,
        );
        return live && stream && kafka.groups.length >= 4 && view;
      },
      { timeoutMs: 90_000, intervalMs: 500, what: 'numbers in every box' },
    );

    const gateway = serviceBox(view, 'rec-api');
    expect(gateway.p95Ms).toBeGreaterThan(0);
    expect(['ok', 'degraded', 'breach']).toContain(gateway.status);
    expect(serviceBox(view, 'txn-api').p99Ms).toBeGreaterThan(0);
    expect((boxes(view).get('kafka') as KafkaNumbers).status).not.toBe('down');
  }, 120_000);

  it('when a recommendation is explained, then every stage, its timing and the rule changes come back', async () => {
    const result = await api<RecsExplanation>('GET', '/api/recs/explain?userId=3&region=US&count=5');
    const body = result.body as { items: unknown[]; explain: Record<string, { ids: number[] }> };

    expect(result.status).toBe(200);
    expect(result.serverTiming.map((t) => t.name)).toEqual(
      expect.arrayContaining(['features', 'candidates', 'ranker', 'rules', 'total']),
    );
    expect(body.items).toHaveLength(5);
    expect(Object.keys(body.explain)).toEqual(['features', 'candidates', 'ranking', 'rules']);
    expect(body.explain.candidates!.ids.length).toBeGreaterThan(5);
  });

  it('when the card-testing preset is played, then the probe is decided by the pipeline with its reasons, phases and windowed features', async () => {
    const result = await api<FraudExplanation>('POST', '/api/fraud/explain', { preset: 'card-testing' });
    const probe = result.probe!;
    const decision = probe.body as { decision: string; mode: string; reasons: string[] };

    expect(probe.status).toBe(200);
    expect(['approve', 'review', 'decline']).toContain(decision.decision);
    expect(decision.mode).toBe('full');
    expect(probe.serverTiming.map((t) => t.name)).toContain('decision');
    const cardCounts = result.features?.rows.find((r) => r.entity === 'card' && r.aggregate === 'nb_tx');
    expect(cardCounts?.values['1h']).toBeGreaterThanOrEqual(10);
  });

  it('when the compromised-terminal preset reports its chargebacks, then they reach the monitor', async () => {
    const result = await api<FraudExplanation>('POST', '/api/fraud/explain', {
      preset: 'compromised-terminal',
    });
    const reported = result.steps.filter((step) => 'chargeback' in step).length;

    expect(reported).toBeGreaterThan(0);
    expect(result.probe?.status).toBe(200);
    await waitUntil(
      async () => {
        const monitor = serviceBox(await api<TopologyView>('GET', '/api/topology'), 'fraud-monitor');
        return Number(monitor.extras.find((e) => e.label === 'chargebacks/s')?.value) > 0;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: "the monitor's chargebacks/s" },
    );
  });
});

/** Debian's chromium (the set-up installs it with apt), or MLSYS_CHROMIUM; never a downloaded browser. */
function chromiumPath(): string {
  const given = process.env.MLSYS_CHROMIUM;
  if (given) return given;
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser'])
    if (existsSync(candidate)) return candidate;
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('the browser test needs Chromium: apt-get install -y chromium (npm test installs it)');
  }
}

/**
 * The README's screenshots are refreshed only when asked (MLSYS_UPDATE_SCREENSHOTS=1): a test run
 * must not leave tracked files changed. Otherwise they land with the other reports.
 */
const SCREENSHOTS =
  process.env.MLSYS_UPDATE_SCREENSHOTS === '1'
    ? join(repoRoot(), 'services', 'console', 'screenshots')
    : join(repoRoot(), 'services', 'console', 'reports', 'screenshots');

describe('the console in a real Chromium', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
    });
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  const boxClass = (id: string) => page.getAttribute(`[data-box="${id}"]`, 'class');

  it('when opened without the token, then the page is read-only', async () => {
    await page.goto(stack.console.url);
    expect(await page.textContent('#mode')).toMatch(/Read-only/);
    expect(await page.isDisabled('#traffic-form button')).toBe(true);
    expect(await page.isDisabled('[data-preset="normal"]')).toBe(true);
  });

  it('when opened with the token, then both topologies show live numbers', async () => {
    await page.goto(`${stack.console.url}/?token=${TOKEN}`);
    expect(page.url()).not.toContain('token=');
    expect(await page.textContent('#mode')).toMatch(/Actions enabled/);
    await page.waitForFunction(
      () =>
        ['rec-api', 'txn-api', 'ranker', 'feature-engine'].every((id) => {
          const rate = document.querySelector(`[data-box="${id}"] [data-slot="rate"]`)?.textContent ?? '';
          return /^\d+\.\d$/.test(rate) && Number.parseFloat(rate) > 0;
        }),
      undefined,
      { timeout: 60_000 },
    );
    expect(await boxClass('rec-api')).toMatch(/status-(ok|degraded|breach)/);
    expect(await page.textContent('[data-box="kafka"] [data-slot="group-0"]')).toMatch(/←/);
    await page.locator('#topology').screenshot({ path: join(SCREENSHOTS, 'topology.png') });
  });

  it('when a recommendation is explained, then the waterfall, candidates, ranker scores and answer are shown', async () => {
    await page.selectOption('#recs-form select[name="region"]', 'US');
    await page.click('#recs-form button[type="submit"]');
    await page.waitForSelector('#recs-result .waterfall .wf-row', { timeout: 20_000 });
    const text = await page.textContent('#recs-result');
    expect(text).toMatch(/candidates \(\d+\) from/);
    expect(text).toMatch(/ranker:/);
    expect(text).toMatch(/rules: \d+ change/);
    await page.locator('#explorer').screenshot({ path: join(SCREENSHOTS, 'recs-explain.png') });
  });

  it('when a fraud preset is played, then the decision, its reasons, the phases and the features are shown', async () => {
    await page.click('[data-preset="account-takeover"]');
    await page.waitForSelector('#fraud-result .decision', { timeout: 30_000 });
    const text = await page.textContent('#fraud-result');
    expect(text).toMatch(/(APPROVE|REVIEW|DECLINE) · model score/);
    expect(text).toMatch(/features by window/);
    await page.locator('#fraud-result').screenshot({ path: join(SCREENSHOTS, 'fraud-explain.png') });
  });

  it('when Redis is paused, then the feature store box turns red within seconds and recovers after', async () => {
    await page.fill('[data-fault-arg="pause-redis"]', '4');
    await page.click('[data-fault="pause-redis"]');
    await page.waitForFunction(
      () =>
        document
          .querySelector('[data-box="feature-store"]')
          ?.getAttribute('class')
          ?.includes('status-breach'),
      undefined,
      { timeout: 20_000 },
    );
    expect(await page.textContent('#fault-status')).toMatch(/Redis paused for 4 s/);
    await page.locator('#topology').screenshot({ path: join(SCREENSHOTS, 'fault-redis-paused.png') });
    await page.waitForFunction(
      () =>
        /status-(ok|idle)/.test(
          document.querySelector('[data-box="feature-store"]')?.getAttribute('class') ?? '',
        ),
      undefined,
      { timeout: 60_000 },
    );
    await page.click('#traffic-form button[type="submit"]');
  }, 120_000);

  it('when a load run is started from the page, then its chart follows it live and its report is linked when it ends', async () => {
    await page.selectOption('#load-form select[name="scenario"]', 'recs-steady');
    await page.fill('#load-form input[name="rate"]', '5');
    await page.fill('#load-form input[name="durationSeconds"]', '5');
    await page.click('#load-form button[type="submit"]');
    // Live: one point a second from the runner's progress line (after its 5 s warm-up): the
    // percentiles of each second's completions, beside the p95 so far that only the live view has.
    await page.waitForFunction(
      () =>
        document.querySelector('#load-chart path[data-series="p95 so far"]') !== null &&
        document.querySelector('#load-chart path[data-series="p99"]') !== null &&
        document.querySelector('#load-chart path[data-series="rate"]') !== null,
      undefined,
      { timeout: 60_000 },
    );
    await page.waitForSelector('#load-status a[href="/reports/recs-steady.html"]', { timeout: 90_000 });

    // Passed or not is the stack's business on a busy test machine; that it was judged and reported is the console's.
    expect(await page.textContent('#load-status')).toMatch(
      /^(passed|failed|invalid) recs-steady at 5\/s for 5 s/,
    );
    expect(await page.locator('#load-chart path[data-series="p95"]').count()).toBe(1);
    await page.locator('#load').screenshot({ path: join(SCREENSHOTS, 'load-run.png') });
    const report = await fetch(`${stack.console.url}/reports/recs-steady.html`);
    expect(report.status).toBe(200);
    expect(await report.text()).toMatch(/recs-steady/);
  }, 180_000);
});
