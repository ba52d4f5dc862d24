import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { servicesInCheckout } from '../src/available.js';
import { renderCompose } from '../src/compose.js';
import { startOrder } from '../src/manifest.js';
import { ROOT } from '../src/paths.js';

describe('docker-compose.yml', () => {
  it('when compared with what the manifest renders, then it is identical (regenerate: npm run infra -- compose)', () => {
    const committed = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
    expect(committed).toBe(renderCompose(startOrder(servicesInCheckout())));
  });

  it('when rendered, then every manifest service is there with its port, health check and dependencies', () => {
    const services = startOrder(servicesInCheckout());
    const doc = parse(renderCompose(services)) as { services: Record<string, Record<string, unknown>> };
    for (const spec of services) {
      const entry = doc.services[spec.name]!;
      expect(entry.ports).toEqual([`127.0.0.1:${spec.port}:${spec.port}`]);
      expect(JSON.stringify(entry.healthcheck)).toContain(spec.health.ready);
      expect(Object.keys(entry.depends_on as object)).toEqual(expect.arrayContaining(spec.dependsOn));
    }
    expect(doc.services.redis!.image).toBe('redis:7');
    expect(doc.services.kafka!.image).toBe('apache/kafka:3.9.1');
  });
});
