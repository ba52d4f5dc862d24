import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceProcess } from '@mlsys/testkit';
import { expect } from 'vitest';
import { type FuzzCounts, type FuzzOptions, fuzzApi } from '../src/schemathesis.js';

/** Where each service's counts go; `npm test` prints them under this package's line of the summary. */
export const REPORT_DIR = join(import.meta.dirname, '..', 'reports', 'api-fuzz');

/**
 * Cases per operation. 200 for all: the tiny artifacts keep even the model
 * and index calls to a few ms, so no operation needs fewer.
 */
export const MAX_EXAMPLES = 200;

/** Fixed, so a failure found in CI comes back on a laptop; FUZZ_SEED explores other cases. */
export const SEED = Number(process.env.FUZZ_SEED ?? 20_261_203);

/**
 * Fuzzes one service, records its counts for the summary, and holds it to
 * the two properties: no answer 5xx, no answer outside its own schema.
 */
export async function fuzzService(
  running: ServiceProcess,
  options: Partial<FuzzOptions> = {},
): Promise<FuzzCounts> {
  const { service } = running;
  const counts = await fuzzApi(running.url, {
    maxExamples: MAX_EXAMPLES,
    seed: SEED,
    timeoutMs: 180_000,
    ...options,
  });
  mkdirSync(REPORT_DIR, { recursive: true });
  writeFileSync(
    join(REPORT_DIR, `${service}.json`),
    `${JSON.stringify({ service, seed: SEED, ...counts }, null, 2)}\n`,
  );
  expect(counts.requests, `${service}: schemathesis sent no request`).toBeGreaterThan(0);
  expect(
    {
      serverErrors: counts.serverErrors,
      schemaViolations: counts.schemaViolations,
      problems: counts.problems,
    },
    `${service} under fuzzing (seed ${SEED}); its last output:\n${running.recentOutput}\n`,
  ).toEqual({ serverErrors: 0, schemaViolations: 0, problems: [] });
  return counts;
}

/** The services one fuzz file starts, by name, so each is fuzzed and all are stopped. */
export class RunningServices {
  private readonly running = new Map<string, ServiceProcess>();

  async start(service: string, env: Record<string, string>): Promise<ServiceProcess> {
    const started = await ServiceProcess.start(service, env);
    this.running.set(service, started);
    return started;
  }

  get(service: string): ServiceProcess {
    const found = this.running.get(service);
    if (!found) throw new Error(`${service} did not start`);
    return found;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.values()].map((service) => service.stop()));
  }
}
