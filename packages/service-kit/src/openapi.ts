import { fastifySwagger } from '@fastify/swagger';
import { ErrorBody } from '@mlsys/contracts';
import type { FastifySchema } from 'fastify';
import type { ServiceApp } from './app.js';
import { docsAsset, docsPage } from './docs-page.js';

export interface OpenApiOptions {
  name: string;
  version: string;
}

/**
 * The statuses the kit answers on a route's behalf, before or around its
 * handler: 400 from the validator, 413 from the body limit, 415 from the
 * content-type parser. Added to each route's own responses, so its OpenAPI
 * operation lists every answer a caller can get and a fuzzer can hold the
 * route to them.
 */
function kitErrors(schema: FastifySchema): Record<number, object> {
  const error = (description: string) => ({ ...ErrorBody, description });
  const errors: Record<number, object> = {};
  if (schema.body || schema.params || schema.querystring)
    errors[400] = error('a parameter or body field is missing or invalid; `error.fields` names each');
  if (schema.body) {
    errors[413] = error('the body is larger than the service accepts');
    errors[415] = error('the body is not sent as application/json');
  }
  return errors;
}

/**
 * Publishes the app's routes, from their schemas, as OpenAPI 3.1 at
 * `/openapi.json`, and as a Swagger UI page at `/docs` that loads nothing
 * from outside the service.
 *
 * Must run before any route is declared. `@fastify/swagger` collects routes
 * with an `onRoute` hook; registered the usual way it would load only at
 * `ready()`, after every service has declared its routes synchronously, and
 * see none of them. So its plugin function is applied to the root instance
 * here, at once, which is all `fastify-plugin` would do but for recording
 * its name.
 */
export function publishOpenApi(app: ServiceApp, options: OpenApiOptions): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema;
    if (!schema || schema.hide) return;
    const errors = kitErrors(schema);
    if (Object.keys(errors).length > 0)
      route.schema = { ...schema, response: { ...errors, ...(schema.response as object | undefined) } };
  });

  fastifySwagger(
    app,
    {
      openapi: {
        // 3.1: the contracts use `const` and `type: 'null'`, which 3.0 cannot express.
        openapi: '3.1.0',
        info: {
          title: options.name,
          version: options.version,
          description: `The HTTP API of ${options.name}, generated from its route schemas.`,
        },
      },
    },
    (error) => {
      if (error) throw error;
    },
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/docs', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(docsPage(options.name)),
  );
  app.get('/docs/:file', { schema: { hide: true } }, async (request, reply) => {
    const { type, body } = await docsAsset((request.params as { file: string }).file);
    return reply.type(type).send(body);
  });
}
