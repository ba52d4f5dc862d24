import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { notFound } from './errors.js';

/**
 * Swagger UI's own files, as `@fastify/swagger-ui` bundles them. Its plugin
 * is not registered: it serves them through `@fastify/static`, whose
 * `content-disposition` 3 is an ES module that `require()` loads only from
 * Node 20.19 and 22.12 on, and this project runs on Node 20.10.
 */
const ASSETS = join(
  dirname(createRequire(import.meta.url).resolve('@fastify/swagger-ui/package.json')),
  'static',
);
const TYPES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
};
// Read once per process, on the first visit: 2 MB no test or request path needs otherwise.
const cache = new Map<string, Promise<Buffer>>();

/** `GET /docs/<file>`: one of the two files the page loads, nothing else from that folder. */
export async function docsAsset(file: string): Promise<{ type: string; body: Buffer }> {
  const type = TYPES[file];
  if (!type) throw notFound(`/docs/${file}`);
  let body = cache.get(file);
  if (!body) {
    body = readFile(join(ASSETS, file));
    cache.set(file, body);
  }
  return { type, body: await body };
}

/** `GET /docs`: Swagger UI over `/openapi.json`, from the service alone (no validator badge, no CDN). */
export function docsPage(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title} API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null });</script>
</body>
</html>
`;
}
