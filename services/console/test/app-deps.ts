// The console's dependencies as stand-ins, for tests that build the app and call inject():
// every action records a line in `calls`, so a test can check what went through and what did not.
import { CONSOLE_LOAD_SCENARIOS } from '@mlsys/contracts';
import { FAULTS } from '@mlsys/load-tests/faults';
import { SLO } from '@mlsys/load-tests/slo';
import { createLogger, createMetrics } from '@mlsys/telemetry';
import type { LoadRunStatus } from '../src/adapters/load-runs.js';
import type { TrafficSettings, TrafficStatus } from '../src/adapters/traffic-runner.js';
import type { ConsoleDeps } from '../src/app.js';
import { fraudDrawing, recsDrawing } from '../src/domain/topology.js';

export const TOKEN = 'test-token-0123456789';
export const bearer = { authorization: `Bearer ${TOKEN}` };

export function consoleDeps(overrides: Partial<ConsoleDeps> = {}): { deps: ConsoleDeps; calls: string[] } {
  const calls: string[] = [];
  let settings: TrafficSettings = { recs: 0, fraud: 0, chargebacks: true, amountFactor: 1 };
  const status = (): TrafficStatus => ({
    settings,
    recs: { sent: 0, ok: 0, failed: 0, skipped: 0, listens: 0, degraded: 0 },
    fraud: {
      sent: 0,
      ok: 0,
      failed: 0,
      skipped: 0,
      decisions: {},
      chargebacksSent: 0,
      chargebacksWithheld: 0,
      simulatedDay: 0,
      loops: 0,
    },
  });
  const deps: ConsoleDeps = {
    logger: createLogger({ service: 'console', level: 'silent' }),
    metrics: createMetrics('console', { defaultMetrics: false }),
    version: 'test',
    token: TOKEN,
    drawings: [recsDrawing(SLO.recs), fraudDrawing(SLO.fraud)],
    windowSeconds: 60,
    scrapeIntervalMs: 2000,
    topology: () => ({ at: 1, windowSeconds: 60, designs: [] }),
    recs: {
      users: [{ id: '7', region: 'SE' }],
      regions: ['SE', 'US'],
      explain: async (query) => {
        calls.push(`explain ${query.userId} ${query.region} ${query.count}`);
        return { status: 200, elapsedMs: 1, serverTiming: [], body: {} };
      },
    },
    fraud: {
      explainPreset: async (preset) => {
        calls.push(`preset ${preset}`);
        return { steps: [], probe: undefined, features: undefined };
      },
      explainPayment: async (payment) => {
        calls.push(`payment ${payment.cardId}`);
        return { steps: [], probe: undefined, features: undefined };
      },
    },
    traffic: {
      status,
      update: (change) => {
        settings = { ...settings, ...change };
        calls.push(`traffic ${JSON.stringify(change)}`);
        return settings;
      },
    },
    faults: {
      list: FAULTS,
      inject: async (request) => {
        calls.push(`fault ${request.fault}`);
        return { fault: request.fault, message: 'done' };
      },
    },
    load: {
      scenarios: CONSOLE_LOAD_SCENARIOS,
      start: (request) => {
        calls.push(`load ${request.scenario} ${request.rate} ${request.durationSeconds}`);
        const run: LoadRunStatus = {
          ...request,
          id: 'run',
          startedAt: new Date(0).toISOString(),
          state: 'running',
          phase: 'starting',
          samples: [],
          tail: [],
        };
        return run;
      },
      status: () => ({ run: null }),
      stop: async () => {
        calls.push('load stop');
      },
      reportFile: () => undefined,
    },
    docs: { 'rec-api': 'http://127.0.0.1:8080/docs' },
    ...overrides,
  };
  return { deps, calls };
}
