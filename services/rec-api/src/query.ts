import type { ServiceApp } from '@mlsys/service-kit';
import type { TSchema } from 'typebox';
import Value from 'typebox/value';

/**
 * Query strings arrive as text; the schema says `count` is an integer and
 * `explain` a boolean. Converting by the route's own schema before
 * validation keeps the schema the single source of the rules, so
 * `count=500` fails as "count must be <= 100", not as "must be a string".
 * Values that do not convert are left as they are and fail validation.
 */
export function convertQueryBySchema(app: ServiceApp): void {
  app.addHook('preValidation', async (request) => {
    const schema = request.routeOptions.schema?.querystring as TSchema | undefined;
    if (schema && request.query && typeof request.query === 'object') {
      request.query = Value.Convert(schema, request.query);
    }
  });
}
