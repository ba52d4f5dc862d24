import { readFileSync } from 'node:fs';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { DependencyCheck, ErrorBody } from '@mlsys/contracts';
import { compileSchema, Readiness } from '@mlsys/contracts';
import type { Logger, Metrics } from '@mlsys/telemetry';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from 'fastify';
import Type, { type TSchema } from 'typebox';
import Value from 'typebox/value';
import { HttpError, RequestValidationError } from './errors.js';
import { publishOpenApi } from './openapi.js';
import type { WarmUp } from './warm-up.js';

export type ServiceApp = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** The `version` of the package.json next to a service's `src/` or `dist/` folder. */
export function packageVersion(entryUrl: string): string {
  return (JSON.parse(readFileSync(new URL('../package.json', entryUrl), 'utf8')) as { version: string })
    .version;
}

/** A readiness probe of one dependency: resolves (optionally with a detail) when it is usable, throws when not. */
export type ReadinessCheck = () => Promise<unknown>;

export interface ServiceOptions {
  name: string;
  version: string;
  logger: Logger;
  metrics: Metrics;
  /** Largest accepted request body; larger ones get 413. */
  bodyLimitBytes?: number;
  readiness?: {
    checks?: Record<string, ReadinessCheck>;
    /** Versions of the models, indexes or rule sets the service has loaded. */
    artifacts?: () => Record<string, string>;
    timeoutMs?: number;
    /** The hot-path warm-up: `/readyz` answers 503 (check `warm-up`) until it has run. */
    warmUp?: WarmUp;
  };
}

const DEFAULT_BODY_LIMIT = 64 * 1024;

function errorBody(code: string, message: string, fields?: ErrorBody['error']['fields']): ErrorBody {
  return { error: fields ? { code, message, fields } : { code, message } };
}

async function runCheck(name: string, check: ReadinessCheck, timeoutMs: number): Promise<DependencyCheck> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const detail = await Promise.race([check(), timeout]);
    return typeof detail === 'string' ? { name, ok: true, detail } : { name, ok: true };
  } catch (error) {
    return { name, ok: false, detail: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The fastify app every service starts from: schema-first routes validated by
 * the contracts' compiler, one JSON error format, `/livez`, `/readyz`,
 * `/metrics`, request metrics, readiness that turns false while closing, and
 * the routes' OpenAPI document at `/openapi.json` with a page at `/docs`.
 * It never listens; `main.ts` does.
 */
export function createServiceApp(options: ServiceOptions): ServiceApp {
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit,
    requestIdHeader: 'x-request-id',
    // One log line per request would dominate the logs at thousands of requests a second; metrics cover them.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();
  publishOpenApi(app, { name: options.name, version: options.version });

  app.setValidatorCompiler(({ schema, httpPart }) => {
    const validator = compileSchema(schema as TSchema);
    const part = httpPart ?? 'body';
    // Query strings and path parameters arrive as text. Converting them by the route's own schema
    // (`count=5` -> 5) keeps the schema the one source of the rules, so `count=500` fails as
    // "must be <= 100" rather than "must be a number". What does not convert fails validation.
    const fromText = part === 'querystring' || part === 'params';
    return (data: unknown) => {
      const result = validator.validate(fromText ? Value.Convert(schema as TSchema, data) : data);
      return result.ok ? { value: result.value } : { error: new RequestValidationError(part, result.errors) };
    };
  });

  app.setErrorHandler((error: FastifyError | RequestValidationError | HttpError, request, reply) => {
    if (error instanceof RequestValidationError) {
      return reply.code(400).send(errorBody('invalid_request', error.message, error.fields));
    }
    if (error instanceof HttpError) {
      return reply.code(error.statusCode).send(errorBody(error.code, error.message));
    }
    const code = (error as FastifyError).code;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply
        .code(413)
        .send(
          errorBody(
            'payload_too_large',
            `request body exceeds the limit of ${bodyLimit} bytes; send less data`,
          ),
        );
    }
    if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send(errorBody('unsupported_media_type', 'send the body as application/json'));
    }
    const status = (error as FastifyError).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      // fastify's own client errors: malformed JSON, empty JSON body, bad content length.
      return reply
        .code(status)
        .send(errorBody('invalid_request', error.message, [{ field: '(body)', reason: error.message }]));
    }
    request.log.error({ err: error }, 'request failed');
    return reply
      .code(500)
      .send(errorBody('internal_error', 'the service failed to handle the request; see its logs'));
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send(errorBody('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`));
  });

  const httpDuration = options.metrics.histogram(
    'http_request_duration_seconds',
    'HTTP request latency by route and status',
    ['method', 'route', 'status_code'],
  );
  const warmUp = options.readiness?.warmUp;
  if (warmUp) app.addHook('onClose', async () => warmUp.stop());
  app.addHook('onResponse', async (request, reply) => {
    // The warm-up's own requests are not traffic.
    if (warmUp?.marks(request.headers)) return;
    httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });

  app.get(
    '/livez',
    { schema: { response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  const checks = Object.entries({
    ...options.readiness?.checks,
    ...(warmUp ? { 'warm-up': warmUp.check } : {}),
  });
  const timeoutMs = options.readiness?.timeoutMs ?? 1000;
  app.get(
    '/readyz',
    { schema: { response: { 200: Readiness, 503: Readiness } } },
    async (_request, reply) => {
      const results = await Promise.all(checks.map(([name, check]) => runCheck(name, check, timeoutMs)));
      if (closing) results.push({ name: 'lifecycle', ok: false, detail: 'shutting down' });
      const body: Readiness = {
        ready: results.every((r) => r.ok),
        service: options.name,
        version: options.version,
        checks: results,
      };
      const artifacts = options.readiness?.artifacts?.();
      if (artifacts) body.artifacts = artifacts;
      return reply.code(body.ready ? 200 : 503).send(body);
    },
  );

  const prometheusText = { content: { 'text/plain': { schema: Type.String() } } };
  app.get('/metrics', { schema: { response: { 200: prometheusText } } }, async (_request, reply) => {
    reply.header('content-type', options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });

  return app;
}
