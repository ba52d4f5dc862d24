import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { servicesInCheckout } from '../src/available.js';
import { renderCompose } from '../src/compose.js';
import { startOrder } from '../src/manifest.js';
import { ROOT } from '../src/paths.js';
import { probe } from '../src/prereqs.js';

interface ComposeService {
  image?: string;
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
  restart?: string;
  stop_grace_period?: string;
  healthcheck?: { start_period?: string };
}

const services = startOrder(servicesInCheckout());
const compose = () => parse(renderCompose(services)) as { services: Record<string, ComposeService> };

/** Compose durations as the generator writes them: whole seconds. */
function durationMs(value: string | undefined): number {
  const match = /^(\d+)s$/.exec(value ?? '');
  if (!match) throw new Error(`expected a duration such as "15s", got ${JSON.stringify(value)}`);
  return Number(match[1]) * 1000;
}

/** The Docker form of a .gitignore pattern: one without an inner slash matches at any depth. */
function dockerPattern(gitPattern: string): string {
  const pattern = gitPattern.replace(/\/$/, '');
  return pattern.includes('/') ? pattern : `**/${pattern}`;
}

function patternLines(file: string): string[] {
  return readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

describe('docker-compose.yml', () => {
  it('when compared with what the manifest renders, then it is identical (regenerate: npm run infra -- compose)', () => {
    const committed = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
    expect(committed).toBe(renderCompose(services));
  });

  it('when rendered, then every manifest service is there with its port, health check and dependencies', () => {
    const doc = compose();
    for (const spec of services) {
      const entry = doc.services[spec.name]!;
      expect(entry.ports).toEqual([`127.0.0.1:${spec.port}:${spec.port}`]);
      expect(JSON.stringify(entry.healthcheck)).toContain(spec.health.ready);
      expect(Object.keys(entry.depends_on as object)).toEqual(expect.arrayContaining(spec.dependsOn));
    }
    expect(doc.services.kafka!.image).toBe('apache/kafka:3.9.1');
  });

  it('when a container starts, then its health check has a start period, and the feature store the longest (its first materialisation)', () => {
    const doc = compose();
    const periods = Object.fromEntries(
      Object.entries(doc.services)
        .filter(([, entry]) => entry.healthcheck)
        .map(([name, entry]) => [name, durationMs(entry.healthcheck!.start_period)]),
    );
    expect(Object.keys(periods).sort()).toEqual(['kafka', 'redis', ...services.map((s) => s.name)].sort());
    if (doc.services['feature-store']) {
      expect(periods['feature-store']).toBe(Math.max(...Object.values(periods)));
    }
  });

  it('when a long-running container crashes, then it is restarted; the one-off prepare step is not', () => {
    const doc = compose();
    for (const name of ['redis', 'kafka', ...services.map((s) => s.name)]) {
      expect({ name, restart: doc.services[name]!.restart }).toEqual({ name, restart: 'on-failure' });
    }
    if (doc.services.prepare) expect(doc.services.prepare.restart).toBeUndefined();
  });

  it('when a service is stopped, then compose waits longer than the shutdown deadline the service is given', () => {
    const doc = compose();
    for (const spec of services) {
      const entry = doc.services[spec.name]!;
      const deadline = Number(entry.environment?.SHUTDOWN_DEADLINE_MS);
      expect(deadline, `${spec.name} is given SHUTDOWN_DEADLINE_MS`).toBeGreaterThan(0);
      expect(durationMs(entry.stop_grace_period), spec.name).toBeGreaterThan(deadline);
    }
  });

  it('when the Redis image is pinned, then it is the minor version of the local redis-server', () => {
    const output = probe('redis-server', ['--version']);
    expect(output, 'redis-server must be on PATH (npm test installs it)').toBeDefined();
    const local = /v=(\d+\.\d+)\./.exec(output!)?.[1];
    expect(compose().services.redis!.image).toBe(`redis:${local}`);
  });
});

describe('.dockerignore', () => {
  const ignored = patternLines('.dockerignore');

  it('when the image is built, then the host checkout’s installs, builds, caches and git history stay out', () => {
    expect(ignored).toEqual(
      expect.arrayContaining(['.git', '**/node_modules', '**/.cache', '**/dist', '**/.turbo', '**/.venv']),
    );
  });

  it('when git ignores a path, then the build context ignores it too', () => {
    const missing = patternLines('.gitignore')
      .map(dockerPattern)
      .filter((pattern) => !ignored.includes(pattern));
    expect(missing).toEqual([]);
  });
});
