import { timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  ConsoleFaultRequest,
  ConsoleFraudExplainRequest,
  ConsoleLoadRequest,
  type ConsolePayment,
  ConsoleRecsExplainQuery,
  ConsoleTrafficChange,
} from '@mlsys/contracts';
import { createServiceApp, HttpError, type ServiceApp } from '@mlsys/service-kit';
import type { Logger, Metrics } from '@mlsys/telemetry';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { FraudExplanation } from './adapters/fraud-explorer.js';
import type { LoadRunStatus } from './adapters/load-runs.js';
import type { RecsExplanation } from './adapters/recs-explorer.js';
import type { TrafficSettings, TrafficStatus } from './adapters/traffic-runner.js';
import { PRESET_NAMES, PRESETS } from './domain/fraud-presets.js';
import type { DesignDrawing } from './domain/topology.js';
import type { TopologyView } from './domain/topology-view.js';
import { type PageModel, renderPage } from './page/page.js';

export interface FaultOutcome {
  fault: string;
  message: string;
}

export interface ConsoleDeps {
  logger: Logger;
  metrics: Metrics;
  version: string;
  /** The action token: every POST under /api/ needs it (Authorization: Bearer <token>). */
  token: string;
  drawings: readonly DesignDrawing[];
  windowSeconds: number;
  scrapeIntervalMs: number;
  topology: () => TopologyView;
  recs: {
    users: ReadonlyArray<{ id: string; region: string }>;
    regions: readonly string[];
    explain: (query: { userId: string; region: string; count: number }) => Promise<RecsExplanation>;
  };
  fraud: {
    explainPreset: (preset: keyof typeof PRESETS) => Promise<FraudExplanation>;
    explainPayment: (payment: ConsolePayment) => Promise<FraudExplanation>;
  };
  traffic: {
    status: () => TrafficStatus;
    update: (change: Partial<TrafficSettings>) => TrafficSettings;
  };
  faults: {
    list: PageModel['faults'];
    inject: (fault: ConsoleFaultRequest) => Promise<FaultOutcome>;
  };
  /** Load runs of the load runner's scenarios, one at a time (`src/adapters/load-runs.ts`). */
  load: {
    scenarios: readonly string[];
    start: (request: ConsoleLoadRequest) => LoadRunStatus;
    status: () => { run: LoadRunStatus | null };
    /** Stops the run that goes, if any, and waits for the runner to exit. */
    stop: () => Promise<void>;
    /** The path of the last run's report file of that name, or undefined. */
    reportFile: (name: string) => string | undefined;
  };
  /** Links to each service's API page, by box id. */
  docs: Readonly<Record<string, string>>;
}

const PUBLIC = new URL('../public/', import.meta.url);
const ASSETS: Record<string, string> = {
  'console.js': 'application/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'load-runs.js': 'application/javascript; charset=utf-8',
};

const REPORT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
};
// A report is the runner's page, served on the console's origin, where the tab keeps the token:
// nothing in it may run or load (it needs neither: inline SVG and one <style>).
const REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const tokenMatches = (expected: Buffer, header: string | undefined): boolean => {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
};

/** The console: the page, its assets, and the JSON API the page calls. No env, no listen. */
export function buildApp(deps: ConsoleDeps): ServiceApp {
  const app = createServiceApp({
    name: 'console',
    version: deps.version,
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: { artifacts: () => ({ console: deps.version }) },
  });
  const expected = Buffer.from(deps.token);
  // Every action that changes the stack: read-only visitors get 401, whatever they send.
  const requireToken = async (request: FastifyRequest) => {
    if (!tokenMatches(expected, request.headers.authorization))
      throw new HttpError(
        401,
        'unauthorized',
        'this action changes the stack: send the console token (npm start prints where it is: .cache/console-token) as "Authorization: Bearer <token>"; the page does when opened with ?token=<token>',
      );
  };
  const actions = deps.metrics.counter('console_actions_total', 'actions taken from the console, by kind', [
    'action',
  ]);

  app.get('/', async (_request, reply) => {
    reply.header('content-type', 'text/html; charset=utf-8');
    reply.header('cache-control', 'no-store');
    return renderPage({
      version: deps.version,
      drawings: deps.drawings,
      windowSeconds: deps.windowSeconds,
      scrapeIntervalMs: deps.scrapeIntervalMs,
      users: deps.recs.users,
      regions: deps.recs.regions,
      presets: PRESETS,
      faults: deps.faults.list,
      loadScenarios: deps.load.scenarios,
      docs: deps.docs,
    });
  });

  app.get(
    '/assets/:file',
    { schema: { params: Type.Object({ file: Type.String({ maxLength: 64 }) }) } },
    async (request, reply) => {
      const type = ASSETS[request.params.file];
      if (!type) throw new HttpError(404, 'not_found', `no asset ${request.params.file}`);
      reply.header('content-type', type);
      return readFile(new URL(request.params.file, PUBLIC));
    },
  );

  app.get('/api/topology', {}, async () => deps.topology());

  app.get('/api/recs/explain', { schema: { querystring: ConsoleRecsExplainQuery } }, async (request) => {
    const { userId, region, count = 10 } = request.query;
    return deps.recs.explain({ userId, region, count });
  });

  app.post(
    '/api/fraud/explain',
    {
      preHandler: requireToken,
      schema: {
        body: ConsoleFraudExplainRequest,
      },
    },
    async (request) => {
      const { preset, payment } = request.body;
      if (preset !== undefined) {
        actions.inc({ action: `preset:${preset}` });
        return deps.fraud.explainPreset(preset);
      }
      if (payment === undefined)
        throw new HttpError(
          400,
          'invalid_request',
          `send a preset (${PRESET_NAMES.join(', ')}) or a payment`,
        );
      actions.inc({ action: 'payment' });
      return deps.fraud.explainPayment(payment);
    },
  );

  app.get('/api/traffic', {}, async () => deps.traffic.status());

  app.post(
    '/api/traffic',
    {
      preHandler: requireToken,
      schema: { body: ConsoleTrafficChange },
    },
    async (request) => {
      actions.inc({ action: 'traffic' });
      deps.traffic.update(request.body);
      return deps.traffic.status();
    },
  );

  app.post(
    '/api/faults',
    {
      preHandler: requireToken,
      schema: { body: ConsoleFaultRequest },
    },
    async (request) => {
      actions.inc({ action: `fault:${request.body.fault}` });
      return deps.faults.inject(request.body);
    },
  );

  app.get('/api/load', {}, async () => deps.load.status());

  app.post(
    '/api/load',
    {
      preHandler: requireToken,
      schema: { body: ConsoleLoadRequest },
    },
    async (request, reply) => {
      actions.inc({ action: `load:${request.body.scenario}` });
      reply.code(202);
      return { run: deps.load.start(request.body) };
    },
  );

  app.post('/api/load/stop', { preHandler: requireToken }, async () => {
    actions.inc({ action: 'load:stop' });
    await deps.load.stop();
    return deps.load.status();
  });

  app.get(
    '/reports/:file',
    { schema: { params: Type.Object({ file: Type.String({ maxLength: 128 }) }) } },
    async (request, reply) => {
      const path = deps.load.reportFile(request.params.file);
      if (!path)
        throw new HttpError(
          404,
          'not_found',
          `no report ${request.params.file} in the last load run's folder`,
        );
      reply.header('content-type', REPORT_TYPES[path.slice(path.lastIndexOf('.') + 1)] ?? 'text/plain');
      reply.header('content-security-policy', REPORT_POLICY);
      reply.header('cache-control', 'no-store');
      return readFile(path);
    },
  );

  return app;
}
